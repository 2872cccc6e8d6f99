// The names of the fault kinds, in the order the CLI lists them. Each has its own module in kinds/.
// This file imports nothing so that every other nemesis file can use the names without cycles.

/** The kinds `all` and swarm testing choose from. */

export const FAULT_KINDS = [
  'partition',
  'leader-data-path',
  'zk',
  'kill',
  'kill-all',
  'power-loss',
  'pause',
  'outage',
  'clock',
  'disk',
  'packet',
  'rolling-restart',
  'replace-disk',
] as const;

/**
 * Kinds generated only when named (`--nemesis kill,slow-link`), never by `all`; swarm adds them over its own draw
 * from streams of their own (swarm.ts, swarmExtras). Adding a kind to FAULT_KINDS would change what every `all`
 * and swarm seed draws, and regression seeds and saved repros depend on those schedules staying byte-identical.
 */
export const OPT_IN_FAULT_KINDS = [
  'slow-link',
  'controller-move',
  'slow-control-link',
  'reassign',
  'create-topic',
] as const;

/** Every kind a schedule may name, in the order option lists are normalised to. */
export const EVERY_FAULT_KIND = [...FAULT_KINDS, ...OPT_IN_FAULT_KINDS] as const;

export type FaultKind = (typeof EVERY_FAULT_KIND)[number];

export function isFaultKind(name: unknown): name is FaultKind {
  return typeof name === 'string' && (EVERY_FAULT_KIND as readonly string[]).includes(name);
}
