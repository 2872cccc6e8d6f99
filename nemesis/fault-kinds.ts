// The names of the fault kinds, in the order the CLI lists them. Each has its own module in kinds/.
// This file imports nothing so that every other nemesis file can use the names without cycles.

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
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(name: unknown): name is FaultKind {
  return typeof name === 'string' && (FAULT_KINDS as readonly string[]).includes(name);
}
