// KIP-835 (3.3.0, MV 3.3-IV1): the active controller appends a NoOpRecord every metadata.max.idle.interval.ms
// (500 ms by default; QuorumController.maybeScheduleNextWriteNoOpRecord, checked at 3.3.1, 3.5.0 and 3.9.0), so
// the metadata log's high watermark moves on while the cluster is idle, brokers' applied offsets follow it
// (MetadataDelta.replay: NO_OP_RECORD changes nothing but the offset), and a voter cut off from the leader falls
// behind by committed entries, which is what a Raft vote's log check exists for. kafkasim models KRaft from 3.4,
// which has it; the releases before it (3.2 and earlier KRaft) are `--protocol -kip835`.
import { describe, expect, it } from 'vitest';
import { controllerNode } from '../../../../sim/kafka/kraft/config.ts';
import type { KraftConfig } from '../../../../sim/kafka/kraft/config.ts';
import type { KafkaBehaviours } from '../../../../sim/kafka/protocol.ts';
import { NEWEST_RELEASE, releaseOf } from '../../../../sim/kafka/releases.ts';
import { KraftScenario } from '../../../helpers/kraft-scenario.ts';

/** A quiet KRaft cluster (no clients) of `version`, started and left to settle: every broker registered. */
function idle(version: string, protocol: Partial<KafkaBehaviours> = {}, kraft: Partial<KraftConfig> = {}) {
  const s = new KraftScenario({ protocol: { ...releaseOf(version).behaviours, ...protocol }, kraft }).start();
  s.run(10_000);
  return s;
}

/** The active controller's Raft client. */
const leaderRaft = (s: KraftScenario) => s.controller(s.activeController()).raft;

/** Every broker's applied metadata offset. */
const applied = (s: KraftScenario): number[] => [0, 1, 2].map((b) => s.cluster.broker(b)?.kraft?.metadataOffset ?? -1);

/** The types of the leader's log entries in [from, to). */
function recordTypes(s: KraftScenario, from: number, to: number): string[] {
  const log = leaderRaft(s).log;
  const types: string[] = [];
  for (let o = from; o < to; o++) types.push(log.entryAt(o)?.record.type ?? 'missing');
  return types;
}

/** Runs until the leader's high watermark moves, then half an interval more: away from the next no-op. */
function settleBetweenNoOps(s: KraftScenario): void {
  const hw = leaderRaft(s).highWatermark;
  s.world.runUntil(() => leaderRaft(s).highWatermark > hw, { maxEvents: 1_000_000 });
  s.run(250);
}

describe('KIP-835: QuorumController.maybeScheduleNextWriteNoOpRecord (WriteNoOpRecord event)', () => {
  for (const version of ['3.4', NEWEST_RELEASE]) {
    it(
      `on ${version}, an idle controller appends a NoOpRecord every 500 ms: the high watermark moves one each ` +
        'time, and every broker applied offset follows (MetadataDelta.replay NO_OP_RECORD)',
      () => {
        const s = idle(version);
        expect(s.cluster.config.kraft['metadata.max.idle.interval.ms']).toBe(500);
        settleBetweenNoOps(s);
        const hw0 = leaderRaft(s).highWatermark;
        expect(applied(s)).toEqual([hw0, hw0, hw0]);
        const seen: number[] = [];
        for (let i = 0; i < 10; i++) {
          s.run(500);
          seen.push(leaderRaft(s).highWatermark - hw0);
          // Each broker has fetched the committed no-op within the same half-interval.
          expect(applied(s)).toEqual(Array(3).fill(hw0 + i + 1));
        }
        expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        // Nothing but no-ops was written, and every voter holds them (a follower learns the high watermark on
        // its next fetch, so it may trail the leader's by the last one).
        expect(recordTypes(s, hw0, hw0 + 10)).toEqual(Array(10).fill('NoOpRecord'));
        for (const v of s.voters) {
          const raft = s.controller(v).raft;
          expect(raft.log.endOffset).toBe(hw0 + 10);
          expect(raft.highWatermark).toBeGreaterThanOrEqual(hw0 + 9);
        }
        expect(s.raft.violations).toEqual([]);
      },
    );
  }

  it('before KIP-835 (3.2 and earlier, --protocol -kip835) an idle quorum commits nothing for 5 s', () => {
    const s = idle('3.4', { kip835: false });
    const hw0 = leaderRaft(s).highWatermark;
    const end0 = leaderRaft(s).log.endOffset;
    expect(applied(s)).toEqual([hw0, hw0, hw0]);
    s.run(5000);
    expect([leaderRaft(s).highWatermark, leaderRaft(s).log.endOffset]).toEqual([hw0, end0]);
    expect(applied(s)).toEqual([hw0, hw0, hw0]);
  });

  it('metadata.max.idle.interval.ms sets the interval; 0 writes none (KafkaConfig.metadataMaxIdleIntervalNs)', () => {
    const fast = idle(NEWEST_RELEASE, {}, { 'metadata.max.idle.interval.ms': 200 });
    settleBetweenNoOps(fast);
    const hw = leaderRaft(fast).highWatermark;
    fast.run(2000);
    expect(leaderRaft(fast).highWatermark - hw).toBe(10);
    const none = idle(NEWEST_RELEASE, {}, { 'metadata.max.idle.interval.ms': 0 });
    const hw0 = leaderRaft(none).highWatermark;
    none.run(3000);
    expect(leaderRaft(none).highWatermark).toBe(hw0);
  });

  it('a new active controller writes them in its epoch; the old stops at renounce (cancelNextWriteNoOpRecord)', () => {
    const s = idle(NEWEST_RELEASE);
    const old = s.activeController();
    const oldEpoch = leaderRaft(s).epoch;
    s.world.pause(controllerNode(old));
    s.world.runUntil(() => s.activeController() >= 0 && s.activeController() !== old, { maxEvents: 1_000_000 });
    settleBetweenNoOps(s);
    const hw = leaderRaft(s).highWatermark;
    s.run(2000);
    expect(leaderRaft(s).epoch).toBeGreaterThan(oldEpoch);
    const fresh = leaderRaft(s).log.entries.filter((e) => e.offset >= hw && e.offset < hw + 4);
    expect(fresh.map((e) => [e.record.type, e.epoch])).toEqual(Array(4).fill(['NoOpRecord', leaderRaft(s).epoch]));
    // Resumed, the deposed controller learns the new epoch: whatever no-op its old timer appended is truncated,
    // and its log past the failover holds the new leader's entries only.
    s.world.resume(controllerNode(old));
    s.run(3000);
    expect(s.controller(old).isActive).toBe(false);
    const tail = s.controller(old).raft.log.entries.filter((e) => e.offset >= hw);
    expect(tail.length).toBeGreaterThanOrEqual(4);
    expect(new Set(tail.map((e) => e.epoch))).toEqual(new Set([leaderRaft(s).epoch]));
    expect(s.raft.violations).toEqual([]);
  });

  it('a voter cut off from the leader alone falls behind by committed entries (what the vote log check guards)', () => {
    for (const kip835 of [true, false]) {
      const s = idle('3.9', { kip835 });
      const leader = s.activeController();
      const [cut] = s.voters.filter((v) => v !== leader);
      s.world.net.cutBoth(controllerNode(leader), controllerNode(cut));
      s.run(1500);
      const lag = leaderRaft(s).highWatermark - s.controller(cut).raft.log.endOffset;
      if (kip835) expect(lag).toBeGreaterThanOrEqual(2);
      else expect(lag).toBe(0);
    }
  });
});
