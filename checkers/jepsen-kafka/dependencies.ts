// The dependency graph between ops (jepsen.tests.kafka: ww-graph, wr-graph, and Elle's realtime-graph, which
// Jepsen adds to check strict serializability), and rw edges when asked for:
//   ww  T1 sent v1 to k and T2 sent v2, the next version of k after v1 (only with ww-deps: offsets order writes);
//   wr  T2 polled a version T1 sent;
//   rw  T1's highest poll of k was v1 and T2 sent the next version of k (Jepsen describes these but never
//       draws them: a poll returns a bounded batch, so polling up to v1 does not show v2 was not yet there);
//   realtime  T1 completed ok before T2 was invoked (a transitive reduction, as Elle builds it).
import type { Analysis } from './analysis.ts';
import { buildDigraph, RT, RW, WR, WW, type Digraph, type Link } from './graph/digraph.ts';
import { NO_VERSION, OK } from './txn-ops.ts';

export interface DependencyOptions {
  wwDeps: boolean;
  rwDeps: boolean;
}

export function dependencyGraph(a: Analysis, options: DependencyOptions): Digraph {
  const byInvocation = opsByInvocation(a);
  return buildDigraph(
    a.ops.count,
    (link) => {
      if (options.wwDeps) linkWriteWrite(a, link);
      linkWriteRead(a, link);
      if (options.rwDeps) linkReadWrite(a, link);
      linkRealtime(a, byInvocation, link);
    },
    a.arena,
  );
}

function linkWriteWrite(a: Analysis, link: Link): void {
  const { writer } = a.commits;
  const { indexOf } = a.orders;
  const { keyOf } = a.ops.versions;
  for (let v2 = 0; v2 < writer.length; v2++) {
    const i2 = indexOf[v2];
    if (writer[v2] < 0 || i2 <= 0) continue;
    const v1 = a.orders.logs[keyOf[v2]].byIndex[i2 - 1];
    if (writer[v1] >= 0) link(writer[v1], writer[v2], WW);
  }
}

function linkWriteRead(a: Analysis, link: Link): void {
  const { ops } = a;
  const { writer } = a.commits;
  for (let op = 0; op < ops.count; op++) {
    let previous = -1;
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
      const version = ops.readVersion[r];
      const w = version === NO_VERSION ? -1 : writer[version];
      // A poll returns runs of one writer's records: skip the repeats here rather than merge them later.
      if (w < 0 || w === previous) continue;
      previous = w;
      link(w, op, WR);
    }
  }
}

function linkReadWrite(a: Analysis, link: Link): void {
  const { ops } = a;
  const { indexOf, logs } = a.orders;
  const keyCount = ops.versions.keys.length;
  const highest = new Int32Array(keyCount);
  const stamp = new Int32Array(keyCount).fill(-1);
  const touched: number[] = [];
  for (let op = 0; op < ops.count; op++) {
    touched.length = 0;
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
      const version = ops.readVersion[r];
      const index = version === NO_VERSION ? -1 : indexOf[version];
      if (index < 0) continue;
      const key = ops.readKey[r];
      if (stamp[key] !== op) {
        stamp[key] = op;
        highest[key] = index;
        touched.push(key);
      } else if (index > highest[key]) {
        highest[key] = index;
      }
    }
    for (const key of touched) {
      const order = logs[key].byIndex;
      const w = highest[key] + 1 < order.length ? a.commits.writer[order[highest[key] + 1]] : -1;
      if (w >= 0) link(op, w, RW);
    }
  }
}

/**
 * Elle's realtime-graph: every ok completion still "recent" links to the completion of each op invoked after
 * it; once an op completes ok, the recent ops that completed before it was invoked (those that link to it) are
 * no longer recent: it covers them. Recent ops are about as many as the clients, so this is linear.
 */
function linkRealtime(a: Analysis, byInvocation: Int32Array, link: Link): void {
  const { history, ops } = a;
  let next = 0;
  let completed = 0;
  let recent: number[] = [];
  for (let p = 0; p < history.length; p++) {
    if (next < byInvocation.length && ops.invocation[byInvocation[next]] === p) {
      const invoked = byInvocation[next++];
      for (const done of recent) link(done, invoked, RT);
      continue;
    }
    if (completed >= ops.count || ops.position[completed] !== p) continue;
    const op = completed++;
    if (ops.type[op] !== OK) continue;
    const invokedAt = ops.invocation[op];
    recent = recent.filter((done) => ops.position[done] > invokedAt);
    recent.push(op);
  }
}

/** The ops that have an invocation, in the order of their invocations. */
function opsByInvocation(a: Analysis): Int32Array {
  const { ops } = a;
  let known = 0;
  for (let op = 0; op < ops.count; op++) if (ops.invocation[op] >= 0) known++;
  // Positions and op ids both fit in 31 bits: sort them packed in one double, exactly.
  const packed = a.arena.float64(known);
  let i = 0;
  for (let op = 0; op < ops.count; op++) if (ops.invocation[op] >= 0) packed[i++] = ops.invocation[op] * 2 ** 31 + op;
  const out = a.arena.int32(known);
  packed.sort();
  for (let j = 0; j < known; j++) out[j] = packed[j] % 2 ** 31;
  return out;
}
