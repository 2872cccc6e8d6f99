// Packet faults: loss, duplication and extra delay, on every link or on chosen ones, with TCP semantics
// (a lost packet is retransmitted, so the message comes late; a duplicate is discarded). A chosen node's
// faults apply to all its links, clients' included, as a flaky network card would. TCP's order within a
// connection still holds; delay reorders only across connections. Stop clears what the start set.
import fc from 'fast-check';
import type { PacketFaults } from '../../sim/world/network.ts';
import { fail, Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { Link } from '../links.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { checkNode, generateTarget, parseTarget, resolveTarget, targetArbitrary } from '../target.ts';

const RULES = { zk: true };
const SCOPES = ['all', 'nodes', 'links'] as const;
const DELAYS = ['uniform', 'exponential'] as const;

/** Extra one-way delay in ms: uniform between min and max, or exponential with a mean, capped at max. */
export type ExtraDelay =
  { kind: 'uniform'; min: number; max: number } | { kind: 'exponential'; mean: number; max: number };

/** Linux's minimum TCP retransmission timeout. */
const TCP_MIN_RTO_MS = 200;

type Rates = { loss: number; duplicate: number; delay: ExtraDelay | null };
export type PacketParams =
  | ({ scope: 'all' } & Rates)
  | ({ scope: 'nodes'; target: Target } & Rates)
  | ({ scope: 'links'; links: Link[] } & Rates);
/** `links` is empty when the faults went on every link at once. */
export type PacketApplied = { scope: 'all' | 'links'; links: Link[] } & Rates;

function parseDelay(v: unknown, where: string): ExtraDelay | null {
  if (v === null) return null;
  const f = Fields.of(v, where);
  const kind = f.oneOf('kind', DELAYS, 'delay distribution');
  if (kind === 'uniform') {
    f.only(['kind', 'min', 'max']);
    const min = f.number('min', { min: 0, max: 600000 });
    const max = f.number('max', { min, max: 600000 });
    return { kind, min, max };
  }
  f.only(['kind', 'mean', 'max']);
  return { kind, mean: f.number('mean', { min: 0, max: 600000 }), max: f.number('max', { min: 0, max: 600000 }) };
}

function parseLink(v: unknown, where: string, shape?: ClusterShape): Link {
  if (!Array.isArray(v) || v.length !== 2) fail(where, 'expected a link ["from", "to"]');
  const from = checkNode(v[0], `${where}[0]`, RULES, shape);
  const to = checkNode(v[1], `${where}[1]`, RULES, shape);
  if (from === to) fail(where, `a link from "${from}" to itself`);
  return [from, to];
}

function parse(raw: unknown, where: string, shape?: ClusterShape): PacketParams {
  const f = Fields.of(raw, where);
  const scope = f.oneOf('scope', SCOPES, 'scope');
  const rates = (): Rates => ({
    loss: f.number('loss', { min: 0, max: 1 }),
    duplicate: f.number('duplicate', { min: 0, max: 1 }),
    delay: parseDelay(f.get('delay'), f.at('delay')),
  });
  if (scope === 'all') {
    f.only(['scope', 'loss', 'duplicate', 'delay']);
    return { scope, ...rates() };
  }
  if (scope === 'nodes') {
    f.only(['scope', 'target', 'loss', 'duplicate', 'delay']);
    return { scope, target: parseTarget(f.get('target'), f.at('target'), RULES, shape), ...rates() };
  }
  f.only(['scope', 'links', 'loss', 'duplicate', 'delay']);
  const links = f.get('links');
  if (!Array.isArray(links) || links.length === 0) fail(f.at('links'), 'expected a non-empty array of links');
  return { scope, links: links.map((l, i) => parseLink(l, `${f.at('links')}[${i}]`, shape)), ...rates() };
}

function generateRates(random: { float(): number; chance(p: number): boolean }, intensity: number): Rates {
  const loss = random.chance(0.7) ? Math.round((0.02 + 0.4 * intensity * random.float()) * 100) / 100 : 0;
  const duplicate = random.chance(0.3) ? Math.round((0.01 + 0.2 * intensity * random.float()) * 100) / 100 : 0;
  const delay: ExtraDelay | null = random.chance(0.5)
    ? { kind: 'exponential', mean: Math.round(5 + 200 * intensity * random.float()), max: 2000 }
    : null;
  return { loss, duplicate, delay };
}

const ratesArbitrary: fc.Arbitrary<Rates> = fc.record({
  loss: fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
  duplicate: fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
  delay: fc.option(
    fc.integer({ min: 0, max: 500 }).map((mean): ExtraDelay => ({ kind: 'exponential', mean, max: 2000 })),
    { nil: null },
  ),
});

export const packetKind: FaultKindModule<PacketParams, PacketApplied> = {
  kind: 'packet',
  summary: 'packet loss, duplication and extra delay on all links or on chosen nodes or links; stop clears',
  parse,
  generate(random, shape, intensity) {
    const rates = generateRates(random, intensity);
    if (random.chance(0.5)) return { scope: 'all', ...rates };
    return { scope: 'nodes', target: generateTarget(random, shape, RULES, 1), ...rates };
  },
  arbitrary: (shape) =>
    fc.oneof(
      ratesArbitrary.map((r): PacketParams => ({ scope: 'all', ...r })),
      fc
        .tuple(targetArbitrary(shape, RULES, shape.brokers), ratesArbitrary)
        .map(([target, r]): PacketParams => ({ scope: 'nodes', target, ...r })),
    ),
  duration: (random, intensity) => spanMs(random, intensity, 5000, 30000),
  tailMs: () => 0,
  start({ cluster, world, random }, params) {
    const { loss, duplicate, delay } = params;
    // Kafka speaks TCP: a lost packet is retransmitted (200 ms, Linux's minimum RTO, then doubling) and a
    // duplicate is discarded by the stack, so clients and brokers see delays, never lost or doubled requests.
    const faults: PacketFaults = { loss, duplicate, delay: delay ?? undefined, retransmitMs: TCP_MIN_RTO_MS };
    if (params.scope === 'all') {
      world.net.setPacketFaults(faults);
      return { scope: 'all', links: [], loss, duplicate, delay };
    }
    let links: Link[];
    if (params.scope === 'links') links = params.links.map(([a, b]): Link => [a, b]);
    else {
      links = [];
      for (const node of resolveTarget(params.target, cluster, random)) {
        for (const other of world.net.nodes()) if (other !== node) links.push([node, other], [other, node]);
      }
    }
    for (const [from, to] of links) world.net.setPacketFaults(faults, from, to);
    return { scope: 'links', links, loss, duplicate, delay };
  },
  stop({ world }, applied) {
    if (applied.scope === 'all') world.net.setPacketFaults(null);
    for (const [from, to] of applied.links) world.net.setPacketFaults(null, from, to);
    return done({ scope: applied.scope, cleared: applied.scope === 'all' ? 'all' : applied.links.length });
  },
};
