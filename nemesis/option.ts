// The CLI's --nemesis value: a comma list of fault kinds, `none`, `all`, or `swarm` (let the seed pick).
import { ConfigError } from '../sim/world/errors.ts';
import type { FaultKind } from './fault-kinds.ts';
import { EVERY_FAULT_KIND, FAULT_KINDS, isFaultKind } from './fault-kinds.ts';

export function parseNemesisOption(text: string): FaultKind[] | 'swarm' {
  const names = text.split(',').map((s) => s.trim());
  if (names.every((s) => s === '')) throw new ConfigError(`--nemesis: expected fault kinds, none, all or swarm`);
  // "partition," is a list cut short or a typo; reading past it would run a nemesis nobody chose.
  if (names.includes('')) throw new ConfigError(`--nemesis: an empty fault kind in "${text}" (a stray comma?)`);
  if (names.includes('swarm')) {
    if (names.length > 1)
      throw new ConfigError('--nemesis: "swarm" picks the kinds itself and cannot be combined with other names');
    return 'swarm';
  }
  const out = new Set<FaultKind>();
  for (const name of names) {
    if (name === 'none') continue;
    if (name === 'all') {
      for (const k of FAULT_KINDS) out.add(k);
      continue;
    }
    if (!isFaultKind(name)) {
      throw new ConfigError(
        `--nemesis: unknown fault kind "${name}" (one of ${EVERY_FAULT_KIND.join(', ')}; or none, all, swarm)`,
      );
    }
    out.add(name);
  }
  if (names.includes('none') && out.size > 0)
    throw new ConfigError('--nemesis: "none" cannot be combined with fault kinds');
  // Listed in one fixed order, so "kill,partition" and "partition,kill" run the same schedule; opt-in
  // kinds come last, so naming one leaves the others' order as it was.
  return EVERY_FAULT_KIND.filter((k) => out.has(k));
}
