// The fuzz index (reports/fuzz-index.ts): each failing seed says its cause and how to replay and shrink
// it; the elapsed time is the measured one, not the sum of the seeds' times.
import { describe, expect, it } from 'vitest';
import { renderFuzzIndex, type FuzzRun } from '../../reports/fuzz-index.ts';

const CAUSE = 'INVALID. Value 7, acknowledged at offset 3 of partition 1 at 12.500 s, is missing from the final reads.';

function runs(): FuzzRun[] {
  return [
    { seed: 1, valid: true, anomalies: {}, wallMs: 900, events: 10 },
    {
      seed: 2,
      valid: false,
      anomalies: { 'acked-write-lost': 1 },
      wallMs: 800,
      events: 10,
      cause: CAUSE,
      reportHref: 'seeds/2/index.html',
      reproHref: 'seeds/2/repro.json',
    },
  ];
}

describe('renderFuzzIndex', () => {
  it('gives each failing seed its cause, then its replay and shrink commands', () => {
    const html = renderFuzzIndex({ title: 'fuzz', generatedBy: 'test', runs: runs(), elapsedSeconds: 1.2 });
    const seed2 = html.slice(html.indexOf('<h3>seed 2</h3>'));
    expect(seed2).toContain(`<p class="cause">${CAUSE}</p>`);
    expect(seed2).toContain('npx kafkasim replay seeds/2/repro.json\nnpx kafkasim shrink seeds/2/repro.json');
    expect(html).not.toContain('<h3>seed 1</h3>');
  });

  it('shows the elapsed time as measured, the summed seed time apart, and no "so far" once finished', () => {
    const done = renderFuzzIndex({ title: 'fuzz', generatedBy: 'test', runs: runs(), elapsedSeconds: 1.2 });
    expect(done).toContain('<td class="num">1.2 s</td>');
    expect(done).toContain('<td class="num">1.7 s</td>');
    expect(done).not.toContain('so far');
    const running = renderFuzzIndex({
      title: 'fuzz',
      generatedBy: 'test',
      runs: runs(),
      elapsedSeconds: 1.2,
      finished: false,
    });
    expect(running).toContain('1.2 s so far');
  });
});
