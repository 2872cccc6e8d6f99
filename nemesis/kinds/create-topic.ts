// Metadata churn: an operator creates a topic while the producers keep writing to theirs (kafka-topics.sh --create
// --replica-assignment). The controllers write the topic and its partitions (KRaft: one batch of records; ZooKeeper
// mode: the admin writes the topic znode, the controller's TopicChangeHandler brings the partitions online) and the
// brokers named create their replicas. Optionally the active controller is killed part-way, so that its successor
// must finish the creation from the metadata log or ZooKeeper (a topic znode whose partitions have no state yet).
// Nothing writes to the new topic; the invariants watch its partitions as any other's, and at rest every partition
// of a created topic must have a leader. Opt-in: generated only when named, or by swarm's extra draw.
import fc from 'fast-check';
import { createdTopicName, MAX_CREATED_TOPICS } from '../../sim/kafka/topics.ts';
import type { FaultKindModule } from '../kind.ts';
import { Fields, fail } from '../fields.ts';
import type { ClusterShape } from '../shape.ts';
import { adminFaultTiming, drawKillAfter, parseKillAfter, startAdminFault, stopAdminFault } from './admin-fault.ts';

/** A created topic has at most this many partitions (enough for churn; each one is a replica on every broker named). */
const MAX_PARTITIONS = 4;

export type CreateTopicParams = {
  /** The topic is `churn-<topic>`. */
  topic: number;
  /** Each partition's replicas, in order (the first is the preferred leader); one replication factor for all. */
  assignment: number[][];
  /** Kill the active controller this long after the start (null: no kill). */
  killControllerAfterMs: number | null;
};
export type CreateTopicApplied = { topic: string; assignment: number[][] };

function isReplicaList(list: unknown, maxBroker: number): list is number[] {
  return (
    Array.isArray(list) &&
    list.length > 0 &&
    list.every(
      (b, i) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= maxBroker && list.indexOf(b) === i,
    )
  );
}

function parse(raw: unknown, where: string, shape?: ClusterShape): CreateTopicParams {
  const f = Fields.of(raw, where);
  f.only(['topic', 'assignment', 'killControllerAfterMs']);
  const topic = f.number('topic', { min: 0, max: MAX_CREATED_TOPICS - 1, integer: true });
  const assignment = f.get('assignment');
  const maxBroker = shape === undefined ? Infinity : shape.brokers - 1;
  if (
    !Array.isArray(assignment) ||
    assignment.length === 0 ||
    assignment.length > MAX_PARTITIONS ||
    !assignment.every((r) => isReplicaList(r, maxBroker) && r.length === (assignment[0] as number[]).length)
  ) {
    fail(
      f.at('assignment'),
      `expected 1 to ${MAX_PARTITIONS} lists of distinct broker ids, all of one length (the replication factor)`,
    );
  }
  return { topic, assignment: assignment as number[][], killControllerAfterMs: parseKillAfter(f) };
}

export const createTopicKind: FaultKindModule<CreateTopicParams, CreateTopicApplied> = {
  kind: 'create-topic',
  summary:
    'create a topic (metadata churn: partitions and replicas appear), maybe killing the active controller; opt-in',
  parse,
  generate(random, shape, intensity) {
    const topic = random.int(0, MAX_CREATED_TOPICS - 1);
    const rf = Math.min(shape.replicationFactor, shape.brokers);
    const ids = Array.from({ length: shape.brokers }, (_, i) => i);
    const assignment = Array.from({ length: random.int(1, MAX_PARTITIONS) }, () => random.shuffle(ids).slice(0, rf));
    return { topic, assignment, killControllerAfterMs: drawKillAfter(random, intensity) };
  },
  arbitrary: (shape) => {
    const ids = Array.from({ length: shape.brokers }, (_, i) => i);
    const rf = Math.max(1, Math.min(shape.replicationFactor, shape.brokers));
    return fc.record({
      topic: fc.integer({ min: 0, max: MAX_CREATED_TOPICS - 1 }),
      assignment: fc.array(fc.shuffledSubarray(ids, { minLength: rf, maxLength: rf }), {
        minLength: 1,
        maxLength: MAX_PARTITIONS,
      }),
      killControllerAfterMs: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
    });
  },
  ...adminFaultTiming(5000, 20000),
  start(ctx, params) {
    const topic = createdTopicName(params.topic);
    const admin = ctx.cluster.createTopic(topic, params.assignment, (how) => ctx.step({ topic, acceptedBy: how }));
    const applied: CreateTopicApplied = { topic, assignment: params.assignment.map((r) => [...r]) };
    startAdminFault(ctx, applied, admin, params.killControllerAfterMs, (node) => ({ topic, killedController: node }));
    return applied;
  },
  stop(ctx, applied) {
    return stopAdminFault(ctx, applied, { topic: applied.topic });
  },
};
