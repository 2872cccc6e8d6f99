// Replication behaviours for scripted scenarios: the newest release's ("modern" in the tests' words), or
// the newest with --protocol overrides (historical modes such as pre-kip-101, or +name / -name).
import { parseOverrides, type KafkaBehaviours } from '../../sim/kafka/protocol.ts';
import { NEWEST_RELEASE, releaseOf } from '../../sim/kafka/releases.ts';

export const NEWEST_BEHAVIOURS: KafkaBehaviours = releaseOf(NEWEST_RELEASE).behaviours;

export function behavioursOf(mode: string): KafkaBehaviours {
  if (mode === 'modern') return { ...NEWEST_BEHAVIOURS };
  return { ...NEWEST_BEHAVIOURS, ...parseOverrides(mode).changes };
}
