// The one place where older protocol behaviours are switched in. Each flag names the fix that is ON in
// modern Kafka, by its KIP or JIRA; a historical mode turns one or more of them off (see
// ../../shared notes, section 4). The code each switch changes says which Kafka class and method it follows.
import { ConfigError } from '../world/errors.ts';

export interface ProtocolFixes {
  /** KIP-101: truncate by leader epoch (OffsetsForLeaderEpoch), not to the local high watermark. */
  kip101: boolean;
  /**
   * KIP-279: the leader answers OffsetsForLeaderEpoch with the largest epoch ≤ the asked one; the follower iterates.
   */
  kip279: boolean;
  /** KIP-320: fetches carry the current leader epoch and are fenced; consumers detect log truncation. */
  kip320: boolean;
  /** KAFKA-7164: a follower that sees the same leader with a higher epoch truncates anyway. */
  kafka7164: boolean;
  /** KAFKA-7128: a follower joins the ISR only once caught up to the start offset of the leader's epoch. */
  kafka7128: boolean;
  /** KIP-966: no high-watermark advance while |ISR| < min.insync.replicas, and eligible leader replicas. */
  kip966: boolean;
}

export const MODERN: ProtocolFixes = {
  kip101: true,
  kip279: true,
  kip320: true,
  kafka7164: true,
  kafka7128: true,
  kip966: true,
};

/** Mode names for `--protocol`, each turning off the fix it is named after. */
const MODES: Record<string, Partial<ProtocolFixes>> = {
  modern: {},
  'pre-kip-101': { kip101: false },
  'pre-kip-279': { kip279: false },
  'pre-kip-320': { kip320: false },
  'kafka-7164': { kafka7164: false },
  'kafka-7128': { kafka7128: false },
  'pre-kip-966': { kip966: false },
};

export const PROTOCOL_MODES = Object.keys(MODES);

/** Parses "modern" or a comma list such as "pre-kip-101,pre-kip-320". */
export function parseProtocol(text: string): { modes: string[]; fixes: ProtocolFixes } {
  const modes = text.split(',').map((s) => s.trim());
  if (modes.every((m) => m === '')) throw new ConfigError('--protocol: expected a mode name');
  // A stray comma, "modern" beside a mode that turns a fix off, a mode named twice: each says the user
  // meant something other than what would run, so none is read past.
  if (modes.includes('')) throw new ConfigError(`--protocol: an empty mode name in "${text}" (a stray comma?)`);
  if (modes.includes('modern') && modes.length > 1)
    throw new ConfigError('--protocol: "modern" is every fix on and cannot be combined with historical modes');
  let fixes = { ...MODERN };
  for (const [i, m] of modes.entries()) {
    const change = MODES[m];
    if (change === undefined) {
      throw new ConfigError(`--protocol: unknown mode "${m}" (one of ${PROTOCOL_MODES.join(', ')})`);
    }
    if (modes.indexOf(m) !== i) throw new ConfigError(`--protocol: "${m}" is named twice`);
    fixes = { ...fixes, ...change };
  }
  return { modes, fixes };
}
