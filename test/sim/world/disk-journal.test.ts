// A truncation on a journaling file system (ext4, XFS) is metadata: the journal commit that an fsync of ANY file
// forces makes it durable, without the data appended after it. POSIX alone promises less: a power loss may
// return a truncated file to its last fsync even after other files were synced.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Disk, Random } from '../../../sim/world/index.ts';

type Op = { append: string } | { truncate: number } | { fsync: 'log' | 'checkpoint' };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ append: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ truncate: fc.nat({ max: 40 }) }),
  fc.record({ fsync: fc.constantFrom('log' as const, 'checkpoint' as const) }),
);

/** What a lose-unsynced power loss leaves of the log after ops, on a journaled or a POSIX-only file system. */
function expectedAfterPowerLoss(ops: Op[], journaled: boolean): string {
  let current = 'base';
  let synced = 'base';
  // Truncations since the log's last fsync, and whether a journal commit has followed each.
  let pending: { size: number; committed: boolean }[] = [];
  for (const op of ops) {
    if ('append' in op) current += op.append;
    else if ('truncate' in op) {
      if (op.truncate < current.length) pending.push({ size: op.truncate, committed: false });
      current = current.slice(0, op.truncate);
    } else if (op.fsync === 'log') {
      synced = current;
      pending = [];
    } else for (const t of pending) t.committed = true;
  }
  if (!journaled) return synced;
  const sizes = pending.filter((t) => t.committed).map((t) => t.size);
  return sizes.length === 0 ? synced : synced.slice(0, Math.min(...sizes));
}

function apply(disk: Disk, ops: Op[]): void {
  disk.append('log', 'base');
  disk.fsync('log');
  disk.writeAtomic('checkpoint', '0');
  for (const op of ops) {
    if ('append' in op) disk.append('log', op.append);
    else if ('truncate' in op) disk.truncate('log', op.truncate);
    else if (op.fsync === 'log') disk.fsync('log');
    else disk.writeAtomic('checkpoint', String(ops.indexOf(op)));
  }
}

describe('a journaling file system under lose-unsynced power loss', () => {
  it('keeps a truncation that a later fsync of another file committed, and nothing appended after it', () => {
    const disk = new Disk('b0', Random.root(1));
    disk.append('log', 'abcdef');
    disk.fsync('log');
    disk.truncate('log', 3);
    disk.append('log', 'XY');
    disk.writeAtomic('leader-epoch-checkpoint', '1 3');
    disk.crash('lose-unsynced');
    expect(disk.read('log')).toBe('abc');
    expect(disk.read('leader-epoch-checkpoint')).toBe('1 3');
  });

  it('returns the log to its last fsync when no commit followed the truncation, or on POSIX alone', () => {
    const uncommitted = new Disk('b0', Random.root(1));
    uncommitted.append('log', 'abcdef');
    uncommitted.fsync('log');
    uncommitted.truncate('log', 3);
    uncommitted.append('log', 'XY');
    uncommitted.crash('lose-unsynced');
    expect(uncommitted.read('log')).toBe('abcdef');

    const posix = new Disk('b0', Random.root(1), false);
    posix.append('log', 'abcdef');
    posix.fsync('log');
    posix.truncate('log', 3);
    posix.writeAtomic('leader-epoch-checkpoint', '1 3');
    posix.crash('lose-unsynced');
    expect(posix.read('log')).toBe('abcdef');
  });

  it('a lying fsync commits no journal', () => {
    const disk = new Disk('b0', Random.root(1));
    disk.append('log', 'abcdef');
    disk.fsync('log');
    disk.truncate('log', 3);
    disk.setFaults({ fsyncLies: true });
    disk.writeAtomic('leader-epoch-checkpoint', '1 3');
    disk.crash('lose-unsynced');
    expect(disk.read('log')).toBe('abcdef');
  });

  it('matches the model over random appends, truncations and fsyncs of either file', () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 40 }), fc.boolean(), (ops, journaled) => {
        const disk = new Disk('b0', Random.root(1), journaled);
        apply(disk, ops);
        disk.crash('lose-unsynced');
        expect(disk.read('log')).toBe(expectedAfterPowerLoss(ops, journaled));
      }),
    );
  });
});
