import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Disk, DiskError, Random } from '../../../sim/world/index.ts';

describe('disk', () => {
  it('loses exactly the unsynced bytes on a crash (lose-unsynced)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ append: fc.string({ minLength: 1, maxLength: 8 }) }),
            fc.constant({ fsync: true }),
            fc.record({ truncate: fc.nat({ max: 40 }) }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const disk = new Disk('n1', Random.root(1));
          disk.append('log', 'base');
          disk.fsync('log');
          let synced = 'base';
          let current = 'base';
          for (const op of ops) {
            if ('append' in op) {
              disk.append('log', op.append);
              current += op.append;
            } else if ('truncate' in op) {
              disk.truncate('log', op.truncate);
              current = current.slice(0, op.truncate);
            } else {
              disk.fsync('log');
              synced = current;
            }
            expect(disk.read('log')).toBe(current);
          }
          expect(disk.unsyncedBytes()).toBeLessThanOrEqual(current.length);
          disk.crash('lose-unsynced');
          expect(disk.read('log')).toBe(synced);
        },
      ),
    );
  });

  it('keeps the synced prefix and a prefix of the unsynced tail on random-suffix and torn-last crashes', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }),
        (seed, writes) => {
          for (const mode of ['random-suffix', 'torn-last'] as const) {
            const disk = new Disk('n1', Random.root(seed));
            disk.append('f', 'synced|');
            disk.fsync('f');
            for (const w of writes) disk.append('f', w);
            const full = 'synced|' + writes.join('');
            disk.crash(mode);
            const after = disk.read('f');
            expect(after.startsWith('synced|')).toBe(true);
            expect(full.startsWith(after)).toBe(true);
            if (mode === 'torn-last') {
              // Every write but the last survives whole; the last is cut short.
              const allButLast = 'synced|' + writes.slice(0, -1).join('');
              expect(after.startsWith(allButLast)).toBe(true);
              expect(after.length).toBeLessThan(full.length);
            }
          }
        },
      ),
    );
  });

  it('treats a never-synced file as gone after a crash, and writeAtomic as durable', () => {
    const disk = new Disk('n1', Random.root(1));
    disk.append('new', 'data');
    disk.writeAtomic('checkpoint', '0 42');
    disk.crash('lose-unsynced');
    expect(disk.exists('new')).toBe(false);
    expect(disk.read('checkpoint')).toBe('0 42');
  });

  it('can lie on fsync, fail with EIO, and be full', () => {
    const disk = new Disk('n1', Random.root(1));
    disk.setFaults({ fsyncLies: true });
    disk.append('f', 'abc');
    disk.fsync('f');
    disk.crash('lose-unsynced');
    expect(disk.read('f')).toBe('');
    disk.setFaults({ fsyncLies: false, full: true });
    expect(() => disk.append('f', 'x')).toThrow(DiskError);
    expect(() => disk.append('f', 'x')).toThrow(/no space left/);
    disk.setFaults({ full: false, ioErrorRate: 1 });
    expect(() => disk.append('f', 'x')).toThrow(/I\/O error/);
    disk.clearFaults();
    disk.append('f', 'ok');
    expect(disk.read('f')).toBe('ok');
  });

  it('a checkpoint replaced under a lying fsync comes back whole, old or new, never torn', () => {
    // Kafka writes checkpoints to a temporary file and renames it over the old one (CheckpointFile.write):
    // seed 11745 once read "0 0\n3 3" from a torn "0 0\n3 31" and placed epoch 3 under 27 older records.
    const seen = new Set<string>();
    for (const mode of ['random-suffix', 'torn-last', 'lose-unsynced'] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const disk = new Disk('b1', Random.root(seed));
        disk.writeAtomic('leader-epoch-checkpoint-0', '0 0');
        disk.setFaults({ fsyncLies: true });
        disk.writeAtomic('leader-epoch-checkpoint-0', '0 0\n3 31');
        disk.crash(mode);
        const after = disk.read('leader-epoch-checkpoint-0');
        expect(['0 0', '0 0\n3 31']).toContain(after);
        if (mode !== 'random-suffix') expect(after).toBe('0 0');
        seen.add(after);
      }
    }
    expect(seen.size).toBe(2);
  });
});
