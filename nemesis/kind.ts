// What every fault kind provides: reading its parameters from a schedule, drawing random ones for
// generated and property-tested schedules, and starting and stopping itself on a cluster. The start
// returns a plain-data account of what it did (concrete node ids); the stop undoes exactly that.
import type { Arbitrary } from 'fast-check';
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { Random } from '../sim/world/random.ts';
import type { World } from '../sim/world/world.ts';
import type { Value } from '../workloads/history/format.ts';
import type { FaultKind } from './fault-kinds.ts';
import type { LinkCuts } from './links.ts';
import type { ClusterShape } from './shape.ts';

export type JsonObject = { [key: string]: Value };

export interface FaultContext {
  readonly cluster: KafkaCluster;
  readonly world: World;
  /** This fault's own stream (named after its id), so removing another fault does not change its choices. */
  readonly random: Random;
  readonly links: LinkCuts;
  /**
   * Records a later part of a fault that goes on by itself between its start and its stop (a rolling restart
   * moving on to the next broker), as a step-<kind> op, at the world's time.
   */
  readonly step: (value: JsonObject) => void;
}

/** Part of a stop that happens later: one restart of a staggered restart order. */
export interface StopStep {
  afterMs: number;
  run(): JsonObject;
}

export interface StopResult {
  value: JsonObject;
  /** Steps after the stop itself, in order; healAll runs any still pending at once. */
  steps: StopStep[];
}

// Methods (not function-valued properties) on purpose: their parameters are checked bivariantly, so a
// kind with its own parameter types still fits the AnyFaultKind table that apply.ts dispatches through.
export interface FaultKindModule<P extends JsonObject, A extends JsonObject> {
  readonly kind: FaultKind;
  /** One line for help texts. */
  readonly summary: string;
  /** Checks parameters read from a schedule; with a shape, also that nodes and partitions exist. */
  parse(raw: unknown, where: string, shape?: ClusterShape): P;
  generate(random: Random, shape: ClusterShape, intensity: number): P;
  arbitrary(shape: ClusterShape): Arbitrary<P>;
  /** How long a generated fault of this kind lasts, start to stop (given the parameters drawn for it). */
  duration(random: Random, intensity: number, params?: P, shape?: ClusterShape): number;
  /**
   * The shortest a generated fault may last and still be what was drawn (an outage's failures one after another
   * all happen before its stop); a fault that cannot last that long before the run's end is not generated.
   */
  minDurationMs?(params: P, shape: ClusterShape): number;
  /** Time after the stop until the fault is fully undone (staggered restarts); 0 for most kinds. */
  tailMs(params: P, shape: ClusterShape): number;
  start(ctx: FaultContext, params: P): A;
  stop(ctx: FaultContext, applied: A): StopResult;
}

export type AnyFaultKind = FaultKindModule<JsonObject, JsonObject>;

/**
 * A duration from minMs up to maxMs; low intensity keeps to the short end. Whole milliseconds keep
 * saved schedules readable.
 */
export function spanMs(random: Random, intensity: number, minMs: number, maxMs: number): number {
  return Math.round(minMs + random.float() * (maxMs - minMs) * (0.4 + 0.6 * intensity));
}

/** A stop with nothing left for later. */
export function done(value: JsonObject): StopResult {
  return { value, steps: [] };
}
