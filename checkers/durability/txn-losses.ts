// Losses the configuration allows, in a transactional history judged by Jepsen's Kafka checker. A committed
// transaction's records that no replica holds at the end (every replica lost them unflushed in a power loss, an
// unclean election...) leave what Jepsen names unseen and lost-write, and, once the offsets are written again,
// inconsistent offsets and skips in the consumers' polls. As for the queue workload (causes.ts), each lost record
// gets its cause checked against the facts; when every one is allowed, the anomalies such a loss leaves are moved
// to `allowed`. Coarser than the queue checker's attribution, which judges each instance: here the consequences
// (offsets, skips) are excused together, and only when the run lost nothing the configuration forbids and every
// unseen record is one of the lost ones or one of the unreadable ones below.
// The coordinator's decisions are records too: __transaction_state is appended with acks=-1 and never fsynced
// (TransactionStateManager.appendTransactionToLog, 3.9), so a power loss of every replica of its partitions can
// lose a commit decision; the transaction is then aborted by the timeout sweep, or, if the coordinator lost every
// record of it, left open for good (a hanging transaction, holding the last stable offset). Its records are still in
// the log but unreadable to read_committed. Such a committed record is allowed (cause power-loss) only when the
// final leader's log shows it aborted or open, and after the transaction began every replica of every
// __transaction_state partition lost power holding records not yet synced (whichever partition held its
// transactional id). A coordinator that forgot a transaction may even answer its commit ok: EndTxn(COMMIT) in
// CompleteCommit is taken as a retry of the previous commit (TransactionCoordinator.handleEndTransaction, 3.9),
// and the transaction hangs.
import type { History, Value } from '../../workloads/history/format.ts';
import { MAX_EXAMPLES, type Anomaly, type CheckResult } from '../result.ts';
import { lossExplainer, lostForAllowedCause, type LossExplainer } from './causes.ts';
import type { DurabilityFacts, LossFacts, TxnFacts } from './facts.ts';
import { duplicateOfForgottenEpoch } from './txn-duplicates.ts';

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

/**
 * A process's sends to a key going back in the key's order: a consequence of a loss when the earlier record was lost
 * from its offset and the offsets written again (as detectNonmonotonicSends judges it for the queue workload).
 */
const SEND_ORDER: ReadonlySet<string> = new Set(['nonmonotonic-send', 'int-nonmonotonic-send']);

/** Every instance shown (none left out of the examples), and the earlier record of each among the allowed losses. */
function sendsBehindLosses(a: Anomaly, gone: ReadonlySet<string>): boolean {
  if (a.examples.length !== a.count) return false;
  return a.examples.every((e) => {
    const d = e.detail as { key?: unknown; values?: unknown[] } | undefined;
    return d?.values !== undefined && gone.has(`${Number(d.key)}/${Number(d.values[0])}`);
  });
}

interface Sent {
  key: number;
  value: number;
  offset: number;
  /** When its transaction was invoked: a coordinator that lost its records since may have forgotten it. */
  time: number;
}

/**
 * Sends of ok transactions with their offsets, every (key, value) an ok op polled, and when the transaction that
 * sent each value (whatever its outcome) was invoked.
 */
function committedAndPolled(history: History): { sent: Sent[]; polled: Set<string>; began: Map<string, number> } {
  const sent: Sent[] = [];
  const polled = new Set<string>();
  const invoked = new Map<number | string, number>();
  const began = new Map<string, number>();
  for (const op of history) {
    if (op.type === 'invoke') {
      invoked.set(op.process, op.time);
      if (op.f === 'txn' && Array.isArray(op.value))
        for (const m of op.value)
          if (Array.isArray(m) && m[0] === 'send') began.set(`${Number(m[1])}/${Number(m[2])}`, op.time);
    }
    if (op.type !== 'ok' || !Array.isArray(op.value)) continue;
    for (const mop of op.value as Value[]) {
      if (!Array.isArray(mop)) continue;
      if (mop[0] === 'send' && op.f === 'txn' && Array.isArray(mop[2])) {
        const [offset, value] = mop[2] as number[];
        sent.push({ key: Number(mop[1]), value, offset, time: invoked.get(op.process) ?? op.time });
      } else if (mop[0] === 'poll' && typeof mop[1] === 'object' && mop[1] !== null && !Array.isArray(mop[1])) {
        for (const [key, records] of Object.entries(mop[1]))
          for (const r of records as number[][]) polled.add(`${Number(key)}/${r[1]}`);
      }
    }
  }
  return { sent, polled, began };
}

/** The jepsen-kafka result with the consequences of allowed losses moved to `allowed` (unchanged if strict). */
export function attributeTxnLosses(result: CheckResult, history: History, facts: DurabilityFacts): CheckResult {
  return attributeRevivedReads(attributeCommittedLosses(result, history, facts), facts);
}

/**
 * G1a (an ok poll returned a record of a failed transaction) left by a lost ABORT marker: the coordinator aborted
 * the transaction and the partition's leader appended its ABORT marker, which every replica then lost for a cause
 * the configuration allows; the same producer id's next transaction then ended with a COMMIT marker, which ends the
 * open transaction the record began (TxnFacts.revivedByCommit), so read_committed returns it. The mirror of a lost
 * COMMIT marker a later ABORT covers (markerLost). Or a record appended after a lost marker of its producer id had
 * left the producer's earlier records open, so the leader took it unverified, and a later COMMIT ended it with them
 * (TxnFacts.joinedAfterLostMarker): a zombie's record of a transaction that failed, committed by the producer id's
 * next transaction. Moved to allowed only when every instance is one of these, each marker lost for an allowed cause.
 */
function attributeRevivedReads(result: CheckResult, facts: DurabilityFacts): CheckResult {
  const g1a = result.anomalies.find((a) => a.name === 'G1a');
  const revived = facts.txn?.revivedByCommit ?? [];
  const joined = facts.txn?.joinedAfterLostMarker ?? [];
  if (g1a === undefined || facts.txn === undefined || facts.loss?.policy.strict !== false) return result;
  if (g1a.examples.length !== g1a.count) return result;
  const explainer = lossExplainer(facts.loss);
  const byCause: Record<string, number> = {};
  for (const e of g1a.examples) {
    const d = e.detail as { key?: unknown; value?: unknown } | undefined;
    const same = (x: { key: number; value: number }): boolean =>
      x.key === Number(d?.key) && x.value === Number(d?.value);
    const r = revived.find(same);
    const j = joined.find(same);
    const marker = r?.abort ?? j?.marker;
    if (marker === undefined) {
      const forgot = forgottenPartitionCommitted(facts, Number(d?.key), Number(d?.value));
      if (forgot === null) return result;
      byCause[forgot] = (byCause[forgot] ?? 0) + 1;
      continue;
    }
    const verdict = explainer.explain(Number(d?.key), marker.value, marker.offset, 'all');
    if (!verdict.allowed || verdict.cause === null) return result;
    byCause[verdict.cause] = (byCause[verdict.cause] ?? 0) + 1;
  }
  const anomalies = result.anomalies.filter((a) => a !== g1a);
  const allowed = [...(result.allowed ?? []), { ...g1a, byCause }].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...result,
    valid: anomalies.length > 0 ? false : result.valid === false ? true : result.valid,
    anomalies,
    allowed,
  };
}

/**
 * A record of a failed transaction that a later COMMIT of its producer id ended: the coordinator had added its
 * partition to the transaction (every Ongoing record of the transaction's epoch that holds the partition, written
 * before the record was appended) and then lost each of those records from every replica, for a cause the
 * configuration allows, after the append. The reloaded coordinator never knew the partition, so the transaction's
 * abort wrote no marker there, the record stayed open in the partition's producer state (ProducerStateManager's
 * currentTxnFirstOffset), and the producer id's next COMMIT on the partition ended it from its first offset (3.9,
 * and 4.0's leader-added partitions alike). That cause, or null.
 */
function forgottenPartitionCommitted(facts: DurabilityFacts, key: number, value: number): string | null {
  const txn = facts.txn;
  const w = facts.loss?.written?.find((x) => x.key === key && x.value === value && x.producer !== undefined);
  const appended = txn?.appendedAt?.[`${key}/${value}`];
  if (txn?.coordinatorRecords === undefined || txn.coordinatorLoss === undefined) return null;
  if (w?.producer === undefined || appended === undefined) return null;
  const { id, epoch } = w.producer;
  const holding = txn.coordinatorRecords.filter(
    (r) =>
      r.producerId === id &&
      r.producerEpoch === epoch &&
      r.state === 'Ongoing' &&
      r.time <= appended &&
      r.partitions?.includes(key) === true,
  );
  if (holding.length === 0) return null;
  // Relearned: a record the coordinator kept that holds the partition in the same transaction.
  const txnStart = holding[0].txnStart;
  const kept = txn.coordinatorRecords.some(
    (r) => r.producerId === id && r.txnStart === txnStart && r.kept && r.partitions?.includes(key) === true,
  );
  if (kept || !removedAfter(appended, holding, txn.coordinatorLoss)) return null;
  return lostForAllowedCause(holding, txn.coordinatorLoss);
}

function attributeCommittedLosses(result: CheckResult, history: History, facts: DurabilityFacts): CheckResult {
  if (!result.anomalies.some((a) => LOSS_CONSEQUENCES.has(a.name))) return result;
  const held = new Set<string>();
  for (const log of facts.finalLogs ?? []) for (const v of log.values) held.add(`${log.key}/${v}`);
  const { sent, polled, began } = committedAndPolled(history);
  const explainer = lossExplainer(facts.loss);
  const byCause: Record<string, number> = {};
  /** Committed records no replica holds at the end, each lost for a cause the configuration allows. */
  const gone = new Set<string>();
  /** Committed records lost for no cause the configuration allows, with why (a known bug of the release, named). */
  const unexplained = new Map<string, { s: Sent; why: string }>();
  /** Those lost for a cause it allows, with why: findings all the same while any loss stays unexplained. */
  const explained = new Map<string, string>();
  let lost = 0;
  for (const s of sent) {
    const id = `${s.key}/${s.value}`;
    if (held.has(id)) {
      // Held at the end and never polled: allowed only as a commit decision the coordinator lost, or a marker the
      // data partition lost. Polled, and unreadable now (its marker lost after readers read past it, and a later
      // ABORT covering it): the final reads skip it, allowed for the same causes; unexplained, it is left to
      // Jepsen's verdict as before.
      const wasRead = polled.has(id);
      if (wasRead && !facts.txn?.unreadable.some((u) => u.key === s.key && u.value === s.value)) continue;
      const judged = facts.loss?.policy.strict === false;
      const cause = !judged
        ? null
        : decisionLost(facts.txn, s, began)
          ? 'power-loss'
          : (coordinatorForgot(facts.txn, s, began) ?? markerLost(facts, s, explainer));
      if (cause === null && wasRead) continue;
      if (cause === null) {
        const why = 'a replica still holds it, unreadable, and no lost marker or coordinator record explains it';
        unexplained.set(id, { s, why });
        continue;
      }
      byCause[cause] = (byCause[cause] ?? 0) + 1;
      lost++;
      continue;
    }
    const verdict = explainer.explain(s.key, s.value, s.offset, 'all');
    const cause =
      verdict.allowed && verdict.cause !== null ? verdict.cause : duplicateOfForgottenEpoch(facts, s, began);
    if (cause === null) {
      unexplained.set(id, { s, why: verdict.why });
      continue;
    }
    explained.set(id, verdict.allowed ? verdict.why : `sent as a duplicate of a batch of a forgotten epoch (${cause})`);
    gone.add(id);
    byCause[cause] = (byCause[cause] ?? 0) + 1;
    lost++;
  }
  if (unexplained.size > 0) return withLossExplanations(result, unexplained, explained);
  if (lost === 0) return result;
  const follows = (a: Anomaly): boolean =>
    LOSS_CONSEQUENCES.has(a.name) || (SEND_ORDER.has(a.name) && sendsBehindLosses(a, gone));
  const moved: Anomaly[] = result.anomalies.filter(follows).map((a) => ({ ...a, byCause: { ...byCause } }));
  const anomalies = result.anomalies.filter((a) => !follows(a));
  const allowed = [...(result.allowed ?? []), ...moved].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...result,
    valid: anomalies.length > 0 ? false : result.valid === false ? true : result.valid,
    anomalies,
    allowed,
    stats: { ...result.stats, lostCommitted: lost },
  };
}

/**
 * The findings as Jepsen's checker words them, each lost committed record's example told why its loss is or is not
 * one the configuration allows (the durability checker's words, which name a known bug of the release under test
 * when the facts show one: Kafka's last-replica-standing bug before KIP-966, KAFKA-14139 before KIP-903), and the
 * losses no allowed cause explains listed as a note, read or not: one of them keeps every loss of the run a finding.
 */
function withLossExplanations(
  result: CheckResult,
  unexplained: ReadonlyMap<string, { s: Sent; why: string }>,
  explained: ReadonlyMap<string, string>,
): CheckResult {
  const told = (a: Anomaly): Anomaly => {
    if (!LOSS_CONSEQUENCES.has(a.name)) return a;
    const examples = a.examples.map((e) => {
      const d = e.detail as { key?: unknown; value?: unknown } | undefined;
      const id = `${Number(d?.key)}/${Number(d?.value)}`;
      const lost = unexplained.get(id);
      if (lost !== undefined) return { ...e, description: `${e.description} Lost: ${lost.why}.` };
      const allowed = explained.get(id);
      if (allowed === undefined) return e;
      const others = 'a loss the configuration allows, a finding here for the others (note lost-committed-write)';
      return { ...e, description: `${e.description} Lost: ${allowed}: ${others}.` };
    });
    return { ...a, examples };
  };
  const all = [...unexplained.values()];
  const note: Anomaly = {
    name: 'lost-committed-write',
    count: all.length,
    explanation:
      "Records of committed transactions lost for no cause the configuration allows: while one is, Jepsen's " +
      'anomalies a loss leaves stay findings, the allowed losses with them.',
    examples: all.slice(0, MAX_EXAMPLES).map(({ s, why }) => ({
      description: `${s.value} of key ${s.key}, committed at offset ${s.offset}, was lost: ${why}.`,
      ops: [],
      detail: { key: s.key, value: s.value, offset: s.offset },
    })),
  };
  return { ...result, anomalies: result.anomalies.map(told), notes: [...(result.notes ?? []), note] };
}

/**
 * The record is unreadable at the end, and since the transaction that made it so began (its own, when aborted; the
 * one open at the last stable offset, which holds it back, when open) every coordinator partition lost unsynced
 * records on every replica.
 */
function decisionLost(txn: TxnFacts | undefined, s: Sent, began: ReadonlyMap<string, number>): boolean {
  if (txn === undefined) return false;
  const u = txn.unreadable.find((r) => r.key === s.key && r.value === s.value && r.offset === s.offset);
  if (u === undefined) return false;
  const holder = u.why === 'open' ? txn.firstUnstable.find((f) => f.key === s.key) : s;
  const since = holder === undefined ? undefined : holder === s ? s.time : began.get(`${holder.key}/${holder.value}`);
  if (since === undefined) return false;
  return txn.coordinatorReplicas.every(
    (r) =>
      r.brokers.length > 0 &&
      r.brokers.every((b) =>
        txn.coordinatorLosses.some((l) => l.partition === r.partition && l.broker === b && l.time >= since),
      ),
  );
}

/**
 * The record is unreadable at the end because the marker that ended its transaction (its own, when aborted: the
 * COMMIT a later ABORT of the same producer now stands in for; the one open at the last stable offset, when open)
 * was appended by the data partition's leader and then lost from every replica, for a cause the configuration
 * allows. The coordinator, having completed the transaction, never writes it again
 * (TransactionMarkerChannelManager sends markers only for a PrepareCommit/PrepareAbort, 3.9). That cause, or null.
 */
function markerLost(facts: DurabilityFacts, s: Sent, explainer: LossExplainer): string | null {
  const txn = facts.txn;
  const u = txn?.unreadable.find((r) => r.key === s.key && r.value === s.value && r.offset === s.offset);
  if (txn?.markers === undefined || u === undefined) return null;
  const holder = u.why === 'open' ? txn.firstUnstable.find((f) => f.key === s.key) : u;
  if (holder?.producerId === undefined) return null;
  const marker = txn.markers.find(
    (m) => m.key === holder.key && m.producerId === holder.producerId && m.offset > holder.offset,
  );
  // An aborted record whose first marker was an ABORT was aborted by its coordinator: not a lost marker.
  if (marker === undefined || (u.why === 'aborted' && marker.type !== 'COMMIT')) return null;
  const kept = (facts.finalLogs ?? []).some(
    (l) => l.key === marker.key && l.values[marker.offset - l.startOffset] === marker.value,
  );
  if (kept) return null;
  // A coordinator that still knows the transaction as prepared (its Prepare record kept, no Complete record kept)
  // sends the markers again when it loads it (TransactionStateManager.loadTransactionsForTxnTopicPartition, 3.9):
  // a marker lost then is no excuse.
  const records = txn.coordinatorRecords ?? [];
  const tid = records.find((r) => r.producerId === holder.producerId)?.transactionalId;
  const prepared = records.findLast(
    (r) => r.transactionalId === tid && r.state.startsWith('Prepare') && r.time <= marker.time,
  );
  if (prepared === undefined) return null;
  const own = records.filter((r) => r.transactionalId === tid && r.txnStart === prepared.txnStart);
  const resent = own.some((r) => r.kept && r.state.startsWith('Prepare'));
  if (resent && !own.some((r) => r.kept && r.state.startsWith('Complete'))) return null;
  const verdict = explainer.explain(marker.key, marker.value, marker.offset, 'all');
  return verdict.allowed ? verdict.cause : null;
}

/**
 * The record is unreadable at the end because the coordinator lost, from every replica of its __transaction_state
 * partition and for a cause the configuration allows (LossExplainer over that topic's own removals and elections),
 * what it had written of the transaction that makes it so: every record of that transaction when it hangs open
 * (the coordinator forgot it, so nothing ever ends it), its PrepareCommit (or, none written, every record) when
 * its own committed transaction ended aborted. Or, hanging open, every record that held the record's partition,
 * each lost only after the record was appended: the coordinator kept the transaction but forgot it had added the
 * partition, so its PrepareCommit or PrepareAbort names only the partitions its reloaded state holds and no marker
 * ever ends it there (TransactionStateManager.loadTransactionMetadata, TransactionMarkerChannelManager, 3.9). A
 * record appended after its partition was forgotten is KAFKA-14402's hanging transaction, no excuse. Generalises
 * decisionLost to a replica that was down, not powered off, and lost the records when it truncated to a leader that
 * lacked them. That cause, or null.
 */
function coordinatorForgot(txn: TxnFacts | undefined, s: Sent, began: ReadonlyMap<string, number>): string | null {
  const u = txn?.unreadable.find((r) => r.key === s.key && r.value === s.value && r.offset === s.offset);
  if (txn?.coordinatorRecords === undefined || txn.coordinatorLoss === undefined || u === undefined) return null;
  const holder = u.why === 'open' ? txn.firstUnstable.find((f) => f.key === s.key) : u;
  if (holder?.producerId === undefined) return null;
  const since = holder === u ? s.time : began.get(`${holder.key}/${holder.value}`);
  const records = txn.coordinatorRecords;
  const tid = records.find((r) => r.producerId === holder.producerId)?.transactionalId;
  // The holder's transaction: the first one its transactional id began (went Ongoing) after its op was invoked.
  const first = records.find(
    (r) => r.transactionalId === tid && r.state === 'Ongoing' && r.time >= (since ?? Infinity),
  );
  if (first === undefined) return null;
  const own = records.filter((r) => r.transactionalId === tid && r.txnStart === first.txnStart && r.time >= first.time);
  const prepared = own.filter((r) => r.state === 'PrepareCommit');
  const decisive = u.why === 'aborted' && prepared.length > 0 ? prepared : own;
  const loss = txn.coordinatorLoss;
  const lostFor = (lost: typeof own): string | null => lostForAllowedCause(lost, loss);
  const whole = lostFor(decisive);
  if (whole !== null || u.why !== 'open' || !('appendedAt' in holder)) return whole;
  const holding = own.filter((r) => r.partitions?.includes(holder.key) === true);
  if (holding.length === 0 || !removedAfter(holder.appendedAt, holding, txn.coordinatorLoss)) return null;
  return lostFor(holding);
}

/** Every removal that took one of the records from a replica came after `at`. */
function removedAfter(
  at: number | undefined,
  records: { partition: number; offset: number; value: number }[],
  loss: LossFacts,
): boolean {
  if (at === undefined) return false;
  return records.every((r) =>
    loss.removals.every(
      (x) =>
        x.key !== r.partition ||
        r.offset < x.fromOffset ||
        x.values[r.offset - x.fromOffset] !== r.value ||
        x.time > at,
    ),
  );
}
