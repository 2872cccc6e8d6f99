// Polling a scenario's consumer by hand: each poll runs the world until it returns.
import type { PollResult } from '../../sim/kafka/clients/consumer.ts';
import type { Scenario } from './scenario.ts';

/** `polls` polls of 500 ms by the consumer of client node `client`, in turn. */
export function pollAll(s: Scenario, client: string, polls: number): PollResult[] {
  const results: PollResult[] = [];
  for (let i = 0; i < polls; i++) {
    let done = false;
    s.cluster.client(client)?.consumer.poll(500, (r) => {
      results.push(r);
      done = true;
    });
    s.world.runUntil(() => done, { maxEvents: 1_000_000 });
  }
  return results;
}

/** The values the polls returned for partition `p`, in order. */
export const values = (rs: PollResult[], p = 0): number[] =>
  rs.flatMap((r) => (r.records.get(p) ?? []).map(([, v]) => v));
