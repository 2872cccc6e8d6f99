// The harness without faults: a run is valid for every checker, deterministic per seed, and its history
// survives both codecs.
import { describe, expect, it } from 'vitest';
import { checkDurability } from '../../checkers/durability/index.ts';
import { checkQueue } from '../../checkers/queue/index.ts';
import { RUN_DEFAULTS } from '../../harness/index.ts';
import { NEWEST_RELEASE } from '../../sim/kafka/releases.ts';
import { runOptions } from '../helpers/run.ts';
import { readEdnHistory, writeEdnHistory } from '../../workloads/history/edn.ts';
import { FINAL_READS_F, WORKLOAD_PROCESS } from '../../workloads/history/format.ts';
import { readJsonl, writeJsonl } from '../../workloads/history/jsonl.ts';

describe('a run without faults', () => {
  const started = performance.now();
  const run = runOptions({ seed: 3, timeSeconds: 30, nemesis: [] });
  const wallMs = performance.now() - started;

  it('gives a history the queue checker finds valid, with every acked send read at the end', () => {
    const queue = checkQueue(run.history);
    expect(queue.anomalies).toEqual([]);
    expect(queue.valid).toBe(true);
    expect(queue.stats?.unseen).toBe(0);
    expect(queue.stats?.acked).toBe(run.stats.acked);
    expect(run.stats.workload.finalReadsComplete).toBe(2);
  });

  it('is valid for the durability checker, with no truncations to report', () => {
    const durability = checkDurability(run.history, run.facts.durability);
    expect(durability.valid).toBe(true);
    // Sends acknowledged after the final phase began (the liveness probes) are not judged: the reads may be past.
    const marker = run.history.findIndex((op) => op.f === FINAL_READS_F);
    const afterMarker = run.history.filter((op, i) => i > marker && op.f === 'send' && op.type === 'ok').length;
    expect(afterMarker).toBeGreaterThanOrEqual(3);
    expect(durability.stats?.acked).toBe(run.stats.acked - afterMarker);
    expect(run.facts.durability.truncations).toEqual([]);
  });

  it('reports what happened', () => {
    expect(run.schedule.ops).toEqual([]);
    expect(run.swarmDescription).toBeUndefined();
    expect(run.stats.readyMs).toBeGreaterThan(0);
    expect(run.stats.healed).toBe(true);
    // About 20 sends per second for 30 s.
    expect(run.stats.acked).toBeGreaterThan(450);
    expect(run.stats.acked).toBeLessThan(750);
    expect(run.stats.ops).toBeGreaterThan(run.stats.acked);
    expect(run.stats.events).toBeGreaterThan(1000);
    // Main phase, 10 s settle, then the final reads (which finish within a second or so).
    expect(run.stats.simSeconds).toBeGreaterThan(40);
    expect(run.stats.simSeconds).toBeLessThan(45);
    expect(run.replicationEvents.some((e) => e.kind === 'become-leader')).toBe(true);
    expect(run.historyHash).toMatch(/^[0-9a-f]{16}$/);
    expect(wallMs).toBeLessThan(10000);
  });

  it('records the final-reads marker once, after the main phase', () => {
    const markers = run.history.filter((op) => op.process === WORKLOAD_PROCESS && op.f === FINAL_READS_F);
    expect(markers).toHaveLength(1);
    expect(markers[0].time).toBeGreaterThanOrEqual(30000 + run.stats.readyMs);
    // healAll's op comes just before it, from the nemesis process.
    expect(run.history[markers[0].index - 1]).toMatchObject({ process: 'nemesis', f: 'heal-all' });
  });

  it('describes its configuration as plain data under Kafka key names', () => {
    const c = run.config;
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    expect(c.seed).toBe(3);
    expect(c.broker['min.insync.replicas']).toBe(2);
    expect(c.broker['unclean.leader.election.enable']).toBe(false);
    expect(c.broker['zookeeper.session.timeout.ms']).toBe(6000);
    expect(c.broker['replica.lag.time.max.ms']).toBe(10000);
    expect(c.broker['flush.messages']).toBe('Infinity');
    expect(c['replication.factor']).toBe(3);
    expect(c.producer.acks).toBe('all');
    expect(c.producer['enable.idempotence']).toBe(true);
    expect(c.consumer['request.timeout.ms']).toBe(5000);
    expect(c.kafka).toBe(NEWEST_RELEASE);
    expect(c.metadata).toBe('kraft');
    expect(c.protocol.overrides).toEqual([]);
    expect(c.workload.rate).toBe(20);
    expect(c.nemesis).toEqual({ kinds: [], intensity: null, killModes: 'process' });
  });

  it('round-trips through JSON lines and EDN', () => {
    const jsonl = writeJsonl(run.history);
    expect(readJsonl(jsonl)).toEqual(run.history);
    expect(readEdnHistory(writeEdnHistory(run.history))).toEqual(run.history);
  });

  it('gives the same history, byte for byte, for the same seed', () => {
    const again = runOptions({ seed: 3, timeSeconds: 30, nemesis: [] });
    expect(writeJsonl(again.history)).toBe(writeJsonl(run.history));
    expect(again.historyHash).toBe(run.historyHash);
    expect(again.stats.events).toBe(run.stats.events);
  });

  it('gives a different history for a different seed', () => {
    const other = runOptions({ seed: 4, timeSeconds: 30, nemesis: [] });
    expect(other.historyHash).not.toBe(run.historyHash);
    expect(writeJsonl(other.history)).not.toBe(writeJsonl(run.history));
  });
});

describe('run options', () => {
  it('defaults suit a one-minute run on the newest release, its own defaults left to it', () => {
    expect(RUN_DEFAULTS).toMatchObject({
      kafka: NEWEST_RELEASE,
      brokers: 3,
      partitions: 3,
      replicationFactor: 3,
      minIsr: 2,
      timeSeconds: 60,
      nemesis: ['partition', 'kill', 'pause'],
    });
    // acks, unclean election and the metadata mode are the release's unless a run says otherwise.
    expect([RUN_DEFAULTS.acks, RUN_DEFAULTS.unclean, RUN_DEFAULTS.metadata]).toEqual([undefined, undefined, undefined]);
    expect(RUN_DEFAULTS.broker).toEqual({ 'zookeeper.session.timeout.ms': 6000, 'replica.lag.time.max.ms': 10000 });
  });

  it('passes acks, partitions and protocol modes through to the cluster and clients', () => {
    const run = runOptions({
      seed: 'opts',
      timeSeconds: 5,
      acks: 1,
      partitions: 2,
      protocol: 'pre-kip-101',
      workload: { producers: 1, consumers: 1, rate: 10 },
    });
    expect(run.config.producer.acks).toBe(1);
    expect(run.config.partitions).toBe(2);
    expect(run.config.protocol.behaviours.kip101).toBe(false);
    const keys = new Set(
      run.history
        .filter((op) => op.f === 'send' && op.type === 'invoke')
        .map((op) => (op.value as [string, number][])[0][1]),
    );
    expect([...keys].sort()).toEqual([0, 1]);
    expect(checkQueue(run.history).valid).toBe(true);
  });

  it('refuses nonsense with one line naming the option', () => {
    expect(() => runOptions({ seed: 1, minIsr: 4 })).toThrow(/min.insync.replicas/);
    expect(() => runOptions({ seed: 1, timeSeconds: 0 })).toThrow(/time/);
    expect(() => runOptions({ seed: 1, protocol: 'ancient' })).toThrow(/protocol/);
  });
});
