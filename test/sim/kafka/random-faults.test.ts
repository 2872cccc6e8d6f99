// The modern protocol with clean election keeps every invariant under serial faults (one crash with
// power loss, pause, isolation or ZooKeeper cut at a time). A sample of seeds here; bench/invariants.ts
// runs 1,000.
import { describe, expect, it } from 'vitest';
import { protocolBugs, runRandomFaults } from '../../helpers/random-faults.ts';

describe('serial faults, modern protocol, clean election', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`seed ${seed}: no invariant violation`, () => {
      const run = runRandomFaults(seed);
      expect(run.faults).toBeGreaterThan(2);
      expect(run.acked).toBeGreaterThan(50);
      expect(run.uncleanElections).toBe(0);
      expect(protocolBugs(run.invariants)).toEqual([]);
    });
  }

  it('is deterministic: the same seed gives the same run', () => {
    const a = runRandomFaults(42, { simSeconds: 30 });
    const b = runRandomFaults(42, { simSeconds: 30 });
    expect(b).toEqual(a);
  });
});
