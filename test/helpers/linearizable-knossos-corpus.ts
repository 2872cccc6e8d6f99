// Finds and reads the Knossos example histories (../shared/histories/knossos, next to the repository),
// for the tests and the benchmark.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isKnossosModelName, type KnossosModelName } from '../../checkers/linearizable/index.ts';
import { readEdnHistory } from '../../workloads/history/edn.ts';
import type { History } from '../../workloads/history/format.ts';
import { repoRoot } from './paths.ts';

export const KNOSSOS_DIR = path.resolve(repoRoot, '../shared/histories/knossos');
const EXPECTED_TSV = path.join(KNOSSOS_DIR, 'expected.tsv');

export interface KnossosCase {
  /** Path relative to the Knossos folder, e.g. cas-register/good/memstress3-4.edn. */
  file: string;
  linearizable: boolean;
  model: KnossosModelName;
  invokes: number;
}

export function knossosCorpusExists(): boolean {
  return existsSync(EXPECTED_TSV);
}

/** The rows of expected.tsv: file, expected verdict, model, invocation count. */
export function readKnossosCases(): KnossosCase[] {
  const rows = readFileSync(EXPECTED_TSV, 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [file, expected, model, invokes] = row.split('\t');
    if (!isKnossosModelName(model)) throw new Error(`expected.tsv: unknown model ${model} for ${file}`);
    if (expected !== 'linearizable' && expected !== 'NOT linearizable') {
      throw new Error(`expected.tsv: unknown verdict ${expected} for ${file}`);
    }
    return { file, linearizable: expected === 'linearizable', model, invokes: Number(invokes) };
  });
}

export function readKnossosHistory(knossosCase: KnossosCase): History {
  return readEdnHistory(readFileSync(path.join(KNOSSOS_DIR, knossosCase.file), 'utf8'));
}
