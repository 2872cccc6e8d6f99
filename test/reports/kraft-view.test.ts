// The report's KRaft quorum view, from hand-written Raft events and from a real KRaft run: leaderships end
// at a resignation, a newer epoch, a restart or a crash; elections and candidacies are counted; a broker is
// fenced from its registration until unfenced; offsets are steps per broker.
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../harness/run.ts';
import { runReportData } from '../../harness/report-data.ts';
import { keptForKraftView, kraftView } from '../../reports/kraft-view.ts';
import type { RaftEvent } from '../../sim/events/index.ts';

const state = (time: number, voter: number, epoch: number, role: 'leader' | 'candidate' | 'follower' | 'resigned') =>
  ({ kind: 'raft-state', time, voter, epoch, role, leader: role === 'leader' ? voter : -1, votedFor: -1 }) as const;

describe('kraftView', () => {
  it('ends a leadership when its leader resigns, crashes or restarts, or a newer epoch begins', () => {
    const events: RaftEvent[] = [
      state(10, 3001, 1, 'candidate'),
      state(12, 3001, 1, 'leader'),
      state(100, 3002, 2, 'candidate'), // a newer epoch: 3001 leads no more
      state(105, 3002, 2, 'leader'),
      state(200, 3002, 2, 'resigned'),
      state(210, 3003, 3, 'candidate'),
      state(215, 3003, 3, 'leader'),
      { kind: 'raft-start', time: 400, voter: 3003, epoch: 3, logEndOffset: 9 },
      state(500, 3001, 4, 'candidate'),
      state(502, 3001, 4, 'leader'),
    ];
    const view = kraftView(events, [{ voter: 3003, time: 300 }], 1000);
    expect(view.voters).toEqual([3001, 3002, 3003]);
    expect(view.leaderships).toEqual([
      { voter: 3001, epoch: 1, from: 12, to: 100 },
      { voter: 3002, epoch: 2, from: 105, to: 200 },
      // Crashed at 300, before its restart at 400.
      { voter: 3003, epoch: 3, from: 215, to: 300 },
      { voter: 3001, epoch: 4, from: 502, to: 1000 },
    ]);
    expect(view.elections.map((e) => [e.voter, e.epoch])).toEqual([
      [3001, 1],
      [3002, 2],
      [3003, 3],
      [3001, 4],
    ]);
    expect(view.candidacies).toBe(4);
  });

  it('ignores a leader of an older epoch reported after a newer one began', () => {
    const view = kraftView([state(10, 3002, 5, 'candidate'), state(11, 3001, 4, 'leader')], [], 50);
    expect(view.leaderships).toEqual([]);
  });

  it('draws a broker fenced from registration to unfencing, and a controlled shutdown to the end', () => {
    const reg = (time: number, change: 'registered' | 'fenced' | 'unfenced' | 'controlled-shutdown', epoch: number) =>
      ({ kind: 'broker-registration', time, broker: 1, brokerEpoch: epoch, change, offset: time }) as const;
    const view = kraftView(
      [reg(5, 'registered', 4), reg(9, 'unfenced', 4), reg(50, 'fenced', 4), reg(70, 'registered', 12)],
      [],
      100,
    );
    // Fenced at 50 and registered again at 70 (still fenced): one span, from 50 to the end of the run.
    expect(view.registrations).toEqual([
      { broker: 1, state: 'fenced', from: 5, to: 9, brokerEpoch: 4 },
      { broker: 1, state: 'fenced', from: 50, to: 100, brokerEpoch: 4 },
    ]);
    const shutdown = kraftView(
      [reg(5, 'registered', 4), reg(9, 'unfenced', 4), reg(60, 'controlled-shutdown', 4)],
      [],
      80,
    );
    expect(shutdown.registrations[1]).toEqual({
      broker: 1,
      state: 'controlled-shutdown',
      from: 60,
      to: 80,
      brokerEpoch: 4,
    });
  });

  it("keeps each broker's applied offset and the leader's high watermark as steps", () => {
    const applied = (time: number, broker: number, offset: number) =>
      ({ kind: 'metadata-applied', time, broker, offset, digest: 'd' }) as const;
    const view = kraftView(
      [
        applied(1, 0, 0),
        applied(1, 0, 1),
        applied(2, 1, 0),
        { kind: 'metadata-snapshot', time: 9, broker: 1, endOffset: 40, epoch: 2 },
        { kind: 'raft-hw', time: 3, voter: 3001, leader: true, epoch: 1, highWatermark: 2 },
      ],
      [],
      10,
    );
    expect(view.applied).toEqual([
      { broker: 0, points: [{ time: 1, value: 2 }] },
      {
        broker: 1,
        points: [
          { time: 2, value: 1 },
          { time: 9, value: 40 },
        ],
      },
    ]);
    expect(view.highWatermark).toEqual([{ time: 3, value: 2 }]);
  });

  it('keeps only the Raft events it draws (a follower high watermark, appends and truncations are left)', () => {
    expect(keptForKraftView({ kind: 'raft-hw', time: 1, voter: 1, leader: false, epoch: 1, highWatermark: 1 })).toBe(
      false,
    );
    expect(keptForKraftView({ kind: 'raft-append', time: 1, voter: 1, entries: [] })).toBe(false);
    expect(keptForKraftView(state(1, 1, 1, 'leader'))).toBe(true);
  });
});

describe('a KRaft run report', () => {
  it('holds the quorum view: an election, every broker registered and unfenced, offsets up to the quorum HW', () => {
    const run = runOnce({ seed: 3, metadata: 'kraft', nemesis: ['kill', 'kill-all', 'partition'], timeSeconds: 30 });
    const data = runReportData(run.output, run.result, 'npx kafkasim run --seed 3');
    const k = data.kraft;
    expect(k).toBeDefined();
    if (k === undefined) return;
    expect(k.voters).toEqual([3001, 3002, 3003]);
    expect(k.elections.length).toBeGreaterThanOrEqual(1);
    // Every broker registered fenced, then was unfenced: a closed span per broker at the start.
    const firstSpans = new Map<number, number>();
    for (const r of k.registrations) if (!firstSpans.has(r.broker)) firstSpans.set(r.broker, r.to - r.from);
    expect([...firstSpans.keys()].sort()).toEqual([0, 1, 2]);
    // No broker applied past what the quorum committed.
    const hw = Math.max(...k.highWatermark.map((p) => p.value));
    for (const a of k.applied) for (const p of a.points) expect(p.value).toBeLessThanOrEqual(hw);
    // kill-all crashed the controllers too: a leadership ended before the run did.
    expect(k.leaderships.some((l) => l.to < data.endMs)).toBe(true);
  });

  it('has no quorum view in ZooKeeper mode', () => {
    const run = runOnce({ seed: 3, kafka: '3.9', metadata: 'zk', timeSeconds: 10 });
    expect(runReportData(run.output, run.result, 'x').kraft).toBeUndefined();
  });
});
