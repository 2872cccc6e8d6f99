// How a Jepsen Kafka test was configured, as far as its checker cares, and the anomaly kinds each
// configuration allows (jepsen.tests.kafka/allowed-error-types): found and reported, but not findings.

export type SubscribeVia = 'assign' | 'subscribe';

export interface JepsenKafkaOptions {
  /**
   * Infer ww edges from offsets (Jepsen's :ww-deps). Its Kafka and Redpanda tests default to true; with it,
   * G1c is allowed, since Kafka does not isolate writes.
   */
  wwDeps?: boolean;
  /** Draw rw edges as Jepsen's docstring describes them (Jepsen's code never does): finds G-single, G2-item. */
  rwDeps?: boolean;
  /** How consumers got their keys (Jepsen's :sub-via, default assign). With subscribe, a rebalance may move them. */
  subVia?: readonly SubscribeVia[];
  /** Edge visits the cycle search may spend on one strongly connected component before giving up. */
  cycleSearchBudget?: number;
  /**
   * The consumers' isolation.level, when the verdict should follow Kafka's promise for it (not Jepsen's, which
   * allows nothing for it): read_uncommitted returns records of open and aborted transactions (KafkaConsumer's
   * isolation.level documentation), so G1a and precommitted-read are allowed there. Undefined: Jepsen's judgement.
   */
  isolation?: 'read_committed' | 'read_uncommitted';
}

export const DEFAULT_CYCLE_SEARCH_BUDGET = 50_000_000;

export interface ResolvedOptions {
  wwDeps: boolean;
  rwDeps: boolean;
  subVia: readonly SubscribeVia[];
  cycleSearchBudget: number;
  isolation: 'read_committed' | 'read_uncommitted' | undefined;
}

export function resolveOptions(options: JepsenKafkaOptions): ResolvedOptions {
  return {
    wwDeps: options.wwDeps ?? true,
    rwDeps: options.rwDeps ?? false,
    subVia: options.subVia ?? ['assign'],
    cycleSearchBudget: options.cycleSearchBudget ?? DEFAULT_CYCLE_SEARCH_BUDGET,
    isolation: options.isolation,
  };
}

/**
 * Always: int-send-skip (transactions interleave their sends) and G0 in every form (writes are never
 * isolated). With subscribe: poll-skip and nonmonotonic-poll (a rebalance between two polls may move the
 * consumer). With ww edges: G1c in every form (a ww edge and a wr edge close a cycle without isolation).
 * Jepsen also allows its cycle-exists fallbacks (PL-1, PL-2), which kafkasim does not report.
 */
export function allowedKinds(options: ResolvedOptions): ReadonlySet<string> {
  const allowed = new Set(['int-send-skip', 'G0', 'G0-realtime']);
  if (options.subVia.includes('subscribe')) for (const kind of ['poll-skip', 'nonmonotonic-poll']) allowed.add(kind);
  if (options.wwDeps) for (const kind of ['G1c', 'G1c-realtime']) allowed.add(kind);
  if (options.isolation === 'read_uncommitted') for (const kind of ['G1a', 'precommitted-read']) allowed.add(kind);
  return allowed;
}
