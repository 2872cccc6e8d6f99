// Output paths checked before a run and files written whole: what harness/out-path.ts refuses and creates,
// and that write-whole.ts leaves no temporary file behind a failed write nor writes through a link.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/errors.ts';
import { checkOutDir, checkOutFile, makeOutDir } from '../../harness/out-path.ts';
import { writeWhole } from '../../harness/write-whole.ts';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'kafkasim-outpath-'));

describe('output directories', () => {
  it('accepts an existing directory and one that can be made, and makes it with its parents', () => {
    const dir = scratch();
    expect(() => checkOutDir(dir)).not.toThrow();
    const deep = join(dir, 'a', 'b', 'c');
    expect(() => checkOutDir(deep)).not.toThrow();
    makeOutDir(deep);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['c']);
    makeOutDir(deep); // again: already there
  });

  it('refuses a file, a path below a file, the empty name and the kernel filesystems, symbolic links included', () => {
    const dir = scratch();
    const file = join(dir, 'f');
    writeFileSync(file, '');
    symlinkSync('/proc/self', join(dir, 'into-proc'));
    const refusals: [string, RegExp][] = [
      [file, /is a file, not a directory/],
      [join(file, 'x', 'y'), /is below .*\/f, which is a file/],
      ['', /must name a directory/],
      ['/proc/x', /under \/proc/],
      ['/sys/kernel/x', /under \/sys/],
      ['/dev/shm/../null', /under \/dev/],
      [join(dir, 'into-proc', 'x'), /under \/proc/],
    ];
    for (const [path, message] of refusals) {
      expect(() => checkOutDir(path), path).toThrow(UsageError);
      expect(() => checkOutDir(path), path).toThrow(message);
    }
    // makeOutDir checks first, so the /proc spin of Node's recursive mkdir is never reached.
    expect(() => makeOutDir('/proc/kafkasim-x/y')).toThrow(/under \/proc/);
  });

  it('refuses a file output that is a directory, a device or below a file', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'f'), '');
    expect(() => checkOutFile(join(dir, 'repro.min.json'))).not.toThrow();
    expect(() => checkOutFile(join(dir, 'new', 'repro.min.json'))).not.toThrow();
    expect(() => checkOutFile(join(dir, 'f'))).not.toThrow();
    expect(() => checkOutFile(dir)).toThrow(/is a directory, not a file/);
    expect(() => checkOutFile('/dev/null')).toThrow(/under \/dev/);
    expect(() => checkOutFile(join(dir, 'f', 'min.json'))).toThrow(/is below .*\/f, which is a file/);
    expect(() => checkOutFile('')).toThrow(/must name a file/);
  });
});

describe('writeWhole', () => {
  it('leaves no temporary file when the rename fails (the target is a directory)', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'target'));
    expect(() => writeWhole(join(dir, 'target'), 'x')).toThrow();
    expect(readdirSync(dir)).toEqual(['target']);
  });

  it('does not write through a file or link left at the temporary name', () => {
    const dir = scratch();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(dir, 'out.json.tmp'));
    writeWhole(join(dir, 'out.json'), 'written');
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('written');
    // Not ours: left as it was, and nothing of ours left beside it.
    expect(readdirSync(dir).sort()).toEqual(['out.json', 'out.json.tmp', 'victim']);
  });

  it('writes beside a directory left at a temporary-looking name, and leaves it be', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'out.json.tmp'));
    writeWhole(join(dir, 'out.json'), 'written');
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('written');
    expect(readdirSync(dir).sort()).toEqual(['out.json', 'out.json.tmp']);
  });
});
