// The modern protocol with clean election under serial faults (nemesis/serial.ts: crashes with power loss,
// pauses, isolations, ZooKeeper cuts, one at a time): how many seeds break an invariant (the target is
// none). Usage: npx tsx bench/invariants.ts [first] [last]
import { protocolBugs, runRandomFaults } from '../test/helpers/random-faults.ts';

const first = Number(process.argv[2] ?? 1);
const last = Number(process.argv[3] ?? 1000);
const t0 = performance.now();
let failing = 0;
let crashExplained = 0;
let acked = 0;
let elections = 0;
for (let seed = first; seed <= last; seed++) {
  const r = runRandomFaults(seed);
  acked += r.acked;
  elections += r.elections;
  const bugs = protocolBugs(r.invariants);
  if ((r.invariants.notes ?? []).length > 0) crashExplained++;
  if (bugs.length > 0) {
    failing++;
    console.log(`seed ${seed}: ${bugs.length} violation(s), first: ${bugs[0]}`);
  }
}
const seconds = (performance.now() - t0) / 1000;
console.log(
  `invariants: seeds ${first}..${last}: ${failing} with protocol violations, ${crashExplained} with ISR lag ` +
    `explained by a crash's unsynced loss; ` +
    `${acked} acked writes, ${elections} elections; ${seconds.toFixed(1)} s wall`,
);
