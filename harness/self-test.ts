// A fault hook for testing the harness itself: KAFKASIM_FUZZ_SELF_TEST="throw:3,exit:5,hang:7" makes seed
// 3 throw inside its run (run.ts: any command), seed 5 kill its fuzz worker process and seed 7 spin
// forever in it (saying so on stderr first), so tests can check that a harness crash is reported as one,
// and that a fuzz makes each a finding and goes on. Unset (always, outside tests) it does nothing.
import { env } from 'node:process';

export type SelfTestFault = 'throw' | 'exit' | 'hang';

export function selfTestFault(seed: number | string): SelfTestFault | undefined {
  const spec = env.KAFKASIM_FUZZ_SELF_TEST;
  if (spec === undefined) return undefined;
  for (const item of spec.split(',')) {
    const [what, s] = item.split(':');
    if (Number(s) === seed && (what === 'throw' || what === 'exit' || what === 'hang')) return what;
  }
  return undefined;
}
