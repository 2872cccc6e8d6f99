// The account a report opens with and `run` prints (reports/account.ts): cause first, in words.
import { describe, expect, it } from 'vitest';
import { accountOf, causeFirst } from '../../reports/account.ts';

const LOSS =
  'Value 116, acknowledged at offset 38 of partition 2 at 21.403 s, is missing from the final reads; broker 1 ' +
  'removed offsets 38 to 44 at 57.017 s because an unclean leader election made broker 2 leader in epoch 2.';

describe('causeFirst', () => {
  it('puts causes (a lost write, a broken invariant) before the symptoms consumers saw', () => {
    const names = ['inconsistent-offsets', 'duplicate', 'LogMatching', 'acked-write-lost', 'RaftSomething', 'unseen'];
    expect(causeFirst(names.map((name) => ({ name }))).map((a) => a.name)).toEqual([
      'acked-write-lost',
      'LogMatching',
      'RaftSomething',
      'inconsistent-offsets',
      'duplicate',
      'unseen',
    ]);
  });
});

describe('accountOf', () => {
  it("tells a failing run by its first cause's own sentence, the symptoms after", () => {
    const account = accountOf({
      valid: false,
      anomalies: [
        { name: 'inconsistent-offsets', count: 3, firstExample: 'offset 38 of partition 2 holds 116 and 120' },
        { name: 'acked-write-lost', count: 7, firstExample: LOSS },
      ],
      stats: { acked: 100, simSeconds: 60 },
      faultKinds: ['partition'],
    });
    expect(account.headline).toBe(`INVALID. ${LOSS} (acked-write-lost: 7 cases; the first is told here.)`);
    expect(account.lead).toBe('acked-write-lost');
    expect(account.alsoFound).toEqual(['inconsistent-offsets × 3']);
  });

  it('capitalises an example that starts in lower case, and names a finding without one', () => {
    const lower = accountOf({
      valid: false,
      anomalies: [{ name: 'LogMatching', count: 1, firstExample: 'offset 34 of partition 0 differs' }],
      stats: {},
      faultKinds: [],
    });
    expect(lower.headline).toBe('INVALID. Offset 34 of partition 0 differs');
    const bare = accountOf({ valid: false, anomalies: [{ name: 'WeakIsr', count: 2 }], stats: {}, faultKinds: [] });
    expect(bare.headline).toBe('INVALID. WeakIsr was found 2 times. (WeakIsr: 2 cases; the first is told here.)');
  });

  it('tells a valid run what it survived: writes kept, faults by kind, time offline', () => {
    const account = accountOf({
      valid: true,
      anomalies: [],
      stats: { acked: 1234, unreadable: 0, simSeconds: 71.5, unavailableMs: 62105 },
      faultKinds: ['kill', 'partition', 'kill'],
    });
    expect(account.headline).toBe(
      'Valid. 1,234 acknowledged writes kept through 3 faults (2 kill, 1 partition) over 71.5 simulated seconds; ' +
        'partitions were without a leader for 62.105 s in all.',
    );
    expect(account.alsoFound).toEqual([]);
  });

  it('says when writes were unavailable at the end rather than lost, and when nothing was tried', () => {
    const account = accountOf({ valid: true, anomalies: [], stats: { acked: 1, unreadable: 1 }, faultKinds: [] });
    expect(account.headline).toBe(
      'Valid. 1 acknowledged write kept (1 was unavailable at the end, not lost) through no fault.',
    );
  });
});
