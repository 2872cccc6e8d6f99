// What the admin faults (reassign, create-topic) share: an operator's request submitted to the cluster while,
// optionally, the active controller is killed (kill -9) part-way, so that its successor must carry the request on
// from the metadata log or ZooKeeper; the stop restarts the killed controller and ends the admin's retries.
import type { Timer } from '../../sim/world/node.ts';
import type { SubmittedOperation } from '../../sim/kafka/admin.ts';
import type { FaultContext, JsonObject, StopResult } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { Random } from '../../sim/world/random.ts';
import type { Fields } from '../fields.ts';

/** What a running admin fault holds besides its plain-data account: the admin, the kill timer, the killed node. */
interface Running {
  admin: SubmittedOperation;
  timer: Timer | null;
  killed: string | null;
}
const running = new WeakMap<JsonObject, Running>();

/** Reads `killControllerAfterMs`: null (no kill) or a delay from the fault's start. */
export function parseKillAfter(f: Fields): number | null {
  const kill = f.get('killControllerAfterMs');
  return kill === null ? null : f.number('killControllerAfterMs', { min: 0, max: 600_000 });
}

/** A generated kill delay: killed in 30% to 70% of faults (with intensity), 0 to 5 s after the start. */
export function drawKillAfter(
  random: { chance(p: number): boolean; int(a: number, b: number): number },
  intensity: number,
) {
  const kill = random.chance(0.3 + 0.4 * intensity);
  const after = random.int(0, 5000);
  return kill ? after : null;
}

/** Starts the admin fault: `applied` is its account; the kill, if any, is scheduled and recorded as a step. */
export function startAdminFault(
  { cluster, world, step }: FaultContext,
  applied: JsonObject,
  admin: SubmittedOperation,
  killControllerAfterMs: number | null,
  stepOf: (node: string) => JsonObject,
): void {
  const state: Running = { admin, timer: null, killed: null };
  if (killControllerAfterMs !== null) {
    state.timer = world.schedule(killControllerAfterMs, () => {
      state.timer = null;
      const node = cluster.activeControllerNode();
      if (node === null || world.node(node).status !== 'running') return;
      world.crash(node, 'process');
      state.killed = node;
      step(stepOf(node));
    });
  }
  running.set(applied, state);
}

/** Stops the admin fault: no more retries, the killed controller restarted; `value` plus what the stop saw. */
export function stopAdminFault({ world }: FaultContext, applied: JsonObject, value: JsonObject): StopResult {
  const state = running.get(applied);
  state?.timer?.cancel();
  state?.admin.cancel();
  const killed = state?.killed ?? null;
  const restarted = killed !== null && world.node(killed).status === 'down';
  if (restarted) world.start(killed);
  return done({ ...value, accepted: state?.admin.accepted() ?? false, restarted: killed });
}

/**
 * An admin fault's duration and least duration: a span of `minMs` to `maxMs`, long enough that a drawn controller
 * kill happens (and is seen) before the stop.
 */
export function adminFaultTiming(minMs: number, maxMs: number) {
  type Params = { killControllerAfterMs: number | null };
  return {
    duration(random: Random, intensity: number, params?: Params): number {
      const span = spanMs(random, intensity, minMs, maxMs);
      return params === undefined || params.killControllerAfterMs === null
        ? span
        : Math.max(span, params.killControllerAfterMs + 2000);
    },
    minDurationMs: (params: Params): number => (params.killControllerAfterMs ?? 0) + 1000,
    tailMs: (): number => 0,
  };
}
