// Losses the configuration allows, in a transactional history judged by Jepsen's Kafka checker. A committed
// transaction's records that no replica holds at the end (every replica lost them unflushed in a power loss, an
// unclean election...) leave what Jepsen names unseen and lost-write, and, once the offsets are written again,
// inconsistent offsets and skips in the consumers' polls. As for the queue workload (causes.ts), each lost record
// gets its cause checked against the facts; when every one is allowed, the anomalies such a loss leaves are moved
// to `allowed`. Coarser than the queue checker's attribution, which judges each instance: here the consequences
// (offsets, skips) are excused together, and only when the run lost nothing the configuration forbids and every
// unseen record is one of the lost ones (an unseen record still held somewhere stays a finding).
import type { History, Value } from '../../workloads/history/format.ts';
import type { Anomaly, CheckResult } from '../result.ts';
import { lossExplainer } from './causes.ts';
import type { DurabilityFacts } from './facts.ts';

/** The anomalies a loss of committed records leaves in Jepsen's checker. */
const LOSS_CONSEQUENCES: ReadonlySet<string> = new Set([
  'unseen',
  'lost-write',
  'inconsistent-offsets',
  'poll-skip',
  'int-poll-skip',
  'nonmonotonic-poll',
  'int-nonmonotonic-poll',
]);

interface Sent {
  key: number;
  value: number;
  offset: number;
}

/** Sends of ok transactions with their offsets, and every (key, value) an ok op polled. */
function committedAndPolled(history: History): { sent: Sent[]; polled: Set<string> } {
  const sent: Sent[] = [];
  const polled = new Set<string>();
  for (const op of history) {
    if (op.type !== 'ok' || !Array.isArray(op.value)) continue;
    for (const mop of op.value as Value[]) {
      if (!Array.isArray(mop)) continue;
      if (mop[0] === 'send' && op.f === 'txn' && Array.isArray(mop[2])) {
        const [offset, value] = mop[2] as number[];
        sent.push({ key: Number(mop[1]), value, offset });
      } else if (mop[0] === 'poll' && typeof mop[1] === 'object' && mop[1] !== null && !Array.isArray(mop[1])) {
        for (const [key, records] of Object.entries(mop[1]))
          for (const r of records as number[][]) polled.add(`${Number(key)}/${r[1]}`);
      }
    }
  }
  return { sent, polled };
}

/** The jepsen-kafka result with the consequences of allowed losses moved to `allowed` (unchanged if strict). */
export function attributeTxnLosses(result: CheckResult, history: History, facts: DurabilityFacts): CheckResult {
  if (!result.anomalies.some((a) => LOSS_CONSEQUENCES.has(a.name))) return result;
  const held = new Set<string>();
  for (const log of facts.finalLogs ?? []) for (const v of log.values) held.add(`${log.key}/${v}`);
  const { sent, polled } = committedAndPolled(history);
  const explainer = lossExplainer(facts.loss);
  const byCause: Record<string, number> = {};
  let lost = 0;
  for (const s of sent) {
    const id = `${s.key}/${s.value}`;
    if (held.has(id)) {
      // Held at the end and never polled: the final reads missed it, which no loss explains.
      if (!polled.has(id)) return result;
      continue;
    }
    const verdict = explainer.explain(s.key, s.value, s.offset, 'all');
    if (!verdict.allowed || verdict.cause === null) return result;
    byCause[verdict.cause] = (byCause[verdict.cause] ?? 0) + 1;
    lost++;
  }
  if (lost === 0) return result;
  const moved: Anomaly[] = result.anomalies
    .filter((a) => LOSS_CONSEQUENCES.has(a.name))
    .map((a) => ({ ...a, byCause: { ...byCause } }));
  const anomalies = result.anomalies.filter((a) => !LOSS_CONSEQUENCES.has(a.name));
  const allowed = [...(result.allowed ?? []), ...moved].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...result,
    valid: anomalies.length > 0 ? false : result.valid === false ? true : result.valid,
    anomalies,
    allowed,
    stats: { ...result.stats, lostCommitted: lost },
  };
}
