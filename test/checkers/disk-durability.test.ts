// The disk-durability invariant: what was fsynced survives every crash, and a recovered log is a prefix of
// what was written. Fed deliberately broken recoveries, it must object; fed what a power loss may do, not.
import { describe, expect, it } from 'vitest';
import { checkDiskDurability, type LogRecovery } from '../../checkers/invariants/disk.ts';

function recovery(over: Partial<LogRecovery>): LogRecovery {
  return {
    broker: 1,
    partition: 0,
    crashTime: 1000,
    recoveredTime: 6000,
    step: 42,
    mode: 'lose-unsynced',
    written: { startOffset: 0, values: [10, 11, 12, 13] },
    syncedOffset: 2,
    recovered: { startOffset: 0, values: [10, 11] },
    fileAfter: { values: over.recovered?.values ?? [10, 11], torn: 0 },
    ...over,
  };
}

function names(recoveries: LogRecovery[]): Record<string, number> {
  return Object.fromEntries(checkDiskDurability(recoveries).anomalies.map((a) => [a.name, a.count]));
}

describe('checkDiskDurability', () => {
  it('accepts a power loss that took only the unsynced tail, or part of it', () => {
    const r = checkDiskDurability([
      recovery({}),
      recovery({ mode: 'random-suffix', recovered: { startOffset: 0, values: [10, 11, 12] } }),
      recovery({ mode: 'process', recovered: { startOffset: 0, values: [10, 11, 12, 13] } }),
    ]);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ recoveries: 3 });
  });

  it('accepts a power loss that restored an earlier state of the file (a truncation not yet synced is lost)', () => {
    // Seed 1521: offset 2 held 31, was truncated and rewritten with 12 unsynced; the power loss brought 31 back.
    const restored = recovery({
      recovered: { startOffset: 0, values: [10, 11, 31] },
      writtenBefore: { 2: [31, 12] },
    });
    expect(checkDiskDurability([restored]).valid).toBe(true);
    // The same after a process crash is a finding: the page cache keeps the truncation and the rewrite.
    expect(names([{ ...restored, mode: 'process' }])).toEqual({ 'recovered-log-not-prefix': 1 });
    // And a value the broker never wrote at that offset is foreign, power loss or not.
    const foreign = recovery({ recovered: { startOffset: 0, values: [10, 11, 77] }, writtenBefore: { 2: [31] } });
    expect(names([foreign])).toEqual({ 'recovered-log-not-prefix': 1 });
  });

  it('finds a synced record lost in a power loss', () => {
    expect(names([recovery({ recovered: { startOffset: 0, values: [10] } })])).toEqual({ 'fsynced-record-lost': 1 });
  });

  it('finds a process crash that lost a record: the page cache survives it', () => {
    expect(names([recovery({ mode: 'process' })])).toEqual({ 'fsynced-record-lost': 1 });
  });

  it('finds a recovery that kept a torn or foreign record (not a prefix of what was written)', () => {
    const torn = recovery({ mode: 'torn-last', recovered: { startOffset: 0, values: [10, 11, 99] } });
    const longer = recovery({ mode: 'torn-last', recovered: { startOffset: 0, values: [10, 11, 12, 13, 14] } });
    expect(names([torn, longer])).toEqual({ 'recovered-log-not-prefix': 2 });
    const example = checkDiskDurability([torn]).anomalies[0].examples[0];
    expect(example.description).toContain('holds 99 at offset 2 where it had written 12');
    expect(example.detail).toMatchObject({ broker: 1, partition: 0, step: 42, offset: 2 });
  });

  it('finds a recovery that left a torn piece in the file, though the log it loaded is a prefix', () => {
    const tornLeft = recovery({ fileAfter: { values: [10, 11], torn: 1 } });
    expect(names([tornLeft])).toEqual({ 'recovered-log-not-prefix': 1 });
    expect(checkDiskDurability([tornLeft]).anomalies[0].examples[0].description).toContain('1 torn piece(s)');
  });
});
