// What a program running on a simulated node sees: its clock, its timers, the network and its disk.
// Programs never touch real time or real randomness; this context is their whole world.
import type { Disk } from './disk.ts';
import type { NodeId } from './network.ts';
import type { Random } from './random.ts';

export interface Timer {
  cancel(): void;
  readonly cancelled: boolean;
}

export interface NodeContext {
  readonly id: NodeId;
  /** Counts starts of this node: 1 for the first, 2 after the first restart... */
  readonly incarnation: number;
  /** The node's local clock (ms): world time plus this node's offset and drift. */
  now(): number;
  /**
   * The node's monotonic clock (ms; System.nanoTime's): clock steps leave it alone, drift does not. Kafka
   * measures some deadlines on it (BrokerHeartbeatManager's sessions), others on the wall clock.
   */
  monotonicNow(): number;
  /** Runs fn after delayMs of this node's local time, unless cancelled or the node dies first. */
  setTimer(delayMs: number, fn: () => void): Timer;
  /** setTimer for hot paths: fn gets `arg`, so no closure needs allocating per timer. */
  setTimerWith<A>(delayMs: number, fn: (arg: A) => void, arg: A): Timer;
  send(to: NodeId, msg: unknown): void;
  readonly disk: Disk;
  /** This incarnation's own random stream. */
  readonly random: Random;
  trace(kind: string, detail: string): void;
  /**
   * The process exits at once, as Kafka's Exit.halt on a fatal error: a crash that keeps the page cache.
   * The caller should return straight away; nothing it does afterwards reaches the world.
   */
  halt(reason: string): void;
  /**
   * The program has finished stopping after a terminate (SIGTERM): its clean shutdown (onShutdown) runs and
   * the process exits. The caller should return straight away, as after halt.
   */
  exit(): void;
}

/** A program running on a node: its memory is whatever the object holds, gone on crash. */
export interface Program {
  onMessage(from: NodeId, msg: unknown): void;
  /** A clean shutdown: flush and checkpoint before the node stops. */
  onShutdown?(): void;
  /**
   * SIGTERM: the program begins stopping as it sees fit (a Kafka broker's controlled shutdown first) and calls
   * `exit()` on its context when done. A program without it shuts down cleanly at once.
   */
  onTerminate?(): void;
}

export type ProgramFactory = (ctx: NodeContext) => Program;

export type NodeStatus = 'down' | 'running' | 'paused';
