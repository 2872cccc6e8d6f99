// What happened in a run, first and in words: the cause-first account a report opens with and `run`
// prints. For a failing run, the first finding's own sentence (what was lost, where, when, and the
// election, crash or truncation that did it), then what else was found; for a valid run, what was tried
// and survived. Built from the checkers' explanations only, so the page and the terminal say the same.
import type { Validity } from '../checkers/result.ts';

/** What the account needs of an anomaly: its name, count and first example's sentence. */
export interface AccountAnomaly {
  name: string;
  count: number;
  firstExample?: string;
}

export interface AccountInput {
  valid: Validity;
  anomalies: readonly AccountAnomaly[];
  stats: Readonly<Record<string, number>>;
  /** The kinds of the faults the nemesis started, in order. */
  faultKinds: readonly string[];
  /**
   * What the configuration allowed (reported, not findings): the allowed anomalies, and acknowledged writes lost
   * by cause.
   */
  allowed?: { anomalies: readonly AccountAnomaly[]; lostByCause: Readonly<Record<string, number>> };
}

export interface Account {
  /** One or two sentences: the verdict and its cause. */
  headline: string;
  /** The anomaly the headline is about (the one to link to), if any. */
  lead?: string;
  /** Everything else found, as short "name × count" items, cause-first. */
  alsoFound: string[];
  /** What the configuration allowed, in one sentence (empty when nothing was). */
  allowed: string;
}

/** "500 acknowledged writes lost as the configuration allows (power-loss 253, last-known-leader 247)". */
export function allowedSentence(allowed: AccountInput['allowed']): string {
  if (allowed === undefined) return '';
  const found = causeFirst(allowed.anomalies.filter((a) => a.count > 0));
  if (found.length === 0) return '';
  const causes = Object.entries(allowed.lostByCause).sort((a, b) => b[1] - a[1]);
  const lost = causes.reduce((n, [, c]) => n + c, 0);
  const byCause = causes.map(([cause, n]) => `${cause} ${n.toLocaleString('en')}`).join(', ');
  const head =
    lost > 0
      ? `${plural(lost, 'acknowledged write')} lost as the configuration allows (${byCause})`
      : `${found.map((a) => `${a.name} × ${a.count}`).join(', ')} as the configuration allows`;
  const others = lost > 0 ? found.filter((a) => a.name !== 'acked-write-lost') : [];
  const rest = others.length === 0 ? '' : `, with ${others.map((a) => `${a.name} × ${a.count}`).join(', ')}`;
  const example = found[0].firstExample;
  return `${head}${rest}, not findings${example === undefined ? '' : `: ${example}`}`;
}

/**
 * Anomalies that are causes (a lost write, a broken protocol invariant) come before the symptoms they
 * produce in consumers' reads (two values at one offset, a skipped offset), so the account and the
 * anomaly list start where the trouble started.
 */
const CAUSE_FIRST = [
  'acked-write-lost',
  'nonlinearizable',
  'LeaderCompleteness',
  'ConsistentCommittedData',
  'LogMatching',
  'StrongIsr',
  'WeakIsr',
  'LeaderInIsr',
  'SingleLeader',
  'MonotonicEpoch',
  'MonotonicHighWatermark',
  'divergence-at-rest',
  'lost-write',
  'G1a',
];
/** Symptoms: what consumers saw because of a cause above. */
const SYMPTOMS = [
  'inconsistent-offsets',
  'duplicate',
  'consumer-poll-skip',
  'poll-skip',
  'nonmonotonic-poll',
  'nonmonotonic-send',
  'int-poll-skip',
  'int-nonmonotonic-poll',
  'unseen',
];

function rank(name: string): number {
  const cause = CAUSE_FIRST.indexOf(name);
  if (cause >= 0) return cause;
  const symptom = SYMPTOMS.indexOf(name);
  // Anomalies named nowhere above (new invariants, Raft's) are causes too, after the known ones.
  return symptom >= 0 ? CAUSE_FIRST.length + 1 + symptom : CAUSE_FIRST.length;
}

/** The anomalies in cause-first order (stable for equal ranks). */
export function causeFirst<T extends { name: string }>(anomalies: readonly T[]): T[] {
  return anomalies
    .map((a, i) => ({ a, i }))
    .sort((x, y) => rank(x.a.name) - rank(y.a.name) || x.i - y.i)
    .map(({ a }) => a);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** "3 faults (2 kill, 1 partition)", or "no fault". */
function faultsTried(kinds: readonly string[]): string {
  if (kinds.length === 0) return 'no fault';
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const each = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  return `${plural(kinds.length, 'fault')} (${each})`;
}

export function accountOf(input: AccountInput): Account {
  const found = causeFirst(input.anomalies.filter((a) => a.count > 0));
  const s = input.stats;
  const over = typeof s.simSeconds === 'number' ? ` over ${s.simSeconds.toFixed(1)} simulated seconds` : '';
  if (input.valid === false && found.length > 0) {
    const [lead, ...rest] = found;
    const example = lead.firstExample;
    const why =
      example === undefined || example === ''
        ? `${lead.name} was found ${plural(lead.count, 'time')}.`
        : /^[\w-]+:/.test(example)
          ? example // starts with a name ("cas-register: ..."), kept as written
          : example[0].toUpperCase() + example.slice(1);
    const more = lead.count > 1 ? ` (${lead.name}: ${plural(lead.count, 'case')}; the first is told here.)` : '';
    return {
      headline: `INVALID. ${why}${more}`,
      lead: lead.name,
      alsoFound: rest.map((a) => `${a.name} × ${a.count}`),
      allowed: allowedSentence(input.allowed),
    };
  }
  const lost = typeof s.lost === 'number' ? s.lost : 0;
  const acked = Math.max(0, (typeof s.acked === 'number' ? s.acked : 0) - lost);
  const unreadable = typeof s.unreadable === 'number' && s.unreadable > 0 ? s.unreadable : 0;
  const offline =
    typeof s.unavailableMs === 'number' && s.unavailableMs > 0
      ? `; partitions were without a leader for ${(s.unavailableMs / 1000).toFixed(3)} s in all`
      : '';
  const survived =
    `${plural(acked, 'acknowledged write')} ` +
    (unreadable > 0 ? `kept (${plural(unreadable, 'was', 'were')} unavailable at the end, not lost)` : 'kept') +
    ` through ${faultsTried(input.faultKinds)}${over}${offline}.`;
  const allowed = allowedSentence(input.allowed);
  if (input.valid === true) {
    const losses = allowed === '' ? '' : ` ${allowed[0].toUpperCase()}${allowed.slice(1)}`;
    return { headline: `Valid. ${survived}${losses}`, alsoFound: [], allowed };
  }
  return {
    headline: `Unknown: a checker could not decide (out of time, or the run had no final reads). ${survived}`,
    alsoFound: found.map((a) => `${a.name} × ${a.count}`),
    allowed,
  };
}
