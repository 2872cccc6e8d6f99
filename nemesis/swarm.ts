// Swarm testing (Groce et al.; TigerBeetle's VOPR): each seed switches on its own subset of fault kinds
// and its own intensity, so that over many seeds some runs hammer one kind alone and others mix them,
// instead of every run being the same average of everything.
import type { Random } from '../sim/world/random.ts';
import type { FaultKind } from './fault-kinds.ts';
import { FAULT_KINDS } from './fault-kinds.ts';

export interface SwarmChoice {
  kinds: FaultKind[];
  intensity: number;
  /** One line for the run to print, so a seed's fault mix is visible without replaying it. */
  description: string;
}

export function swarm(random: Random): SwarmChoice {
  let kinds = FAULT_KINDS.filter(() => random.chance(0.5));
  if (kinds.length === 0) kinds = [random.pick(FAULT_KINDS)];
  // Two decimals, so the intensity printed in the description is exactly the one used.
  const intensity = Math.round((0.1 + 0.9 * random.float()) * 100) / 100;
  const description =
    `swarm: ${kinds.join(', ')} (${kinds.length} of ${FAULT_KINDS.length} kinds) at intensity ` +
    `${intensity.toFixed(2)}`;
  return { kinds, intensity, description };
}
