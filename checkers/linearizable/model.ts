// The model interface, after Porcupine's model.go: a sequential specification the checker replays
// candidate linearizations against. Models are plain objects of pure functions.
import type { Op } from '../../workloads/history/format.ts';

/** Returned by `step` when the operation cannot happen in that state. */
export const ILLEGAL: unique symbol = Symbol('illegal');
export type Illegal = typeof ILLEGAL;

/** What a model makes of one history operation: what was asked, and what came back if known. */
export interface ModelCall<Input, Output> {
  input: Input;
  /** undefined when the outcome is unknown (the op completed with :info or never completed). */
  output: Output | undefined;
}

/** One operation of a (sub-)history, as the search sees it. */
export interface Operation<Input, Output> extends ModelCall<Input, Output> {
  /** Position of the invocation among the history's events; orders calls and returns. */
  call: number;
  /** Position of the ok completion, or Infinity when indeterminate (it may take effect at any later time, or never). */
  ret: number;
  invoke: Op;
  /** The ok or info completion; undefined when the op never completed. */
  completion: Op | undefined;
}

/** A sub-history that can be checked alone (P-compositionality: e.g. one key of a key-value store). */
export interface Part<Input, Output> {
  /** Names the part in results, e.g. the key. */
  key: string;
  operations: Operation<Input, Output>[];
}

export interface Model<State, Input, Output> {
  readonly name: string;
  init(): State;
  /**
   * Reads a history operation: `completion` is its ok completion, or undefined when indeterminate
   * (failed ops never get here). Returns null for ops that neither change the state nor can be
   * illegal (a read of nil, an indeterminate read): dropping them keeps the search small.
   * Throws when the op's value does not have the shape the model expects.
   */
  interpret(invoke: Op, completion: Op | undefined): ModelCall<Input, Output> | null;
  /** The state after the operation, or ILLEGAL. Must not modify `state`. */
  step(state: State, input: Input, output: Output | undefined): State | Illegal;
  /** A 32-bit hash; equal states must hash alike. */
  hash(state: State): number;
  equal(a: State, b: State): boolean;
  /**
   * Indeterminate ops whose inputs give the same key have the same effect on every state, so the
   * search only tries them in call order. Defaults to JSON.stringify(input).
   */
  interchangeKey?(input: Input): string;
  /**
   * With `observedKey`: the value an op leaves behind (a write's value, a cas's new value), or null. An
   * indeterminate op whose value no later op observes need not take effect, so the search drops it.
   */
  effectKey?(input: Input): string | null;
  /** The value an op needs to see to be legal (a read's output, a cas's expected value), or null. */
  observedKey?(input: Input, output: Output | undefined): string | null;
  /** Splits a history into independent parts; the history is linearizable iff every part is. */
  partition?(operations: Operation<Input, Output>[]): Part<Input, Output>[];
  describeOperation(input: Input, output: Output | undefined): string;
  describeState(state: State): string;
}

/**
 * A model of any types, for registries and results. Method parameters are checked bivariantly, so
 * every Model<S, I, O> is assignable to this; unknown keeps callers from using the types unchecked.
 */
export type AnyModel = Model<unknown, unknown, unknown>;
