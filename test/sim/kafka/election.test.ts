// The leader election rules both controllers share (sim/kafka/election.ts): clean election from the ISR,
// then KIP-966's eligible leader replicas, unclean only when enabled; ISR shrinks that keep dropped
// members eligible below min.insync.replicas; an offline partition remembering its last known leader.
import { describe, expect, it } from 'vitest';
import { decideLiveChange, electLeader } from '../../../sim/kafka/election.ts';

describe('election rules (shared by the ZooKeeper-mode and KRaft controllers)', () => {
  const policy = { elr: true, unclean: false, minIsr: 2 };
  const live = (set: number[]) => (b: number) => set.includes(b);

  it('elects the first live ISR member in assignment order, else an ELR member, else unclean only if enabled', () => {
    const p = { leader: 0, isr: [0, 2], elr: [], replicas: [0, 1, 2], lastKnownElr: [] };
    const unclean = { ...policy, unclean: true };
    expect(electLeader(p, live([1, 2]), policy)).toEqual({ leader: 2, isr: [2], unclean: false });
    const fromElr = { leader: 1, isr: [1], unclean: false };
    expect(electLeader({ ...p, isr: [0], elr: [1] }, live([1, 2]), policy)).toEqual(fromElr);
    expect(electLeader({ ...p, isr: [0] }, live([1, 2]), policy)).toBeNull();
    expect(electLeader({ ...p, isr: [0] }, live([1, 2]), unclean)).toEqual({ leader: 1, isr: [1], unclean: true });
  });

  it('shrinks the ISR of a live leader and keeps dropped members eligible below min.insync.replicas (KIP-966)', () => {
    const p = { leader: 0, isr: [0, 1], elr: [], replicas: [0, 1, 2], lastKnownElr: [] };
    expect(decideLiveChange(p, live([0, 2]), [], policy)).toEqual({ kind: 'isr', isr: [0], elr: [1] });
    expect(decideLiveChange(p, live([0, 1, 2]), [], policy)).toBeNull();
  });

  it('keeps a leaderless partition offline with its last ISR, remembering the last known leader', () => {
    const p = { leader: 0, isr: [0], elr: [], replicas: [0, 1, 2], lastKnownElr: [] };
    const offline = { kind: 'offline', isr: [0], elr: [], lastKnownElr: [0] };
    expect(decideLiveChange(p, live([1, 2]), [], policy)).toEqual(offline);
  });
});
