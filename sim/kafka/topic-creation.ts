// An operator's topic creation mid-run (kafka-topics.sh --create --replica-assignment): metadata churn that moves no
// data. In KRaft mode CreateTopics to the active controller (QuorumController.createTopics, 3.9), taken once its
// records are committed; in ZooKeeper mode AdminZkClient.createTopicWithAssignment (3.9; ZkAdminManager.createTopics
// calls it for the CreateTopics API), which writes the topic znode /brokers/topics/<topic> and nothing else: the
// controller's TopicChangeHandler sees the new child and brings the partitions online (onNewPartitionCreation).
import type { AdminTarget, SubmittedOperation } from './admin.ts';
import { submitAdminOperation } from './admin.ts';
import type { TopicName } from './topics.ts';
import { topicPath } from './zk-layout.ts';

/** Submits the creation of `topic` with its replica assignment until a controller or ZooKeeper has taken it. */
export function submitTopicCreation(
  cluster: AdminTarget,
  topic: TopicName,
  assignment: readonly (readonly number[])[],
  onAccepted: (how: string) => void = () => {},
): SubmittedOperation {
  return submitAdminOperation(
    cluster,
    {
      zk: (server) => {
        const data = JSON.stringify({ version: 1, partitions: assignment.map((r) => [...r]) });
        const error = server.operatorWrite([{ type: 'create', path: topicPath(topic), data }]);
        // NONODE: /brokers/topics is not there yet (no controller has run); try again later.
        return error === null || error === 'NODEEXISTS';
      },
      // TOPIC_ALREADY_EXISTS answers a retry whose first attempt was committed but never answered.
      kraft: (active, answer) =>
        active.createTopic(topic, assignment, (error) => answer(error === 'TOPIC_ALREADY_EXISTS' ? 'NONE' : error)),
    },
    onAccepted,
  );
}
