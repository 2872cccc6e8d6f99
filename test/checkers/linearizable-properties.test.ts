// Property tests: histories built from a sequential run are linearizable; mutated small histories get
// the same verdict from the checker as from brute force.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../checkers/linearizable/index.ts';
import { bruteForceLinearizable } from '../helpers/linearizable-brute-force.ts';
import { choiceArb, generateHistory, mutateHistory, mutationArb, SPECS } from '../helpers/linearizable-generators.ts';

describe.each(SPECS)('$name model', (spec) => {
  it('accepts every history built from a sequential run', () => {
    fc.assert(
      fc.property(fc.array(choiceArb, { minLength: 1, maxLength: 40 }), (choices) => {
        const { history } = generateHistory(spec, choices);
        const result = checkLinearizable(history, spec.model);
        expect(result.valid).toBe(true);
        expect(result.anomalies).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with brute force on mutated histories of up to 7 ops', () => {
    const verdicts = { true: 0, false: 0 };
    fc.assert(
      fc.property(fc.array(choiceArb, { minLength: 1, maxLength: 7 }), mutationArb, (choices, mutation) => {
        const history = mutateHistory(spec, generateHistory(spec, choices), mutation);
        const expected = bruteForceLinearizable(history, spec.model, spec.referencePartition ?? spec.model.partition);
        const result = checkLinearizable(history, spec.model);
        expect(result.valid).toBe(expected);
        verdicts[String(expected) as 'true' | 'false']++;
      }),
      { numRuns: 1500 },
    );
    // The property only means something if mutations do break histories often enough.
    expect(verdicts.false).toBeGreaterThan(100);
    expect(verdicts.true).toBeGreaterThan(100);
  });

  it("gives brute force's verdict when cut at every quiescent point (segments.ts)", () => {
    let split = 0;
    fc.assert(
      fc.property(fc.array(choiceArb, { minLength: 1, maxLength: 7 }), mutationArb, (choices, mutation) => {
        const history = mutateHistory(spec, generateHistory(spec, choices), mutation);
        const expected = bruteForceLinearizable(history, spec.model, spec.referencePartition ?? spec.model.partition);
        const result = checkLinearizable(history, spec.model, { minSegmentOps: 1 });
        expect(result.valid).toBe(expected);
        if ((result.stats?.segments as number) > (result.stats?.partitions as number)) split++;
      }),
      { numRuns: 1500 },
    );
    // The property only means something if histories do get cut.
    expect(split).toBeGreaterThan(300);
  });

  it('gives the same verdict split and whole on mutated histories of up to 60 ops', () => {
    fc.assert(
      fc.property(fc.array(choiceArb, { minLength: 1, maxLength: 60 }), mutationArb, (choices, mutation) => {
        const history = mutateHistory(spec, generateHistory(spec, choices), mutation);
        const whole = checkLinearizable(history, spec.model, { splitAtQuiescence: false });
        for (const minSegmentOps of [1, 4]) {
          expect(checkLinearizable(history, spec.model, { minSegmentOps }).valid).toBe(whole.valid);
        }
      }),
      { numRuns: 500 },
    );
  });
});
