// unclean.leader.election.enable is a topic's setting, the broker's only its default: Kafka creates
// `__transaction_state` with it false (TransactionStateManager.transactionTopicConfigs, 0.11.0-3.9), and both
// controllers read it per topic (ZooKeeper mode: PartitionStateMachine.collectUncleanLeaderElectionState, KRaft:
// ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic, 3.9). With the broker's setting true, a data
// partition whose ISR is all dead is led by the out-of-sync replica left; the transaction state partition in the
// same situation stays offline until an ISR member returns.
import { describe, expect, it } from 'vitest';
import { clusterConfig } from '../../../sim/kafka/config.ts';
import {
  CONSUMER_OFFSETS_TOPIC,
  DATA_TOPIC,
  partitionId,
  TRANSACTION_STATE_TOPIC,
  uncleanLeaderElectionEnabledFor,
  uncleanLeaderElectionEnabledForTopic,
} from '../../../sim/kafka/topics.ts';
import { KraftScenario } from '../../helpers/kraft-scenario.ts';
import { Scenario, type ScenarioOptions } from '../../helpers/scenario.ts';

const TXN = partitionId(TRANSACTION_STATE_TOPIC, 0);
const OFFSETS = partitionId(CONSUMER_OFFSETS_TOPIC, 0);

const OPTIONS: ScenarioOptions = {
  broker: { 'unclean.leader.election.enable': true },
  internalTopics: {
    enabled: [TRANSACTION_STATE_TOPIC, CONSUMER_OFFSETS_TOPIC],
    'transaction.state.log.num.partitions': 1,
    'offsets.topic.num.partitions': 1,
  },
};

describe('the topics unclean.leader.election.enable (topics.ts)', () => {
  it('is the broker setting except on __transaction_state, which forces it off', () => {
    for (const unclean of [false, true]) {
      const c = clusterConfig({
        broker: { 'unclean.leader.election.enable': unclean },
        internalTopics: OPTIONS.internalTopics,
      });
      expect(uncleanLeaderElectionEnabledForTopic(c, DATA_TOPIC)).toBe(unclean);
      expect(uncleanLeaderElectionEnabledFor(c, 0)).toBe(unclean);
      expect(uncleanLeaderElectionEnabledFor(c, TXN)).toBe(false);
      // GroupCoordinator.offsetsTopicConfigs sets no unclean.leader.election.enable: the broker decides.
      expect(uncleanLeaderElectionEnabledFor(c, OFFSETS)).toBe(unclean);
    }
  });
});

const modes = [
  ['ZooKeeper', () => new Scenario(OPTIONS)],
  // Before KAFKA-5642 (1.0's KafkaController.removeReplicaFromIsr) the controller kept an offline partition's last
  // ISR member only if its topic disallowed unclean election: the data partition's ISR is emptied, the
  // transaction state partition's is not (else no replica could ever lead it again).
  ['ZooKeeper before KAFKA-5642', () => new Scenario({ ...OPTIONS, protocol: { kafka5642: false, elr: false } })],
  ['KRaft', () => new KraftScenario(OPTIONS)],
] as const;

describe.each(modes)('%s mode, unclean.leader.election.enable=true on the broker', (_mode, make) => {
  it('elects the data partition uncleanly and keeps __transaction_state offline until an ISR member returns', () => {
    const s = make().start();
    // The two partitions share their assignment (each topic placed on its own indices), hence their leader.
    const leader = s.leader(0);
    expect(s.leader(TXN)).toBe(leader);
    const stale = [0, 1, 2].find((b) => b !== leader) as number;
    const third = [0, 1, 2].find((b) => b !== leader && b !== stale) as number;
    expect(s.acked(s.produce(3))).toHaveLength(3);
    // `stale` dies and leaves both ISRs; the data partition takes writes it never sees.
    s.crash(stale).run(15_000);
    expect(s.isr(0)).not.toContain(stale);
    expect(s.isr(TXN)).not.toContain(stale);
    expect(s.acked(s.produce(3))).toHaveLength(3);
    // The ISR goes down, the leader last, so that it stays the last ISR member of both partitions.
    s.world.shutdown(s.cluster.nodeOf(third));
    s.run(10_000);
    s.world.shutdown(s.cluster.nodeOf(leader));
    s.run(10_000);
    expect(s.cluster.leaderOf(0)).toBe(-1);
    expect(s.cluster.leaderOf(TXN)).toBe(-1);
    // Only the out-of-sync replica is back.
    s.restart(stale).run(20_000);
    expect(s.cluster.leaderOf(0)).toBe(stale);
    expect(s.elections(0).at(-1)).toMatchObject({ leader: stale, unclean: true });
    expect(s.cluster.leaderOf(TXN)).toBe(-1);
    expect(s.elections(TXN).some((e) => e.unclean)).toBe(false);
    // An ISR member returns: the transaction state partition is elected cleanly, with it.
    s.restart(leader).run(20_000);
    expect(s.cluster.leaderOf(TXN)).toBe(leader);
    expect(s.elections(TXN).at(-1)).toMatchObject({ leader, unclean: false });
    expect(s.elections(TXN).some((e) => e.unclean)).toBe(false);
    expect(s.monitor.unexplained()).toEqual([]);
  });
});
