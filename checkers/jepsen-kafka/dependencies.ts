// The dependency graph between ops (jepsen.tests.kafka: ww-graph, wr-graph, and Elle's realtime-graph, which
// Jepsen adds to check strict serializability), and rw edges when asked for:
//   ww  T1 sent v1 to k and T2 sent v2, the next version of k after v1 (only with ww-deps: offsets order writes);
//   wr  T2 polled a version T1 sent;
//   rw  T1's highest poll of k was v1 and T2 sent the next version of k (Jepsen describes these but never
//       draws them: a poll returns a bounded batch, so polling up to v1 does not show v2 was not yet there);
//   realtime  T1 completed ok before T2 was invoked (a transitive reduction, as Elle builds it).
import type { Analysis } from './analysis.ts';
import { EdgeBuilder, RT, RW, WR, WW, type Digraph } from './graph/digraph.ts';
import { isTxnOp, NO_VERSION, OK } from './txn-ops.ts';

export interface DependencyOptions {
  wwDeps: boolean;
  rwDeps: boolean;
}

export function dependencyGraph(a: Analysis, options: DependencyOptions): Digraph {
  const edges = new EdgeBuilder(a.ops.count);
  if (options.wwDeps) linkWriteWrite(a, edges);
  linkWriteRead(a, edges);
  if (options.rwDeps) linkReadWrite(a, edges);
  linkRealtime(a, edges);
  return edges.build();
}

function linkWriteWrite(a: Analysis, edges: EdgeBuilder): void {
  const { writer } = a.commits;
  const { indexOf } = a.orders;
  const { keyOf } = a.ops.versions;
  for (let v2 = 0; v2 < writer.length; v2++) {
    const i2 = indexOf[v2];
    if (writer[v2] < 0 || i2 <= 0) continue;
    const v1 = a.orders.logs[keyOf.get(v2)].byIndex[i2 - 1];
    if (writer[v1] >= 0) edges.link(writer[v1], writer[v2], WW);
  }
}

function linkWriteRead(a: Analysis, edges: EdgeBuilder): void {
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
      edges.link(w, op, WR);
    }
  }
}

function linkReadWrite(a: Analysis, edges: EdgeBuilder): void {
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
      if (w >= 0) edges.link(op, w, RW);
    }
  }
}

/**
 * Elle's realtime-graph: every ok completion still "recent" links to the completion of each op invoked after
 * it; once an op completes ok, the recent ops that link to it are no longer recent (it covers them).
 */
function linkRealtime(a: Analysis, edges: EdgeBuilder): void {
  const { history, ops } = a;
  const completionAt = new Int32Array(history.length).fill(-1);
  for (let op = 0; op < ops.count; op++) if (ops.invocation[op] >= 0) completionAt[ops.invocation[op]] = op;
  // op → the range of edges into it, made when it was invoked.
  const inFrom = new Int32Array(ops.count).fill(-1);
  const inTo = new Int32Array(ops.count).fill(-1);
  const recent = new Set<number>();
  for (let p = 0; p < history.length; p++) {
    const invoked = completionAt[p];
    if (invoked >= 0) {
      inFrom[invoked] = edges.length;
      for (const done of recent) edges.link(done, invoked, RT);
      inTo[invoked] = edges.length;
      continue;
    }
    const op = ops.opAt[p];
    if (op < 0 || ops.type[op] !== OK || !isTxnOp(history[p])) continue;
    for (let e = inFrom[op]; e >= 0 && e < inTo[op]; e++) recent.delete(edges.source(e));
    recent.add(op);
  }
}
