// Swarm testing (Groce et al.; TigerBeetle's VOPR): each seed switches on its own subset of fault kinds
// and its own intensity, so that over many seeds some runs hammer one kind alone and others mix them,
// instead of every run being the same average of everything.
import type { Random } from '../sim/world/random.ts';
import type { FaultKind } from './fault-kinds.ts';
import { FAULT_KINDS, OPT_IN_FAULT_KINDS } from './fault-kinds.ts';
import type { FaultOp, Schedule } from './schedule-types.ts';

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

/** How often swarm adds each opt-in kind (slow-link, controller-move, slow-control-link, reassign, create-topic). */
export const SWARM_EXTRA_SHARE = 0.35;

/**
 * The opt-in kinds a swarm seed adds, drawn from a stream of their own (`extras`) so that the kinds, intensity and
 * schedule every seed drew before stay what they were: a seed that draws no extra runs exactly as it did. A
 * controller move needs ZooKeeper's /controller, so KRaft runs never draw it.
 */
export function swarmExtras(random: Random, metadata: 'zk' | 'kraft'): FaultKind[] {
  return OPT_IN_FAULT_KINDS.filter(
    (k) => random.chance(SWARM_EXTRA_SHARE) && (k !== 'controller-move' || metadata === 'zk'),
  );
}

/**
 * `extra` laid over `base`: the extra faults renumbered after the base ones, every op in time order, base ops first
 * at equal times (so the base schedule's ops keep their order and ids).
 */
export function overlaySchedule(base: Schedule, extra: Schedule): Schedule {
  if (extra.ops.length === 0) return base;
  const next = base.ops.reduce((m, op) => Math.max(m, op.id + 1), 0);
  const shifted = extra.ops.map((op) => ({ ...op, id: op.id + next }) as FaultOp);
  return { ...base, ops: [...base.ops, ...shifted].sort((a, b) => a.at - b.at) };
}
