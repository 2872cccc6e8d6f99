// The metadata quorum at rest: a voter still holding an entry of another epoch below the leader's high watermark
// after the heal is a finding; a voter behind, or ahead with uncommitted entries, is not.
import { describe, expect, it } from 'vitest';
import { checkMetadataAtRest, type VoterAtRest } from '../../checkers/invariants/raft-at-rest.ts';

const voter = (id: number, epochs: number[], o: Partial<VoterAtRest> = {}): VoterAtRest => ({
  voter: id,
  leader: false,
  epoch: 3,
  highWatermark: 0,
  startOffset: 0,
  epochs,
  ...o,
});

describe('metadata-divergence-at-rest', () => {
  const leader = voter(1, [1, 1, 2, 3, 3], { leader: true, highWatermark: 5 });

  it('voters that match the leader, lag behind it or hold nothing committed differently pass', () => {
    const r = checkMetadataAtRest([leader, voter(2, [1, 1, 2, 3, 3]), voter(3, [1, 1, 2])]);
    expect(r.valid).toBe(true);
    // An entry past the leader's high watermark may still be reconciled: not judged.
    const ahead = checkMetadataAtRest([{ ...leader, highWatermark: 3 }, voter(2, [1, 1, 2, 2, 2])]);
    expect(ahead.valid).toBe(true);
  });

  it('a voter with an entry of another epoch below the high watermark is a finding', () => {
    const r = checkMetadataAtRest([leader, voter(2, [1, 1, 2, 2, 2]), voter(3, [1, 1, 2, 3])]);
    expect(r.valid).toBe(false);
    expect(r.anomalies[0].count).toBe(1);
    expect(r.anomalies[0].examples[0].description).toContain('voter 2 holds an entry of epoch 2 at offset 3');
  });

  it('compares only what both logs hold past their snapshots', () => {
    const snap = voter(2, [3, 3], { startOffset: 3 });
    expect(checkMetadataAtRest([leader, snap]).valid).toBe(true);
    expect(checkMetadataAtRest([leader, { ...snap, epochs: [2, 3] }]).valid).toBe(false);
  });

  it('judges against the leader of the highest epoch, and says nothing without a leader', () => {
    const deposed = voter(2, [1, 1, 2, 2, 2], { leader: true, epoch: 2, highWatermark: 5 });
    expect(
      checkMetadataAtRest([deposed, leader, voter(3, [1, 1, 2, 3, 3])]).anomalies[0].examples[0].detail,
    ).toMatchObject({ voter: 2, leader: 1 });
    expect(checkMetadataAtRest([voter(2, [1]), voter(3, [2])]).valid).toBe(true);
  });
});
