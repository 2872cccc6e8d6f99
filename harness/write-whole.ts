// Output files are written whole or not at all: a temporary file, then a rename, so an interrupted run
// never leaves a half-written result behind.
import { renameSync, writeFileSync } from 'node:fs';

export function writeWhole(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
