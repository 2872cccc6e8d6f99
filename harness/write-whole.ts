// Output files are written whole or not at all: a temporary file, then a rename, so an interrupted run
// never leaves a half-written result behind. The temporary file is created afresh (O_EXCL), so a file or
// a symbolic link left at its name is never written through; and it is removed when the write or the
// rename fails, so a refused write leaves nothing behind.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeWhole(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
