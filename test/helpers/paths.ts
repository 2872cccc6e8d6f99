// Where things are, for tests wherever they sit under test/: the repository root and the CLI entry point.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
export const kafkasimBin = resolve(repoRoot, 'bin/kafkasim.js');
/** The public Knossos histories with known verdicts, beside the repository. */
export const knossosHistories = resolve(repoRoot, '../shared/histories/knossos');
