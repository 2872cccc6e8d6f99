// KRaft mode against ZooKeeper mode over many seeds of the modern protocol with clean election: the
// harness's test (queue workload, generated faults, every checker) on the same seeds and fault kinds in
// both modes; in KRaft mode the Raft invariants run online as in every KRaft run. Usage:
//   npx tsx bench/kraft.ts [first] [last] [kinds: all | non-lossy | a comma list]
import type { CheckResult } from '../checkers/result.ts';
import { runOnce } from '../harness/index.ts';
import { FAULT_KINDS } from '../nemesis/fault-kinds.ts';
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { FaultKind } from '../nemesis/fault-kinds.ts';

const first = Number(process.argv[2] ?? 1);
const last = Number(process.argv[3] ?? 1000);
const kindsArg = process.argv[4] ?? 'all';
const NON_LOSSY: FaultKind[] = ['partition', 'leader-data-path', 'zk', 'kill', 'pause', 'clock', 'packet'];
const kinds: FaultKind[] =
  kindsArg === 'all' ? [...FAULT_KINDS] : kindsArg === 'non-lossy' ? NON_LOSSY : (kindsArg.split(',') as FaultKind[]);

const tally = () => ({
  invalid: 0,
  invariantBugs: 0,
  acked: 0,
  lost: 0,
  wallMs: 0,
  anomalies: {} as Record<string, number>,
});
const zk = tally();
const kraft = { ...tally(), raftViolations: 0, failovers: 0 };
const onlyKraft: number[] = [];
/** Runs that threw (a simulator error, not a verdict), by mode. */
const threw = { zk: 0, kraft: 0 };
function attempt<T>(mode: 'zk' | 'kraft', seed: number, fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    threw[mode]++;
    console.log(`seed ${seed}: ${mode} run threw: ${(e as Error).message}`);
    return null;
  }
}
for (let seed = first; seed <= last; seed++) {
  let t0 = performance.now();
  const z = attempt('zk', seed, () => runOnce({ seed, nemesis: kinds }).result);
  zk.wallMs += performance.now() - t0;
  t0 = performance.now();
  let controllerChanges = 0;
  const k = attempt('kraft', seed, () => {
    const onCluster = (cluster: KafkaCluster): void =>
      void cluster.observe((e) => {
        if (e.kind === 'controller' && e.active) controllerChanges++;
      });
    const run = runOnce({ seed, nemesis: kinds, metadata: 'kraft' }, { onCluster });
    return {
      result: run.result,
      raft: run.result.checkers.find((c) => c.checker === 'raft-invariants') as CheckResult,
    };
  });
  kraft.wallMs += performance.now() - t0;
  if (z === null || k === null) continue;
  for (const [mode, r] of [
    ['zk', z],
    ['kraft', k.result],
  ] as const) {
    const t = mode === 'zk' ? zk : kraft;
    t.acked += r.stats.acked;
    t.lost += r.stats.lost;
    if (r.checkers.find((c) => c.checker === 'invariants')?.valid !== true) t.invariantBugs++;
    if (r.valid !== true) {
      t.invalid++;
      for (const name of Object.keys(r.anomalies)) t.anomalies[name] = (t.anomalies[name] ?? 0) + 1;
    }
  }
  kraft.failovers += Math.max(0, controllerChanges - 1);
  if (k.raft.valid !== true) {
    kraft.raftViolations++;
    const first = k.raft.anomalies[0];
    console.log(
      `seed ${seed}: ${k.raft.stats?.violations ?? 0} Raft violation(s), first: ${first.name}: ` +
        `${first.examples[0]?.description ?? ''}`,
    );
  }
  if (k.result.valid !== true && z.valid === true) {
    onlyKraft.push(seed);
    console.log(`seed ${seed}: invalid in KRaft mode only: ${JSON.stringify(k.result.anomalies)}`);
  }
}
const line = (name: string, t: ReturnType<typeof tally>): string =>
  `${name}: ${t.invalid} invalid runs ${JSON.stringify(t.anomalies)}, ${t.invariantBugs} with replica invariant ` +
  `violations; ${t.acked} acked, ${t.lost} acked writes lost; ${(t.wallMs / 1000).toFixed(1)} s wall`;
console.log(`seeds ${first}..${last}, modern protocol, clean election, nemesis ${kindsArg}:`);
console.log(`  ${line('ZooKeeper', zk)}`);
console.log(
  `  ${line('KRaft', kraft)}; ${kraft.raftViolations} with Raft violations; ${kraft.failovers} active-controller ` +
    `failovers`,
);
console.log(`  runs that threw: ZooKeeper ${threw.zk}, KRaft ${threw.kraft}`);
console.log(
  `  invalid in KRaft mode only: ` +
    `${onlyKraft.length}${onlyKraft.length > 0 ? ` (seeds ${onlyKraft.slice(0, 20).join(', ')})` : ''}`,
);
