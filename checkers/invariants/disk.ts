// The disk-durability invariant, over every log a broker recovered after a crash: what was fsynced survives
// every crash (a process crash keeps the page cache, so there everything written survives), and a recovered
// log is a prefix of what was written. A power loss may take the unflushed tail and nothing more: a loss
// larger than that (a synced record gone, a torn or foreign record kept) is a finding, whatever the
// configuration, since no setting of Kafka's allows it.
import type { AnomalyExample, CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';

/** One partition log as a broker wrote it before a crash, and as it recovered it at the next start. */
export interface LogRecovery {
  broker: number;
  partition: number;
  /** World time (ms) of the crash, and of the start that recovered the log. */
  crashTime: number;
  recoveredTime: number;
  /** The world event of that start (the step a violation names). */
  step: number;
  /** 'process' (kill -9, a halt: the page cache survives) or the power-loss mode. */
  mode: string;
  /** What the log held when the crash struck: values[i] at startOffset + i. */
  written: { startOffset: number; values: number[] };
  /** The end of what was synced to disk then (records below it are durable). */
  syncedOffset: number;
  /** What the broker loaded from its disk at the start after the crash. */
  recovered: { startOffset: number; values: number[] };
  /**
   * The log file right after that recovery: the values of its whole records, and how many torn pieces lie among
   * them. A recovery cuts the file at the first damaged batch, so it must hold the recovered log and nothing else.
   */
  fileAfter: { values: number[]; torn: number };
  /**
   * At each offset where the recovered log differs from `written`, the values the broker had written there
   * earlier: a power loss may restore any state the file passed through since its last sync (a truncation not
   * yet synced is lost with the appends after it), so such a record is the file's past, not a foreign one.
   */
  writtenBefore?: Record<number, number[]>;
}

export const DISK_DURABILITY_EXPLANATIONS = {
  'fsynced-record-lost':
    'A record that was synced to disk (or, after a process crash, in the page cache, which survives it) was ' +
    'missing from the log the broker recovered after the crash. Kafka acknowledges before fsync and relies on ' +
    'replication, but what reached the disk must survive: a loss larger than what a power loss can explain.',
  'recovered-log-not-prefix':
    "A broker's recovered log is not a prefix of what it had written before the crash: log recovery kept a " +
    'torn or foreign record, or a record changed, where it should cut the log at the first damaged batch.',
} as const;

export function checkDiskDurability(recoveries: readonly LogRecovery[]): CheckResult {
  const lost: AnomalyExample[] = [];
  const notPrefix: AnomalyExample[] = [];
  let lostCount = 0;
  let notPrefixCount = 0;
  for (const r of recoveries) {
    const base = {
      broker: r.broker,
      partition: r.partition,
      crashTime: r.crashTime,
      time: r.recoveredTime,
      step: r.step,
      mode: r.mode,
    };
    const what = `broker ${r.broker}'s log of partition ${r.partition}, recovered after the ${r.mode} crash at ${ms(
      r.crashTime,
    )}`;
    const writtenEnd = r.written.startOffset + r.written.values.length;
    const recoveredEnd = r.recovered.startOffset + r.recovered.values.length;
    const mismatch = firstMismatch(r);
    const fileAfter = r.fileAfter;
    if (mismatch === null && (fileAfter.torn > 0 || !sameValues(fileAfter.values, r.recovered.values))) {
      notPrefixCount++;
      if (notPrefix.length < MAX_EXAMPLES) {
        notPrefix.push({
          description:
            `${capital(what)}, holds offsets ${r.recovered.startOffset} to ${recoveredEnd - 1}, but its file still ` +
            `holds ${fileAfter.values.length} whole record(s) and ${fileAfter.torn} torn piece(s): recovery left ` +
            'damage behind, which later appends land after and a later recovery cuts with them.',
          ops: [],
          detail: { ...base, writtenEnd, recoveredEnd, fileRecords: fileAfter.values.length, torn: fileAfter.torn },
        });
      }
      continue;
    }
    if (mismatch !== null) {
      notPrefixCount++;
      if (notPrefix.length < MAX_EXAMPLES) {
        notPrefix.push({
          description:
            `${capital(what)}, holds ${mismatch.recovered} at offset ${mismatch.offset} where it had written ` +
            `${mismatch.written === null ? 'nothing' : mismatch.written} ` +
            `(it had written up to offset ${writtenEnd - 1}).`,
          ops: [],
          detail: { ...base, ...mismatch, writtenEnd, recoveredEnd },
        });
      }
      continue;
    }
    // A process crash keeps every write; a power loss keeps at least what was synced.
    const mustKeep = r.mode === 'process' ? writtenEnd : Math.min(r.syncedOffset, writtenEnd);
    if (recoveredEnd < mustKeep) {
      lostCount++;
      if (lost.length < MAX_EXAMPLES) {
        const kept =
          r.mode === 'process'
            ? 'every record written (the page cache survives a process crash)'
            : 'every record synced';
        lost.push({
          description:
            `${capital(what)}, ends at offset ${recoveredEnd}, but the crash had to keep ${kept}, up to offset ` +
            `${mustKeep - 1}: ${mustKeep - recoveredEnd} record(s) lost beyond what the crash can explain.`,
          ops: [],
          detail: { ...base, syncedOffset: r.syncedOffset, writtenEnd, recoveredEnd },
        });
      }
    }
  }
  const anomalies = [];
  if (lostCount > 0)
    anomalies.push({
      name: 'fsynced-record-lost',
      count: lostCount,
      explanation: DISK_DURABILITY_EXPLANATIONS['fsynced-record-lost'],
      examples: lost,
    });
  if (notPrefixCount > 0)
    anomalies.push({
      name: 'recovered-log-not-prefix',
      count: notPrefixCount,
      explanation: DISK_DURABILITY_EXPLANATIONS['recovered-log-not-prefix'],
      examples: notPrefix,
    });
  return {
    checker: 'disk-durability',
    valid: anomalies.length === 0,
    anomalies,
    stats: { recoveries: recoveries.length, fsyncedRecordsLost: lostCount, notPrefix: notPrefixCount },
  };
}

/**
 * The first offset where the recovered log holds what the broker never wrote there (after a power loss: neither
 * at the crash nor in an earlier state of the file), or null.
 */
function firstMismatch(r: LogRecovery): { offset: number; recovered: number; written: number | null } | null {
  const { written, recovered } = r;
  for (let i = 0; i < recovered.values.length; i++) {
    const offset = recovered.startOffset + i;
    const w = offset - written.startOffset;
    const had = w >= 0 && w < written.values.length ? written.values[w] : null;
    if (had === recovered.values[i]) continue;
    // After a power loss, a state the file passed through before the crash; never after a process crash.
    if (r.mode !== 'process' && (r.writtenBefore?.[offset] ?? []).includes(recovered.values[i])) continue;
    return { offset, recovered: recovered.values[i], written: had };
  }
  return null;
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function ms(t: number): string {
  return `${(t / 1000).toFixed(3)} s`;
}

function capital(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
