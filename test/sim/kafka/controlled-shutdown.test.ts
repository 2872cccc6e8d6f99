// Controlled shutdown in ZooKeeper mode, step by step: the broker asked to stop (SIGTERM) sends ControlledShutdown
// to the controller (KafkaServer.controlledShutdown), which elects new leaders for what it leads and takes it out of
// the ISRs it follows in (KafkaController.doControlledShutdown) before it stops; attempts that cannot move every
// leadership are retried controlled.shutdown.max.retries times, controlled.shutdown.retry.backoff.ms apart. Each
// test's title names the Kafka class and method it follows, and the release whose behaviour it shows.
import { describe, expect, it } from 'vitest';
import type { ReplicationEvent } from '../../../sim/events/index.ts';
import type { KafkaBehaviours } from '../../../sim/kafka/protocol.ts';
import { releaseOf } from '../../../sim/kafka/releases.ts';
import type { ScenarioOptions } from '../../helpers/scenario.ts';
import { Scenario } from '../../helpers/scenario.ts';

function zk(version: string, o: ScenarioOptions = {}, overrides: Partial<KafkaBehaviours> = {}): Scenario {
  return new Scenario({ partitions: 3, ...o, protocol: { ...releaseOf(version).behaviours, ...overrides } }).start();
}

type Election = Extract<ReplicationEvent, { kind: 'election' }>;
const elections = (s: Scenario, from: number): Election[] =>
  s.events.filter((e): e is Election => e.kind === 'election' && e.time >= from);

/** Who the active controller says leads each partition, and its ISR. */
function controllerView(s: Scenario) {
  return s.cluster.activeController()?.controller?.describe().partitions ?? [];
}

describe('controlled shutdown (ZooKeeper mode)', () => {
  it(
    'KafkaServer.controlledShutdown and KafkaController.doControlledShutdown (3.9): leadership moves and the ' +
      'broker leaves every ISR before it stops; no acks=all write is lost',
    () => {
      const s = zk('3.9');
      const stopping = 1;
      const led = [0, 1, 2].filter((p) => s.leader(p) === stopping);
      expect(led).toEqual([1]);
      const from = s.world.now;
      let atExit: ReturnType<typeof controllerView> = [];
      // The broker is asked to stop while sends to the partition it leads keep coming.
      s.world.at(from + 100, () => s.world.terminate(s.cluster.nodeOf(stopping), () => (atExit = controllerView(s))));
      const sent = s.produce(40, { partition: 1, everyMs: 10 });
      const acked = s.acked(sent);
      expect(acked.length).toBe(40);
      // By the time it stopped, the controller had moved its leadership away and dropped it from every ISR.
      expect(atExit.length).toBe(3);
      for (const p of atExit) {
        expect(p.leader).not.toBe(stopping);
        expect(p.isr).not.toContain(stopping);
      }
      const moved = elections(s, from);
      expect(moved.map((e) => [e.partition, e.previousLeader, e.reason])).toEqual([[1, 1, 'controlled shutdown']]);
      // The new leader was chosen from the ISR left, in assignment order (replicas of partition 1: [1, 2, 0]).
      expect(moved[0].leader).toBe(2);
      expect(moved[0].unclean).toBe(false);
      s.restart(stopping).run(15_000);
      expect(s.log(s.leader(1), 1)).toEqual(expect.arrayContaining(acked));
      expect(s.isr(1)).toEqual([0, 1, 2]);
      expect(s.monitor.violations).toEqual([]);
    },
  );

  it(
    'KafkaServer.shutdown with controlled.shutdown.enable=false: the broker stops at once still leading; its ' +
      'partition is elected only once the controller sees its registration go',
    () => {
      const s = zk('3.9', { broker: { 'controlled.shutdown.enable': false } });
      const from = s.world.now;
      let atExit: ReturnType<typeof controllerView> = [];
      s.world.terminate(s.cluster.nodeOf(1), () => (atExit = controllerView(s)));
      s.run(1000);
      expect(atExit.find((p) => p.partition === 1)?.leader).toBe(1);
      expect(elections(s, from).map((e) => e.reason)).toEqual(['broker failure [1]']);
      expect(s.leader(1)).toBe(2);
    },
  );

  for (const version of ['3.0', '3.9']) {
    it(
      `KafkaServer.controlledShutdown (${version}): when no other ISR member can lead, each of the ` +
        'controlled.shutdown.max.retries attempts fails, controlled.shutdown.retry.backoff.ms apart' +
        (version === '3.0' ? ', the last one followed by a backoff too' : ' (none after the last, PR 11246)') +
        ', then the broker stops anyway',
      () => {
        const s = zk(version);
        // Brokers 0 and 2 die: broker 1 is the controller and the last ISR member of every partition.
        s.crash(0).crash(2).run(10_000);
        expect([0, 1, 2].map((p) => s.isr(p))).toEqual([[1], [1], [1]]);
        const took = s.stop(1);
        // Three attempts answered at once (every partition still led by 1), with two or three 5 s backoffs.
        const backoffs = version === '3.0' ? 3 : 2;
        expect(took).toBeGreaterThanOrEqual(backoffs * 5000);
        expect(took).toBeLessThan(backoffs * 5000 + 1000);
        const failed = s.world.trace.entries().filter((e) => e.kind === 'controlled-shutdown');
        expect(failed.filter((e) => e.detail.startsWith('attempt failed')).length).toBe(3);
      },
    );
  }

  for (const version of ['0.8.2', '0.10.2']) {
    it(
      'ControlledShutdownLeaderSelector ' +
        (version === '0.8.2'
          ? 'before KAFKA-3670 (0.8.2): the head of the ISR'
          : 'with KAFKA-3670 (0.10.2): the first replica in assignment order') +
        ' left without the shutting-down broker leads',
      () => {
        const s = zk(version, { broker: { 'unclean.leader.election.enable': false } });
        // Partition 1 (replicas [1, 2, 0]): broker 2 leaves the ISR and joins again, which sorts it: [0, 1, 2].
        s.world.net.cutBoth(s.cluster.nodeOf(1), s.cluster.nodeOf(2));
        s.produce(3, { partition: 1 });
        s.run(15_000);
        expect(s.isr(1)).toEqual([0, 1]);
        s.world.net.heal();
        s.run(5000);
        const isr = s.cluster.broker(1)?.partitions.get(1)?.isr;
        expect(isr).toEqual([0, 1, 2]);
        const from = s.world.now;
        expect(s.stop(1)).toBeGreaterThanOrEqual(0);
        const moved = elections(s, from).filter((e) => e.reason === 'controlled shutdown');
        expect(moved.map((e) => e.leader)).toEqual([version === '0.8.2' ? 0 : 2]);
      },
    );
  }
});
