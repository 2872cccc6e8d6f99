// The pure pieces behind the report pages: partition timelines and Kafka's health metrics from
// replication events, offline time, op pairing and downsampling, nemesis bands, produce figures and the
// comparison's headline.
import { describe, expect, it } from 'vitest';
import { bootstrapMeanInterval, headline } from '../../reports/compare-summary.ts';
import type { CompareSide } from '../../reports/compare-data.ts';
import type { ReplicationEvent } from '../../sim/events/index.ts';
import { withCrashes } from '../../reports/events.ts';
import { faultBands } from '../../reports/faults.ts';
import { healthMetrics, offlineMs, partitionTimelines, replicationMetrics } from '../../reports/metrics.ts';
import { pairOps, sampleOps, throughput, type OpRow } from '../../reports/ops.ts';
import { produceStats } from '../../reports/produce.ts';
import { StepSeries, thinSteps } from '../../reports/series.ts';
import type { History, Op } from '../../workloads/history/format.ts';
import { realRun } from '../helpers/report-fixtures.ts';

/** One partition on brokers 0..2: 0 leads, is killed at 1000, 1 is elected cleanly at 7000; 1 then
 * loses it to an unclean election of 2 at 9000 after the controller marks it offline at 8000. */
function story(): ReplicationEvent[] {
  return [
    { kind: 'broker-state', time: 0, broker: 0, state: 'running' },
    { kind: 'controller', time: 1, broker: 0, controllerEpoch: 1, active: true },
    { kind: 'become-leader', time: 10, broker: 0, partition: 0, leaderEpoch: 0, isr: [0, 1, 2] },
    { kind: 'become-follower', time: 10, broker: 1, partition: 0, leaderEpoch: 0, leader: 0 },
    { kind: 'become-follower', time: 10, broker: 2, partition: 0, leaderEpoch: 0, leader: 0 },
    { kind: 'append', time: 100, broker: 0, partition: 0, baseOffset: 0, values: [1, 2, 3], epoch: 0, asLeader: true },
    { kind: 'log-end-offset', time: 100, broker: 0, partition: 0, logEndOffset: 3 },
    { kind: 'log-end-offset', time: 150, broker: 1, partition: 0, logEndOffset: 1 },
    { kind: 'high-watermark', time: 150, broker: 0, partition: 0, highWatermark: 1 },
    { kind: 'isr-change', time: 500, broker: 0, partition: 0, isr: [0, 1], partitionEpoch: 1, change: 'shrink' },
    { kind: 'broker-state', time: 1000, broker: 0, state: 'crashed' },
    { kind: 'controller', time: 6500, broker: 1, controllerEpoch: 2, active: true },
    {
      kind: 'election',
      time: 7000,
      controller: 1,
      controllerEpoch: 2,
      partition: 0,
      leader: 1,
      leaderEpoch: 1,
      isr: [1],
      unclean: false,
      previousLeader: 0,
      reason: 'broker failure',
    },
    { kind: 'offline', time: 8000, controller: 1, partition: 0, leaderEpoch: 1, reason: 'no live replica in ISR' },
    {
      kind: 'election',
      time: 9000,
      controller: 1,
      controllerEpoch: 2,
      partition: 0,
      leader: 2,
      leaderEpoch: 2,
      isr: [2],
      unclean: true,
      previousLeader: 1,
      reason: 'unclean',
    },
  ];
}

describe('partition timelines and health metrics', () => {
  it('follows the leader, with no live leader from the crash to the election', () => {
    const [t] = partitionTimelines(story(), 1, 10_000);
    expect(t.leaders.map((l) => [l.start, l.end, l.leader])).toEqual([
      [10, 1000, 0],
      [1000, 7000, -1],
      [7000, 8000, 1],
      [8000, 9000, -1],
      [9000, 10_000, 2],
    ]);
    expect(t.elections.map((e) => [e.time, e.unclean])).toEqual([
      [7000, false],
      [9000, true],
    ]);
    expect(t.isrSize.map((p) => p.value)).toEqual([3, 2, 0, 1, 0, 1, 1]);
    expect(t.highWatermark.find((p) => p.time === 150)?.value).toBe(1);
    expect(t.logEndOffsets.map((l) => [l.broker, l.points[l.points.length - 1].value])).toEqual([
      [0, 3],
      [1, 1],
    ]);
  });

  it('computes offline time from a leader stopping to a new one, excluding startup', () => {
    expect(offlineMs(story(), 1, 10_000)).toBe(6000 + 1000);
    expect(offlineMs(story(), 1, 7500)).toBe(6000);
    expect(healthMetrics(story(), 1, 3, 10_000).offlineMs).toBe(7000);
  });

  it("reports Kafka's metrics: URP, offline partitions, ISR shrinks, MaxLag, active controllers", () => {
    const h = healthMetrics(story(), 1, 3, 10_000);
    const at = (points: { time: number; value: number }[], time: number): number =>
      [...points].reverse().find((p) => p.time <= time)?.value ?? NaN;
    expect(at(h.underReplicatedPartitions, 400)).toBe(0);
    expect(at(h.underReplicatedPartitions, 600)).toBe(1);
    expect(at(h.offlinePartitionsCount, 5000)).toBe(0); // the controller has not noticed yet
    expect(at(h.partitionsWithoutLiveLeader, 5000)).toBe(1);
    expect(at(h.offlinePartitionsCount, 8500)).toBe(1);
    expect(at(h.maxLag, 200)).toBe(3); // broker 2 at 0, leader at 3
    expect(at(h.activeControllerCount, 500)).toBe(1);
    expect(at(h.activeControllerCount, 2000)).toBe(0); // the controller crashed with broker 0
    expect(h.isrShrinksPerSec.reduce((n, p) => n + p.value, 0)).toBe(1);
  });

  it('agrees with itself on a real run: offlineMs equals the integrated health figure', () => {
    const run = realRun();
    const events = withCrashes(run.output.replicationEvents, run.output.brokerCrashes);
    const end = run.output.history[run.output.history.length - 1].time;
    expect(healthMetrics(events, 3, 3, end).offlineMs).toBeCloseTo(offlineMs(events, 3, end), 3);
  });

  it('gives the same timelines and health in one pass as in two', () => {
    const run = realRun();
    const events = withCrashes(run.output.replicationEvents, run.output.brokerCrashes);
    const end = run.output.history[run.output.history.length - 1].time;
    expect(replicationMetrics(events, 3, 2, 3, end)).toEqual({
      timelines: partitionTimelines(events, 2, end),
      health: healthMetrics(events, 3, 3, end),
    });
  });

  it('merges crashes into the events in time order', () => {
    const merged = withCrashes(story(), [{ broker: 2, time: 150 }]);
    const i = merged.findIndex((e) => e.kind === 'broker-state' && e.state === 'crashed' && e.broker === 2);
    expect(merged[i - 1].time).toBeLessThanOrEqual(150);
    expect(merged[i + 1].time).toBeGreaterThan(150);
  });
});

describe('series', () => {
  it('dedupes equal values and equal times', () => {
    const s = new StepSeries();
    s.set(0, 1);
    s.set(1, 1);
    s.set(2, 2);
    s.set(2, 3);
    expect(s.close(5)).toEqual([
      { time: 0, value: 1 },
      { time: 2, value: 3 },
      { time: 5, value: 3 },
    ]);
  });

  it('thins long series but keeps every bucket’s extremes', () => {
    const points = Array.from({ length: 100_000 }, (_, i) => ({ time: i, value: i === 54_321 ? -5 : i % 7 }));
    const thin = thinSteps(points, 400);
    expect(thin.length).toBeLessThanOrEqual(400);
    expect(thin.some((p) => p.value === -5)).toBe(true);
    expect(thin[0]).toEqual(points[0]);
    expect(thin[thin.length - 1]).toEqual(points[points.length - 1]);
  });
});

function op(h: History, process: Op['process'], type: Op['type'], f: string, value: Op['value'], error?: string): void {
  const o: Op = { index: h.length, time: h.length * 10, process, type, f, value };
  if (error !== undefined) o.error = error;
  h.push(o);
}

describe('ops', () => {
  it('pairs invocations with completions and leaves open ones as info', () => {
    const h: History = [];
    op(h, 0, 'invoke', 'send', [['send', 0, 1]]);
    op(h, 'nemesis', 'info', 'start-kill', { id: 0, nodes: ['b0'] });
    op(h, 0, 'ok', 'send', [['send', 0, [0, 1]]]);
    op(h, 1, 'invoke', 'send', [['send', 0, 2]]);
    op(h, 1, 'fail', 'send', [['send', 0, 2]], 'NOT_ENOUGH_REPLICAS');
    op(h, 2, 'invoke', 'poll', [['poll']]);
    const rows = pairOps(h, new Set([4]));
    expect(rows.map((r) => [r.index, r.completion, r.type, r.anomalous, r.error])).toEqual([
      [0, 2, 'ok', false, null],
      [3, 4, 'fail', true, 'NOT_ENOUGH_REPLICAS'],
      [5, -1, 'info', false, 'never completed'],
    ]);
    expect(throughput(rows, 60).points.reduce((n, p) => n + p.rate, 0)).toBe(2);
  });

  it('samples beyond the limit, keeping every anomalous op and some ok ones', () => {
    const rows: OpRow[] = Array.from({ length: 50_000 }, (_, i) => ({
      index: i,
      completion: i,
      process: i % 5,
      f: 'send',
      type: i % 10 === 0 ? 'info' : 'ok',
      start: i,
      end: i + 1,
      error: null,
      value: '',
      anomalous: i % 997 === 0,
    }));
    const kept = sampleOps(rows, 10_000);
    expect(kept.length).toBeLessThanOrEqual(10_000 + 51);
    expect(kept.filter((r) => r.anomalous)).toHaveLength(rows.filter((r) => r.anomalous).length);
    expect(kept.filter((r) => r.type === 'ok').length).toBeGreaterThan(2000);
    expect(kept.map((r) => r.index)).toEqual([...kept.map((r) => r.index)].sort((a, b) => a - b));
  });

  it('shades a fault from its start to its last stop or step, skipping no-ops', () => {
    const h: History = [];
    op(h, 'nemesis', 'info', 'start-kill', { id: 0, nodes: ['b0'] });
    op(h, 'nemesis', 'info', 'start-kill', { id: 0, noop: true, reason: 'already active' });
    op(h, 'nemesis', 'info', 'start-pause', { id: 1, nodes: ['b1'] });
    op(h, 'nemesis', 'info', 'stop-kill', { id: 0, restarted: [] });
    op(h, 'nemesis', 'info', 'step-kill', { id: 0, restarted: ['b0'] });
    op(h, 'nemesis', 'info', 'heal-all', { faults: [{ id: 1, kind: 'pause' }] });
    expect(faultBands(h, 100).map((b) => [b.id, b.kind, b.start, b.end])).toEqual([
      [0, 'kill', 0, 40],
      [1, 'pause', 20, 50],
    ]);
    expect(faultBands(h, 100)[0].detail).toContain('b0');
  });

  it('names the nodes each fault hit, wherever its value names them, for its lane', () => {
    const h: History = [];
    op(h, 'nemesis', 'info', 'start-partition', { id: 0, mode: 'isolate', groups: [['b10'], ['b2', 'b0']] });
    op(h, 'nemesis', 'info', 'start-outage', { id: 1, partition: 2, crashed: [{ node: 'b1', logEndOffset: 4 }] });
    op(h, 'nemesis', 'info', 'start-zk', { id: 2, mode: 'session-expiry' });
    expect(faultBands(h, 100).map((b) => b.nodes)).toEqual([['b0', 'b2', 'b10'], ['b1'], []]);
  });

  it('counts sends and their latency percentiles', () => {
    const h: History = [];
    op(h, 0, 'invoke', 'send', []);
    op(h, 0, 'ok', 'send', []);
    op(h, 1, 'invoke', 'poll', []);
    op(h, 1, 'ok', 'poll', []);
    op(h, 0, 'invoke', 'send', []);
    op(h, 0, 'info', 'send', [], 'REQUEST_TIMED_OUT');
    op(h, 2, 'invoke', 'send', []);
    expect(produceStats(h)).toEqual({
      unit: 'send',
      sends: 3,
      ok: 1,
      fail: 0,
      info: 2,
      successRate: 1 / 3,
      p50Ms: 10,
      p99Ms: 10,
    });
  });

  it('counts transactions, not their sends, in a transactional history', () => {
    const h: History = [];
    op(h, 0, 'invoke', 'txn', [['send', 0, 1]]);
    op(h, 0, 'ok', 'txn', [['send', 0, [0, 1]]]);
    op(h, 1, 'invoke', 'txn', [['send', 1, 2]]);
    op(h, 1, 'fail', 'txn', [['send', 1, 2]]);
    op(h, 2, 'invoke', 'txn', [['poll']]);
    expect(produceStats(h)).toMatchObject({ unit: 'transaction', sends: 3, ok: 1, fail: 1, info: 1 });
  });
});

function side(lost: number, offlineMs: number, ok: number, p99: number): CompareSide {
  return {
    valid: lost === 0,
    anomalies: lost === 0 ? {} : { 'acked-write-lost': lost },
    acked: 100,
    lostAcked: lost,
    offlineMs,
    produce: { sends: 100, ok, fail: 100 - ok, info: 0, successRate: ok / 100, p50Ms: 5, p99Ms: p99 },
    elections: 3,
    uncleanElections: lost === 0 ? 0 : 1,
    historyHash: '0',
  };
}

describe('compare headline', () => {
  it('says what unclean election bought and what it cost', () => {
    const text = headline([
      { seed: 1, clean: side(0, 20_000, 80, 9000), unclean: side(5, 2000, 95, 3000) },
      { seed: 2, clean: side(0, 10_000, 90, 8000), unclean: side(0, 1000, 97, 2000) },
    ]);
    expect(text).toMatch(/^Over 2 seeds with identical fault schedules \(too few for the intervals to say much\)/);
    // The mean per-seed difference (-18 s and -9 s) and its bootstrap interval: resamples of two seeds
    // have means -18, -13.5 or -9.
    expect(text).toMatch(
      /bought partitions offline 3\.0 s instead of 30\.0 s \(per seed -13\.5 s, 95% interval -18\.0 s to -9\.0 s\)/,
    );
    expect(text).toMatch(/produce success rate of 96\.0% \(192 of 200 sends\) instead of 85\.0% \(170 of 200\)/);
    expect(text).toContain(
      'cost 5 acknowledged writes lost on 1 of 2 seeds (clean election: 0 on 0) ' +
        '(per seed +2.5, 95% interval 0.0 to +5.0)',
    );
  });

  it('words a transactional comparison in transactions', () => {
    const txn = (s: CompareSide): CompareSide => ({ ...s, produce: { ...s.produce, unit: 'transaction' } });
    const text = headline([{ seed: 1, clean: txn(side(0, 20_000, 80, 9000)), unclean: txn(side(5, 2000, 95, 3000)) }]);
    expect(text).toMatch(
      /transaction commit rate of 95\.0% \(95 of 100 transactions\) instead of 80\.0% \(80 of 100\)/,
    );
    expect(text).toContain('a median p99 transaction latency of');
    expect(text).not.toMatch(/sends|send latency/);
  });

  it('gives the bootstrap interval of a mean over seeds, narrower with more seeds', () => {
    expect(bootstrapMeanInterval([3])).toBeNull();
    const few = bootstrapMeanInterval([0, 10, 0, 10]);
    const many = bootstrapMeanInterval(Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 0 : 10)));
    expect(few?.[0]).toBeGreaterThanOrEqual(0);
    expect(few?.[1]).toBeLessThanOrEqual(10);
    expect(many?.[0]).toBeGreaterThan(4);
    expect(many?.[1]).toBeLessThan(6);
    expect((many?.[1] ?? 0) - (many?.[0] ?? 0)).toBeLessThan((few?.[1] ?? 0) - (few?.[0] ?? 0));
  });

  it('says so when it made no measurable difference', () => {
    expect(headline([{ seed: 1, clean: side(0, 0, 90, 100), unclean: side(0, 0, 90, 100) }])).toMatch(
      /bought nothing measurable, and cost nothing measurable/,
    );
  });
});
