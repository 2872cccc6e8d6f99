// KRaft mode against ZooKeeper mode over many seeds of the modern protocol with clean election: the
// runner's test (queue workload, generated faults, every checker) on the same seeds and fault kinds in
// both modes, with the Raft invariants watched in KRaft mode. Usage:
//   npx tsx bench/kraft.ts [first] [last] [kinds: all | non-lossy | a comma list]
import { judge } from '../cli/judge.ts';
import { runTest } from '../cli/runner.ts';
import { FAULT_KINDS } from '../nemesis/fault-kinds.ts';
import type { FaultKind } from '../nemesis/fault-kinds.ts';
import { runKraft } from '../test/helpers/kraft-run.ts';

const first = Number(process.argv[2] ?? 1);
const last = Number(process.argv[3] ?? 1000);
const kindsArg = process.argv[4] ?? 'all';
const NON_LOSSY: FaultKind[] = ['partition', 'leader-data-path', 'zk', 'kill', 'pause', 'clock', 'packet'];
const kinds: FaultKind[] = kindsArg === 'all' ? [...FAULT_KINDS] : kindsArg === 'non-lossy' ? NON_LOSSY : (kindsArg.split(',') as FaultKind[]);

const tally = () => ({ invalid: 0, invariantBugs: 0, acked: 0, lost: 0, wallMs: 0, anomalies: {} as Record<string, number> });
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
  const z = attempt('zk', seed, () => judge(seed, runTest({ seed, nemesis: kinds }), 0, 'bench'));
  zk.wallMs += performance.now() - t0;
  t0 = performance.now();
  const k = attempt('kraft', seed, () => runKraft({ seed, nemesis: kinds }));
  kraft.wallMs += performance.now() - t0;
  if (z === null || k === null) continue;
  for (const [mode, r] of [['zk', z], ['kraft', k.result]] as const) {
    const t = mode === 'zk' ? zk : kraft;
    t.acked += r.stats.acked;
    t.lost += r.stats.lost;
    if (r.checkers.find((c) => c.checker === 'invariants')?.valid !== true) t.invariantBugs++;
    if (r.valid !== true) {
      t.invalid++;
      for (const name of Object.keys(r.anomalies)) t.anomalies[name] = (t.anomalies[name] ?? 0) + 1;
    }
  }
  kraft.failovers += Math.max(0, k.controllerChanges - 1);
  if (k.raftViolations.length > 0) {
    kraft.raftViolations++;
    console.log(`seed ${seed}: ${k.raftViolations.length} Raft violation(s), first: ${k.raftViolations[0].invariant}: ${k.raftViolations[0].description}`);
  }
  if (k.result.valid !== true && z.valid === true) {
    onlyKraft.push(seed);
    console.log(`seed ${seed}: invalid in KRaft mode only: ${JSON.stringify(k.result.anomalies)}`);
  }
}
const line = (name: string, t: ReturnType<typeof tally>): string =>
  `${name}: ${t.invalid} invalid runs ${JSON.stringify(t.anomalies)}, ${t.invariantBugs} with replica invariant violations; ${t.acked} acked, ${t.lost} acked writes lost; ${(t.wallMs / 1000).toFixed(1)} s wall`;
console.log(`seeds ${first}..${last}, modern protocol, clean election, nemesis ${kindsArg}:`);
console.log(`  ${line('ZooKeeper', zk)}`);
console.log(`  ${line('KRaft', kraft)}; ${kraft.raftViolations} with Raft violations; ${kraft.failovers} active-controller failovers`);
console.log(`  runs that threw: ZooKeeper ${threw.zk}, KRaft ${threw.kraft}`);
console.log(`  invalid in KRaft mode only: ${onlyKraft.length}${onlyKraft.length > 0 ? ` (seeds ${onlyKraft.slice(0, 20).join(', ')})` : ''}`);
