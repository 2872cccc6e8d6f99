// Output files are written whole or not at all: a temporary file, then a rename, so an interrupted run
// never leaves a half-written result behind. The temporary file is created afresh (O_EXCL) under a name of
// this process's own, so whatever sits at another name (a file, a symbolic link, a directory left by someone
// else) is never written through nor removed; and it is removed when the write or the rename fails, so a
// refused write leaves nothing behind.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

let written = 0;

export function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}-${written++}.tmp`;
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
