// The sequence shared by bugs 6 (KIP-320) and 7 (KAFKA-7164): a follower F misses two leader changes
// (L1 → L2 → L1) with a tail of L1's first epoch that L1 itself later truncated, then fetches from L1
// again. Without fencing (bug 6) its fetch succeeds before it hears of the new epochs; with the KAFKA-7164
// bug it hears of them but, seeing the same leader, skips truncation. Either way the stale tail stays,
// F rejoins the ISR, and once it leads the committed record that replaced the tail is gone.
//
// Four brokers, RF 3, on a partition away from the controller: replicas [L1, L2, F], L1 leading first.
import { expect } from 'vitest';
import { behavioursOf } from './behaviours.ts';
import { HistoricalScenario } from './historical.ts';

/** How F misses the leader changes: cut off ZooKeeper and the controller (still fetching), or paused. */
export type ZombieKind = 'cut-from-control' | 'pause';

export function replayZombie(mode: string, kind: ZombieKind) {
  const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, protocol: behavioursOf(mode) }).start();
  const p = s.partitionAwayFromController();
  const controller = s.controllerId();
  const [l1, l2, f] = s.replicasOf(p);
  expect(s.leader(p)).toBe(l1);
  const committed = s.acked(s.produce(3, { partition: p }));
  s.run(1000);
  // x reaches L1 and F only (acks=0: nobody was promised anything), then F drops out of sight.
  s.cut(l1, l2);
  const [x] = s.startSends(1, { partition: p, producer: { acks: 0 } }).values;
  s.run(1000);
  // Paused, F's ZooKeeper session runs out first: the controller tells it nothing of the changes while it sleeps.
  if (kind === 'pause') s.pause(f).run(8000);
  else s.cutFromControl(f, controller);
  const fTail = s.log(f, p);
  // First change: L1 goes, L2 (without x) leads epoch 1; L1 returns as its follower and truncates x.
  s.shutdown(l1).run(10_000);
  const epoch1Leader = s.leader(p);
  s.healLink(l1, l2).restart(l1).run(15_000);
  const [y] = s.acked(s.produce(1, { partition: p }));
  // Second change: L2 goes, L1 leads again (epoch 2; 3 when F's removal took one); L2 returns; m4 is committed.
  s.shutdown(l2).run(10_000);
  const epoch2Leader = s.leader(p);
  s.restart(l2).run(15_000);
  const [m4] = s.acked(s.produce(1, { partition: p }));
  // F comes back into view (a cut F has kept retrying its fetches all along).
  if (kind === 'pause') s.resume(f);
  s.run(35_000); // past replica.socket.timeout.ms, so a fetch lost with L1's shutdown is retried
  s.heal().run(15_000);
  const fLog = s.log(f, p);
  const isr = s.isr(p);
  // L2 and then L1 shut down: F, in the ISR, leads.
  s.shutdown(l2).run(10_000);
  s.shutdown(l1).run(10_000);
  const finalLeader = s.leader(p);
  const reader = s.finalReads([p], { restartOrder: [l2, l1] });
  return {
    s,
    p,
    l1,
    l2,
    f,
    committed,
    x,
    y,
    m4,
    fTail,
    epoch1Leader,
    epoch2Leader,
    fLog,
    isr,
    finalLeader,
    read: reader.values(p),
    verdict: s.verdict(),
  };
}
