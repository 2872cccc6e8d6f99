// The 122 example histories shipped with Knossos: every verdict must match, each well under a second.
import { afterAll, describe, expect, it } from 'vitest';
import { checkLinearizable, knossosModel } from '../../checkers/linearizable/index.ts';
import {
  KNOSSOS_DIR,
  knossosCorpusExists,
  readKnossosCases,
  readKnossosHistory,
  type KnossosCase,
} from '../helpers/linearizable-knossos-corpus.ts';

const corpusFound = knossosCorpusExists();
if (!corpusFound) console.warn(`Knossos histories not found at ${KNOSSOS_DIR}: their tests are skipped`);
const cases: KnossosCase[] = corpusFound ? readKnossosCases() : [];

describe.skipIf(!corpusFound)('Knossos histories', () => {
  const millis = new Map<string, number>();

  it('lists all 122 histories', () => {
    expect(cases).toHaveLength(122);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', (_file, knossosCase) => {
    const history = readKnossosHistory(knossosCase);
    const startedAt = performance.now();
    const result = checkLinearizable(history, knossosModel(knossosCase.model));
    const elapsed = performance.now() - startedAt;
    millis.set(knossosCase.file, elapsed);
    expect(result.valid).toBe(knossosCase.linearizable);
    expect(elapsed).toBeLessThan(1000);
  });

  afterAll(() => {
    const slowest = [...millis].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const total = [...millis.values()].reduce((sum, ms) => sum + ms, 0);
    console.log(
      `Knossos: ${millis.size} histories in ${total.toFixed(1)} ms; slowest: ` +
        `${slowest.map(([f, ms]) => `${f} ${ms.toFixed(1)} ms`).join(', ')}`,
    );
  });
});
