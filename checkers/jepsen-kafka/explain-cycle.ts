// A found cycle told in words, step by step, as Elle's explainers tell one: for each pair of ops in the cycle,
// the record that orders them (ww: one sent the version just before the other's; wr: one polled what the other
// sent; rw: one polled a key up to the version just before the other's send; realtime: one completed before
// the other was invoked).
import type { AnomalyExample } from '../result.ts';
import { keyText, opPairsOf, opText, valueOf, versionText, type Analysis } from './analysis.ts';
import type { FoundCycle } from './cycles.ts';
import { RT, RW, WR, WW, type Digraph } from './graph/digraph.ts';
import { NO_VERSION } from './txn-ops.ts';

const NAMES: Readonly<Record<number, string>> = { [WW]: 'ww', [WR]: 'wr', [RW]: 'rw', [RT]: 'realtime' };

export function explainCycle(a: Analysis, g: Digraph, found: FoundCycle): AnomalyExample {
  const { vertices, edges } = found.cycle;
  const name = (i: number) => `T${(i % vertices.length) + 1}`;
  const steps = vertices.map((from, i) => {
    const to = vertices[(i + 1) % vertices.length];
    const relation = g.label[edges[i]];
    return {
      from: name(i),
      to: name(i + 1),
      relation: NAMES[relation],
      why: why(a, [from, to], relation, name(i), name(i + 1)),
    };
  });
  const cast = vertices.map((op, i) => `${name(i)} = ${opText(a, op)}`).join('; ');
  const story = steps.map((s) => `${s.from} < ${s.to} (${s.relation}): ${s.why}`).join('; ');
  return {
    description: `${found.kind} cycle of ${vertices.length} ops. ${cast}. ${story}.`,
    ops: opPairsOf(a, vertices),
    detail: { steps: steps.map(({ from, to, relation }) => ({ from, to, relation })) },
  };
}

/** Why op `from` (named t1) precedes op `to` (named t2) by `relation`. */
function why(a: Analysis, [from, to]: [number, number], relation: number, t1: string, t2: string): string {
  if (relation === WW) return sentBefore(a, from, to, t1, t2);
  if (relation === WR) return polledFrom(a, from, to, t1, t2);
  if (relation === RW) return polledUpTo(a, from, to, t1, t2);
  const { history, ops } = a;
  return (
    `${t1} completed at op ${history[ops.position[from]].index}, before ${t2} was invoked at op ` +
    `${ops.invocation[to] < 0 ? '?' : history[ops.invocation[to]].index}`
  );
}

function sentBefore(a: Analysis, from: number, to: number, t1: string, t2: string): string {
  const { ops, orders, commits } = a;
  for (let w = ops.writeStart[to]; w < ops.writeStart[to + 1]; w++) {
    const v2 = ops.writeVersion[w];
    const i2 = orders.indexOf[v2];
    if (i2 <= 0) continue;
    const v1 = orders.logs[ops.versions.keyOf[v2]].byIndex[i2 - 1];
    if (commits.writer[v1] === from) {
      return `${t1} sent ${versionText(a, v1)}, just before ${formatOnly(a, v2)} that ${t2} sent`;
    }
  }
  return `${t1} sent a version just before one ${t2} sent`;
}

function polledFrom(a: Analysis, from: number, to: number, t1: string, t2: string): string {
  const { ops, commits } = a;
  for (let r = ops.readStart[to]; r < ops.readStart[to + 1]; r++) {
    const v = ops.readVersion[r];
    if (v !== NO_VERSION && commits.writer[v] === from) return `${t2} polled ${versionText(a, v)}, sent by ${t1}`;
  }
  return `${t2} polled a version ${t1} sent`;
}

function polledUpTo(a: Analysis, from: number, to: number, t1: string, t2: string): string {
  const { ops, orders, commits } = a;
  for (let w = ops.writeStart[to]; w < ops.writeStart[to + 1]; w++) {
    const v2 = ops.writeVersion[w];
    const i2 = orders.indexOf[v2];
    const keyId = ops.versions.keyOf[v2];
    if (i2 <= 0 || commits.writer[v2] !== to) continue;
    const v1 = orders.logs[keyId].byIndex[i2 - 1];
    for (let r = ops.readStart[from]; r < ops.readStart[from + 1]; r++) {
      if (ops.readVersion[r] === v1) {
        const upTo = `${t1} polled key ${keyText(a, keyId)} up to ${formatOnly(a, v1)}`;
        return `${upTo}, and ${t2} sent the next version, ${formatOnly(a, v2)}`;
      }
    }
  }
  return `${t1} polled a key up to the version just before one ${t2} sent`;
}

function formatOnly(a: Analysis, version: number): string {
  return JSON.stringify(valueOf(a, version));
}
