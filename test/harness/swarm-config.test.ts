// Swarm testing of configurations: each seed draws its own cluster and settings, from the seed alone; what
// the user gave stays; every draw is a configuration the release accepts; and the repro file records the
// drawn values, so a replay needs no draw and gives the same history.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reproRunOptions } from '../../harness/repro.ts';
import { runOnce } from '../../harness/run.ts';
import { drawConfig, withSwarmConfig } from '../../harness/swarm-config.ts';
import { testOf } from '../../harness/test.ts';

describe('--swarm-config', () => {
  it('draws the same configuration for a seed every time, and different ones across seeds', () => {
    expect(drawConfig(17)).toEqual(drawConfig(17));
    const draws = Array.from({ length: 300 }, (_, seed) => drawConfig(seed));
    expect(new Set(draws.map((d) => d.brokers))).toEqual(new Set([3, 4, 5, 6, 7]));
    const keys = ['replicationFactor', 'minIsr', 'acks', 'unclean', 'flushMessages', 'rate', 'network'] as const;
    for (const key of [...keys, 'shuffleSameTime'] as const)
      expect(new Set(draws.map((d) => d[key])).size, key).toBeGreaterThan(1);
    for (const d of draws) {
      expect(d.replicationFactor).toBeLessThanOrEqual(d.brokers);
      expect(d.minIsr).toBeLessThanOrEqual(d.replicationFactor);
    }
  });

  it('keeps what was given and fits the rest around it', () => {
    const o = withSwarmConfig({ seed: 3, swarmConfig: true, brokers: 2, acks: 1, workload: { rate: 7 } });
    expect(o.brokers).toBe(2);
    expect(o.replicationFactor).toBeLessThanOrEqual(2);
    expect(o.minIsr).toBeLessThanOrEqual(o.replicationFactor as number);
    expect(o.acks).toBe(1);
    expect(o.workload?.rate).toBe(7);
    // acks=1: no idempotence, which Kafka would refuse.
    expect(o.workload?.producer?.['enable.idempotence']).toBe(false);
    expect(withSwarmConfig({ seed: 3 })).toEqual({ seed: 3 });
    const given = withSwarmConfig({ seed: 3, swarmConfig: true, network: 'wan', shuffleSameTime: false });
    expect([given.network, given.shuffleSameTime]).toEqual(['wan', false]);
  });

  it('a network profile and same-time shuffling change the run, and it stays valid', () => {
    const base = { seed: 5, timeSeconds: 20, nemesis: ['kill' as const] };
    const lan = runOnce(base).result;
    const wan = runOnce({ ...base, network: 'wan' }).result;
    const shuffled = runOnce({ ...base, shuffleSameTime: true }).result;
    expect(runOnce({ ...base, network: 'lan', shuffleSameTime: false }).result.historyHash).toBe(lan.historyHash);
    expect(wan.historyHash).not.toBe(lan.historyHash);
    expect(shuffled.historyHash).not.toBe(lan.historyHash);
    expect([lan.valid, wan.valid, shuffled.valid]).toEqual([true, true, true]);
    expect([wan.config.network, shuffled.config.shuffleSameTime]).toEqual(['wan', true]);
    expect(() => testOf({ seed: 5, network: 'moon' as 'lan' })).toThrow(/network must be one of lan, jittery, wan/);
  });

  it('draws, on every release, a configuration the release accepts; drawing twice changes nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom('0.10.2', '0.11.0', '1.1', '2.4', '3.9', '4.4'),
        (seed, kafka) => {
          const once = withSwarmConfig({ seed, kafka, swarmConfig: true });
          expect(withSwarmConfig(once)).toEqual(once);
          const test = testOf(once);
          expect(test.cluster.brokers).toBe(once.brokers);
          expect(test.workload.producer.acks).toBe(once.acks);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('records the drawn values in the repro file, which replays to the same history', () => {
    const run = runOnce({ seed: 11, swarmConfig: true, timeSeconds: 5 });
    const recorded = reproRunOptions(run.repro);
    const drawn = drawConfig(11);
    expect(recorded.brokers).toBe(drawn.brokers);
    expect(recorded.acks).toBe(drawn.acks);
    expect(run.output.test.cluster.brokers).toBe(drawn.brokers);
    expect(runOnce(recorded).result.historyHash).toBe(run.result.historyHash);
  });
});

describe('--swarm-config with the txn workload', () => {
  it('keeps acks=all and idempotence, and draws every other setting as for the queue workload', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const queue = withSwarmConfig({ seed, swarmConfig: true });
      const txn = withSwarmConfig({ seed, swarmConfig: true, workloadKind: 'txn' });
      expect(txn.acks).toBe('all');
      expect(txn.workload?.producer?.['enable.idempotence']).toBe(true);
      const { acks: _a, workloadKind: _k, workload: tw, ...txnRest } = txn;
      const { acks: _b, workload: qw, ...queueRest } = queue;
      expect(txnRest).toEqual(queueRest);
      expect(tw?.producers).toBe(qw?.producers);
      // Every draw is a test the harness accepts.
      expect(testOf(txn).workload.producer.acks).toBe('all');
    }
  });
});
