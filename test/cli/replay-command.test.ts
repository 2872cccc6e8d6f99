// The command lines reports and fuzz findings print to rerun a run: every option that changes the run
// must be there, or the rerun is a different test.
import { describe, expect, it } from 'vitest';
import { flagWords, replayCommandFor } from '../../cli/report-data.ts';

describe('replayCommandFor', () => {
  it('names every run option, KRaft mode included', () => {
    const cmd = replayCommandFor({ seed: 7, brokers: 5, minIsr: 1, acks: 1, unclean: true, nemesis: ['kill', 'pause'], timeSeconds: 30, protocol: 'pre-kip-101', metadata: 'kraft' });
    expect(cmd).toBe('npx kafkasim run --seed 7 --brokers 5 --min-isr 1 --acks 1 --unclean --nemesis kill,pause --time 30 --protocol pre-kip-101 --metadata kraft');
  });

  it('falls back to replaying the repro when an option has no flag', () => {
    expect(replayCommandFor({ seed: 7, workload: { producers: 1 } }, { reproFile: 'out/repro.json' })).toBe('npx kafkasim replay out/repro.json');
  });

  it('gives the schedule file instead of the nemesis kinds', () => {
    expect(flagWords({ nemesis: ['kill'], metadata: 'zk' }, 's.json')).toEqual(['--schedule', 's.json', '--metadata', 'zk']);
  });
});
