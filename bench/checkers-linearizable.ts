// Times the linearizability checker on every Knossos example history.
// Run alone: npx tsx bench/checkers-linearizable.ts
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable, knossosModel } from '../checkers/linearizable/index.ts';
import {
  KNOSSOS_DIR,
  knossosCorpusExists,
  readKnossosCases,
  readKnossosHistory,
} from '../test/helpers/linearizable-knossos-corpus.ts';

export async function benchLinearizable(): Promise<void> {
  if (!knossosCorpusExists()) {
    console.log(`linearizable: Knossos histories not found at ${KNOSSOS_DIR}; nothing to time`);
    return;
  }
  const cases = readKnossosCases();
  let totalMs = 0;
  let slowest = { file: '', ms: -1 };
  let mismatches = 0;
  let unknown = 0;
  for (const knossosCase of cases) {
    // Reading and parsing are not the checker's work: they stay outside the timed section.
    const history = readKnossosHistory(knossosCase);
    const startedAt = performance.now();
    const result = checkLinearizable(history, knossosModel(knossosCase.model));
    const ms = performance.now() - startedAt;
    totalMs += ms;
    if (ms > slowest.ms) slowest = { file: knossosCase.file, ms };
    if (result.valid === 'unknown') unknown++;
    if (result.valid !== knossosCase.linearizable) mismatches++;
  }
  console.log(`linearizable: ${cases.length} Knossos histories checked in ${totalMs.toFixed(1)} ms`);
  console.log(`linearizable: slowest ${slowest.file} in ${slowest.ms.toFixed(1)} ms`);
  console.log(`linearizable: ${mismatches} verdict mismatches (${unknown} unknown)`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await benchLinearizable();
}
