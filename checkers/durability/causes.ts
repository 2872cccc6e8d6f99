// Whether the configuration under test allows a loss: each lost record gets a cause checked against the facts
// the harness exported from the simulator, never a blanket excuse. Allowed only when the configuration permits
// it and the facts prove it:
// - power-loss: every replica that held the record lost it, unflushed, in a power loss (flush.messages leaves
//   acknowledged records in page caches; Kafka relies on replication, not fsync). Not when one that lost it led
//   again while others held it: that is Kafka's last-replica-standing bug (KIP-966), a finding the verdict names;
// - unclean-election: an unclean leader election (unclean.leader.election.enable) made leader a replica that
//   lacked the record;
// - last-known-leader: KIP-966's Balanced recovery elected the last known leader back, and it lacked the record;
// - acks-failover: the record was sent with acks=0 or 1 and a new leader that lacked it took over.
// A record no replica lost (the leader that wrote it kept it, down or deposed, while a later epoch's leader took over
// without it: a later send then got a lower offset) is dated by its append and judged by the same elections.
// Anything else is a finding. Under --strict every loss is a finding, as Jepsen judges; the cause is still told.
import { seconds } from '../queue/describe.ts';
import type { AcksLevel, ElectionFact, LossFacts, LossPolicy, Removal, Written } from './facts.ts';

export type AllowedCause = 'power-loss' | 'unclean-election' | 'last-known-leader' | 'acks-failover';

export const ALLOWED_CAUSES: readonly AllowedCause[] = [
  'power-loss',
  'unclean-election',
  'last-known-leader',
  'acks-failover',
];

/** What the configuration allows, in words, for each cause (reports). */
export const ALLOWED_CAUSE_EXPLANATIONS: Record<AllowedCause, string> = {
  'power-loss':
    'every replica that held the record lost it in a power loss before it was flushed to disk (flush.messages: ' +
    'Kafka acknowledges before fsync and relies on replication)',
  'unclean-election':
    'an unclean leader election (unclean.leader.election.enable=true) made leader a replica that lacked the record',
  'last-known-leader':
    "KIP-966's Balanced recovery elected the last known leader back, with whatever its disk kept, and it lacked " +
    'the record',
  'acks-failover': 'the record was sent with acks=0 or 1, and a new leader that lacked it took over',
};

export interface LossVerdict {
  /** The cause the facts prove, among those a configuration may allow; null when none does. */
  cause: AllowedCause | null;
  /** Whether the loss is allowed: a cause is proven, the configuration permits it, and not --strict. */
  allowed: boolean;
  /** One clause saying why, for example descriptions ("every replica that held it lost it ..."). */
  why: string;
}

interface Held {
  removal: Removal;
  offset: number;
  epoch: number;
}

const UNKNOWN = -1;

/** Answers, record by record, whether a loss is allowed. Build it once per run (lossExplainer). */
export class LossExplainer {
  private readonly policy: LossPolicy | undefined;
  /** key → value → every removal of that value, in order. */
  private readonly removed = new Map<number, Map<number, Held[]>>();
  private readonly elections = new Map<number, ElectionFact[]>();
  /** key → value → every leader append of that value. */
  private readonly written = new Map<number, Map<number, Written[]>>();

  constructor(facts: LossFacts | undefined) {
    this.policy = facts?.policy;
    for (const removal of facts?.removals ?? []) {
      let byValue = this.removed.get(removal.key);
      if (byValue === undefined) this.removed.set(removal.key, (byValue = new Map()));
      for (let i = 0; i < removal.values.length; i++) {
        const held: Held = { removal, offset: removal.fromOffset + i, epoch: removal.epochs[i] ?? UNKNOWN };
        const list = byValue.get(removal.values[i]);
        if (list === undefined) byValue.set(removal.values[i], [held]);
        else list.push(held);
      }
    }
    for (const e of facts?.elections ?? []) {
      const list = this.elections.get(e.key);
      if (list === undefined) this.elections.set(e.key, [e]);
      else list.push(e);
    }
    for (const w of facts?.written ?? []) {
      let byValue = this.written.get(w.key);
      if (byValue === undefined) this.written.set(w.key, (byValue = new Map()));
      const list = byValue.get(w.value);
      if (list === undefined) byValue.set(w.value, [w]);
      else list.push(w);
    }
  }

  /**
   * Where and in which epoch a leader appended `value` (at `offset`, or its first offset when -1); of several
   * appends there, the latest epoch, so that only an election after all of them explains it. Null when none.
   */
  private writtenAt(key: number, value: number, offset: number): { at: number; epoch: number } | null {
    const all = this.written.get(key)?.get(value) ?? [];
    const at = offset < 0 ? all[0]?.offset : offset;
    let epoch = -1;
    for (const w of all) if (w.offset === at && w.epoch > epoch) epoch = w.epoch;
    return at === undefined || epoch < 0 ? null : { at, epoch };
  }

  /**
   * The offset of `value`'s last leader append in partition `key`: in its latest leader epoch, the last of several
   * there. Null when no append of it is known.
   */
  lastWrittenAt(key: number, value: number): number | null {
    let last: Written | null = null;
    for (const w of this.written.get(key)?.get(value) ?? []) if (last === null || w.epoch >= last.epoch) last = w;
    return last?.offset ?? null;
  }

  /**
   * KAFKA-14034 (open, the Java client of 3.9 and since): a batch of an idempotent producer fails for good and
   * TransactionManager.handleFailedBatch bumps the producer epoch at once, renumbering from sequence 0 the batches
   * still in flight (startSequencesAtBeginning); a leader that had appended one of them takes it again as the first
   * batch of the new epoch. Shown by two leader appends of `value` by one producer, the later in a later epoch.
   */
  knownDuplicateBug(key: number, value: number): string {
    const appends = (this.written.get(key)?.get(value) ?? []).filter((w) => w.producer !== undefined);
    for (const first of appends) {
      const again = appends.find(
        (w) =>
          w.offset > first.offset && w.producer!.id === first.producer!.id && w.producer!.epoch > first.producer!.epoch,
      );
      if (again === undefined) continue;
      const a = first.producer!;
      const b = again.producer!;
      return (
        ` Kafka's idempotent producer bug (KAFKA-14034): producer ${a.id} wrote it at offset ${first.offset} in ` +
        `producer epoch ${a.epoch} (sequence ${a.sequence}) and, after bumping its epoch while the batch was in ` +
        `flight, again at offset ${again.offset} in epoch ${b.epoch} (sequence ${b.sequence}).`
      );
    }
    return '';
  }

  /**
   * Whether duplicates are allowed: the producer was not idempotent (enable.idempotence=false), so a retry of
   * a batch that was written may be written again, and the run is not judged strictly.
   */
  allowsDuplicates(): boolean {
    return this.policy !== undefined && !this.policy.strict && this.policy.idempotence === false;
  }

  /**
   * The leader epoch `value` had at `offset` of partition `key` in the replicas that lost it (its batch's epoch),
   * or null when no replica is known to have held it there and lost it.
   */
  lostEpoch(key: number, value: number, offset: number): number | null {
    const held = this.removed
      .get(key)
      ?.get(value)
      ?.find((h) => h.offset === offset && h.epoch !== UNKNOWN);
    return held === undefined ? null : held.epoch;
  }

  /** Whether the run's facts were given at all (without them every loss is a finding, cause unknown). */
  get known(): boolean {
    return this.policy !== undefined;
  }

  /**
   * The verdict on `value`, missing from partition `key` (at `offset`, or UNKNOWN_OFFSET, -1, if the history does
   * not say), sent with `acks` (undefined: the run's setting).
   */
  explain(key: number, value: number, offset: number, acks: AcksLevel | undefined): LossVerdict {
    const policy = this.policy;
    if (policy === undefined) return { cause: null, allowed: false, why: 'no facts about the replicas were given' };
    const all = this.removed.get(key)?.get(value) ?? [];
    const held = offset < 0 ? all : all.filter((h) => h.offset === offset);
    // No replica lost it: it may still have gone past a new leader that lacked it, dated by its append.
    const written = held.length === 0 ? this.writtenAt(key, value, offset) : null;
    if (held.length === 0 && written === null) {
      return { cause: null, allowed: false, why: 'no replica is known to have held it and lost it' };
    }
    const at = written?.at ?? held[0].offset;
    const epoch = written?.epoch ?? held[0].epoch;
    const keptIt = written === null ? '' : `no replica lost it (written in epoch ${written.epoch})`;
    const kept = written === null ? '' : `${keptIt}, but `;
    const last = new Map<number, Held>();
    for (const h of held) last.set(h.removal.broker, h);
    const finals = [...last.values()];
    const verdict = (cause: AllowedCause, why: string): LossVerdict => {
      if (policy.strict) return { cause, allowed: false, why: `${why} (a finding under --strict)` };
      return { cause, allowed: true, why };
    };

    // (b) Every replica that held it lost it unflushed in a power loss.
    const powerLost = (h: Held): boolean =>
      h.removal.how === 'power-loss' && at >= (h.removal.syncedOffset ?? Infinity);
    if (finals.length > 0 && finals.every(powerLost)) {
      return verdict('power-loss', `every replica that held it lost it unflushed in a power loss (${list(finals)})`);
    }
    // (a) An unclean election, or KIP-966's last-known-leader recovery, made leader a replica that lacked it.
    const elections = this.elections.get(key) ?? [];
    // Leadership taken up after the record was written: a later epoch, or (no election) after a holder lost it.
    const after = (e: ElectionFact): boolean =>
      e.leaderEpoch > epoch || (e.resumed === true && held.some((h) => h.removal.time <= e.time));
    const lacking = elections.filter((e) => after(e) && e.leaderLog !== null && !holds(e, at, value));
    const unclean = lacking.find((e) => e.kind !== 'clean');
    let forbidden = '';
    if (unclean !== undefined) {
      const lkl = unclean.kind === 'last-known-leader';
      const permitted = lkl ? policy.lastKnownLeaderRecovery : policy.uncleanElection;
      const what = lkl ? "KIP-966's last-known-leader recovery" : 'an unclean election';
      const why =
        `${what} made broker ${unclean.leader} leader in epoch ${unclean.leaderEpoch} at ${seconds(unclean.time)} ` +
        `without it`;
      if (permitted) return verdict(lkl ? 'last-known-leader' : 'unclean-election', `${kept}${why}`);
      forbidden = `; ${why}, although ${lkl ? 'eligible leader replicas are off' : 'unclean election is off'}`;
    }
    // (c) acks=0 or 1, and a new leader that lacked it took over.
    const level = acks ?? policy.acks;
    if (level !== 'all' && lacking.length > 0) {
      const e = lacking[0];
      return verdict(
        'acks-failover',
        `${kept}it was sent with acks=${acksWord(level)} and broker ${e.leader} took over without it in epoch ` +
          `${e.leaderEpoch} at ${seconds(e.time)}`,
      );
    }
    const clean = lacking.find((e) => e.kind === 'clean');
    const election =
      clean === undefined
        ? forbidden
        : `${forbidden}; ${clean.resumed === true ? 'with no election, ' : 'a clean election made '}broker ` +
          `${clean.leader} ${clean.resumed === true ? 'led' : 'leader'} in epoch ${clean.leaderEpoch} at ` +
          `${seconds(clean.time)} without it`;
    const named = knownBug(policy, held, elections, at, value, epoch);
    return {
      cause: null,
      allowed: false,
      why:
        `nothing the configuration allows explains it: ${finals.length > 0 ? list(finals) : keptIt}${election}` + named,
    };
  }
}

/**
 * Names a known bug of the release under test when the facts show it: a replica that lost the record with its own
 * log stayed in the ISR and led again, cleanly elected or in the epoch it held, and the others truncated to it.
 * - Kafka's last-replica-standing bug (bug 9): it lost the record unflushed in a power loss. Kafka's design has a
 *   replica that lost unflushed data re-sync before it rejoins the ISR; only KIP-966's unclean-shutdown exclusion
 *   (KRaft, ELR) does so.
 * - KAFKA-14139's replaced disk: it came back on an empty disk before any controller saw it go (the controller
 *   failed over while it was away, and its successor took the new registration for the old one). KIP-903's broker
 *   epochs (KRaft 3.5) keep such a broker out of the ISR; ZooKeeper mode never got them.
 * Either loss stays a finding, told as the known bug of a release without the fix.
 */
function knownBug(
  policy: LossPolicy,
  held: readonly Held[],
  elections: readonly ElectionFact[],
  at: number,
  value: number,
  epoch: number,
): string {
  const powerLossBug = policy.uncleanShutdownExcluded === false;
  const replacedDiskBug = policy.replacedDiskFenced === false;
  if (!powerLossBug && !replacedDiskBug) return '';
  // How the new leader last lost the record before it led (held is in time order): a broker may lose it, fetch it
  // again and lose it once more, and only the last loss left it leading without it.
  const lostIt = (e: ElectionFact): Held | undefined => {
    const last = held.findLast((h) => h.removal.broker === e.leader && h.removal.time <= e.time);
    if (last === undefined) return undefined;
    const r = last.removal;
    const powerLost = powerLossBug && r.how === 'power-loss' && at >= (r.syncedOffset ?? Infinity);
    return powerLost || (replacedDiskBug && r.how === 'disk-replaced') ? last : undefined;
  };
  for (const e of elections) {
    if (e.kind !== 'clean' || !(e.leaderEpoch > epoch || e.resumed === true) || holds(e, at, value)) continue;
    const lost = lostIt(e);
    if (e.leaderLog === null || lost === undefined) continue;
    const led = `led in epoch ${e.leaderEpoch} from ${seconds(e.time)} without it`;
    if (lost.removal.how === 'disk-replaced') {
      return (
        `. Kafka's replaced-disk bug (KAFKA-14139; KIP-903's fix is KRaft's, which this release lacks): broker ` +
        `${e.leader} lost it with its replaced disk at ${seconds(lost.removal.time)} and, in the ISR on the ` +
        `strength of its previous incarnation, ${led}`
      );
    }
    return (
      `. Kafka's last-replica-standing bug (KIP-966, which this release lacks): broker ${e.leader} lost it ` +
      `unflushed in a power loss at ${seconds(lost.removal.time)} and, still in the ISR, ${led}`
    );
  }
  return '';
}

function holds(e: ElectionFact, offset: number, value: number): boolean {
  const log = e.leaderLog;
  if (log === null) return false;
  const i = offset - log.startOffset;
  return i >= 0 && i < log.values.length && log.values[i] === value;
}

function acksWord(level: AcksLevel): string {
  return level === 'all' ? 'all' : level === 'leader' ? '1' : '0';
}

/** "broker 1 lost it in a power loss at 12.000 s (synced to offset 0); broker 2 truncated it at 13.000 s" */
function list(finals: readonly Held[]): string {
  return finals
    .map((h) => {
      const r = h.removal;
      const when = seconds(r.time);
      switch (r.how) {
        case 'truncation':
          return `broker ${r.broker} truncated it at ${when}`;
        case 'process-crash':
          return `broker ${r.broker} lost it in a process crash at ${when}, which keeps the page cache`;
        case 'disk-replaced':
          return `broker ${r.broker} lost it with its replaced disk at ${when}`;
        case 'power-loss': {
          const synced = r.syncedOffset ?? 0;
          const flushed = h.offset < synced ? `, although it was synced (up to offset ${synced})` : '';
          const lied = r.fsyncLied === true ? ', its fsync lying' : '';
          return `broker ${r.broker} lost it in a power loss at ${when}${flushed}${lied}`;
        }
      }
    })
    .join('; ');
}

const explainers = new WeakMap<LossFacts, LossExplainer>();

/**
 * The cause (the first record's) when no replica holds any of `records` at the end and each was lost for a cause
 * the configuration allows, by `loss`'s explainer (the transaction coordinator's records, over __transaction_state's
 * own removals and elections); else null.
 */
export function lostForAllowedCause(
  records: readonly { partition: number; offset: number; value: number; kept: boolean }[],
  loss: LossFacts,
): string | null {
  const explainer = lossExplainer(loss);
  let cause: string | null = null;
  for (const r of records) {
    if (r.kept) return null;
    const verdict = explainer.explain(r.partition, r.value, r.offset, 'all');
    if (!verdict.allowed || verdict.cause === null) return null;
    cause ??= verdict.cause;
  }
  return cause;
}

/** The explainer of a run's facts, built once however many checkers ask. */
export function lossExplainer(facts: LossFacts | undefined): LossExplainer {
  if (facts === undefined) return new LossExplainer(undefined);
  let e = explainers.get(facts);
  if (e === undefined) explainers.set(facts, (e = new LossExplainer(facts)));
  return e;
}
