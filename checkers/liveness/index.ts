// Liveness after the final heal (Jepsen judges availability as the share of ops that succeed; an operator asks
// whether the cluster came back): once every fault is healed, each partition must take an acks=all write again
// within a bound. The queue workload's final phase sends acks=all probes to every partition until each is
// acknowledged; an acknowledgement means the partition had a leader, an ISR of at least min.insync.replicas, and
// a high watermark that moved past the record. A partition with no acknowledged send invoked after the heal
// within the bound is `unavailable-after-heal`, reported with the last write it took and the errors the
// probes met. A pure function of the history: it needs the final-phase marker and the sends after it.
import type { Anomaly, AnomalyExample, CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';
import { FINAL_READS_F, WORKLOAD_PROCESS, type History, type Op } from '../../workloads/history/format.ts';

export const UNAVAILABLE_AFTER_HEAL = 'unavailable-after-heal';

export const UNAVAILABLE_AFTER_HEAL_EXPLANATION =
  'After every fault was healed, a partition took no acks=all write within the bound: no probe send to it was ' +
  'acknowledged (each needs a leader, at least min.insync.replicas in sync and a high watermark moving past ' +
  'the record). A cluster stuck after the faults are gone, not data loss.';

export interface LivenessOptions {
  /** How long after the heal each partition has to acknowledge a write. */
  boundMs: number;
}

interface PartitionAfterHeal {
  attempts: number;
  errors: Map<string, number>;
  firstOk: Op | null;
  firstInvoke: Op | null;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

function sendKey(op: Op): number | null {
  const v = op.value;
  if (!Array.isArray(v) || v.length !== 1 || !Array.isArray(v[0])) return null;
  const [f, key] = v[0];
  return f === 'send' && typeof key === 'number' ? key : null;
}

export function checkLiveness(history: History, options: LivenessOptions): CheckResult {
  const healAt = history.find((op) => op.process === WORKLOAD_PROCESS && op.f === FINAL_READS_F)?.time;
  if (healAt === undefined) {
    return { checker: 'liveness', valid: true, anomalies: [], stats: { judged: 0 } };
  }
  const lastOkBefore = new Map<number, number>();
  const after = new Map<number, PartitionAfterHeal>();
  const open = new Map<Op['process'], Op>();
  for (const op of history) {
    if (op.f !== 'send') continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      const key = sendKey(op);
      if (key === null || op.time < healAt) continue;
      let p = after.get(key);
      if (p === undefined) after.set(key, (p = { attempts: 0, errors: new Map(), firstOk: null, firstInvoke: op }));
      p.attempts++;
      continue;
    }
    const invoke = open.get(op.process);
    open.delete(op.process);
    const key = invoke === undefined ? null : sendKey(invoke);
    if (invoke === undefined || key === null) continue;
    if (invoke.time < healAt) {
      // A send from before the heal may still be acknowledged after it: the partition last took a write then.
      if (op.type === 'ok') lastOkBefore.set(key, Math.max(op.time, lastOkBefore.get(key) ?? -Infinity));
      continue;
    }
    const p = after.get(key);
    if (p === undefined) continue;
    if (op.type === 'ok') p.firstOk ??= op;
    else p.errors.set(op.error ?? op.type, (p.errors.get(op.error ?? op.type) ?? 0) + 1);
  }
  const examples: AnomalyExample[] = [];
  let count = 0;
  let slowest = 0;
  const keys = [...after.keys()].sort((a, b) => a - b);
  for (const key of keys) {
    const p = after.get(key) as PartitionAfterHeal;
    const tookMs = p.firstOk === null ? Infinity : p.firstOk.time - healAt;
    if (tookMs <= options.boundMs) {
      slowest = Math.max(slowest, tookMs);
      continue;
    }
    count++;
    if (examples.length >= MAX_EXAMPLES) continue;
    const since = lastOkBefore.get(key);
    const errors = [...p.errors.entries()].map(([e, n]) => `${e} × ${n}`).join(', ');
    examples.push({
      description:
        `Partition ${key} took no acknowledged write within ${seconds(options.boundMs)} of the heal at ` +
        `${seconds(healAt)}` +
        (p.firstOk === null ? '' : ` (the first came ${seconds(tookMs)} after it)`) +
        '; ' +
        (since === undefined
          ? 'it had acknowledged no write before'
          : `it last acknowledged a write at ${seconds(since)}`) +
        '. ' +
        `${p.attempts} probe send(s) after the heal` +
        (errors === '' ? '.' : `: ${errors}.`),
      ops: [p.firstInvoke, p.firstOk].filter((o): o is Op => o !== null),
      detail: {
        partition: key,
        healedAt: healAt,
        unavailableSince: since ?? null,
        boundMs: options.boundMs,
        firstAckAfterHealMs: p.firstOk === null ? null : tookMs,
        attempts: p.attempts,
        errors: Object.fromEntries(p.errors),
      },
    });
  }
  const anomalies: Anomaly[] =
    count === 0
      ? []
      : [{ name: UNAVAILABLE_AFTER_HEAL, count, explanation: UNAVAILABLE_AFTER_HEAL_EXPLANATION, examples }];
  return {
    checker: 'liveness',
    valid: count === 0,
    anomalies,
    stats: { judged: keys.length, unavailable: count, slowestMs: slowest },
  };
}
