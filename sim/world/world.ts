// The deterministic world: a virtual clock, one event queue, a network, a disk per node and the programs
// running on the nodes. Everything that happens is an event on the queue; everything random is a named
// stream forked from the seed. Same seed, same run.
import type { CrashMode } from './disk.ts';
import { Disk } from './disk.ts';
import type { Distribution } from './distribution.ts';
import { validateDistribution } from './distribution.ts';
import { ConfigError } from './errors.ts';
import type { QueuedEvent } from './event-queue.ts';
import { EventQueue } from './event-queue.ts';
import { Hasher } from './hash.ts';
import type { Connection, NetworkHost, NodeId } from './network.ts';
import { Network, NOTHING } from './network.ts';
import { NodeClock } from './clock.ts';
import type { NodeContext, NodeStatus, Program, ProgramFactory, Timer } from './node.ts';
import { Random } from './random.ts';
import type { Seed } from './seed.ts';
import { parseSeed } from './seed.ts';
import type { TraceLevel } from './trace.ts';
import { Trace } from './trace.ts';

export interface WorldOptions {
  seed: Seed;
  /** Run same-time events in a seeded random order instead of scheduling order. */
  shuffleSameTime?: boolean;
  /** One-way latency of every link unless overridden. Default: uniform 0.5–1.5 ms. */
  defaultLatency?: Distribution;
  traceCapacity?: number;
  traceLevel?: TraceLevel;
  /**
   * The nodes' file system: `journaled` (ext4, XFS; the default) makes a truncation durable with the next
   * journal commit, `posix` only with the file's own fsync (Disk's journaledMetadata).
   */
  fileSystem?: FileSystem;
}

export type FileSystem = 'journaled' | 'posix';
export const FILE_SYSTEMS: readonly FileSystem[] = ['journaled', 'posix'];

/** An event on the queue; also the Timer handle given out, so cancelling is a flag (lazy deletion). */
class EventHandle implements QueuedEvent, Timer {
  cancelled = false;
  pos = -1;
  constructor(
    private readonly queue: EventQueue<EventHandle>,
    public at: number,
    public key: number,
    public fn: (arg: unknown, aux: number) => void,
    public arg: unknown,
    /** The node whose program this event belongs to, or null for the world's own events. */
    public owner: SimNode | null,
    public incarnation: number,
    /** A number passed to fn beside arg (a delivery's connection epoch), saving an allocation. */
    public aux = 0,
  ) {}
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    // Not in the queue while deferred by a pause: the flag alone keeps resume() from running it.
    this.queue.remove(this);
  }
}

export class SimNode {
  status: NodeStatus = 'down';
  incarnation = 0;
  program: Program | null = null;
  /** Events that fired while paused, to run in order on resume. */
  deferred: EventHandle[] = [];
  readonly clock = new NodeClock();
  starts = 0;
  crashes = 0;
  /** Called once when a terminate of this incarnation ends in its clean exit (not if it dies otherwise). */
  onExit: (() => void)[] = [];

  constructor(
    readonly id: NodeId,
    readonly factory: ProgramFactory,
    readonly disk: Disk,
  ) {}
}

export type RunLimit = number | ((world: World) => boolean);
export interface RunResult {
  reason: 'time' | 'predicate' | 'idle' | 'max-events';
  events: number;
}

/** Microsecond resolution keeps times exact through ms ↔ ns conversions (EDN histories use ns). */
function toMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class World implements NetworkHost {
  readonly seed: Seed;
  readonly random: Random;
  readonly net: Network;
  readonly trace: Trace;
  now = 0;
  /** Events run so far (cancelled ones not counted). */
  events = 0;
  private seq = 0;
  private readonly queue = new EventQueue<EventHandle>();
  private readonly nodeMap = new Map<NodeId, SimNode>();
  private readonly hooks: ((world: World) => void)[] = [];
  private readonly shuffle: Random | null;
  private readonly fileSystem: FileSystem;
  private readonly streams: Random[] = [];

  constructor(options: WorldOptions) {
    this.seed = parseSeed(options.seed);
    this.random = Random.root(this.seed);
    const latency = validateDistribution(
      options.defaultLatency ?? { kind: 'uniform', min: 0.5, max: 1.5 },
      'defaultLatency',
    );
    const capacity = options.traceCapacity ?? 2000;
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new ConfigError(`traceCapacity must be a non-negative integer, got ${capacity}`);
    }
    this.trace = new Trace(capacity, options.traceLevel ?? 'faults');
    this.shuffle = options.shuffleSameTime ? this.stream('interleaving') : null;
    this.fileSystem = options.fileSystem ?? 'journaled';
    this.net = new Network(this, this.stream('network'), latency, (id) => this.nodeMap.get(id));
  }

  /** A named random stream for a component (registered so that unseed() covers it). */
  stream(name: string): Random {
    const r = this.random.fork(name);
    this.streams.push(r);
    return r;
  }

  // ---- scheduling ----

  private push(at: number, fn: (arg: unknown, aux: number) => void, arg: unknown, owner: SimNode | null): EventHandle {
    const seq = this.seq++;
    const key = this.shuffle === null ? seq : this.shuffle.float();
    const e = new EventHandle(this.queue, at, key, fn, arg, owner, owner === null ? 0 : owner.incarnation);
    this.queue.push(e);
    return e;
  }

  /** Runs fn after delayMs of world time (for the world's own actors: nemesis, workload driver). */
  schedule(delayMs: number, fn: () => void): Timer {
    if (!(delayMs >= 0)) throw new RangeError(`negative or NaN delay ${delayMs}`);
    return this.push(toMicros(this.now + delayMs), fn, undefined, null);
  }

  /** Runs fn at world time atMs (not before now). */
  at(atMs: number, fn: () => void): Timer {
    return this.push(toMicros(Math.max(this.now, atMs)), fn, undefined, null);
  }

  /**
   * For the network: a message on conn arrives at `at` unless the connection's epoch moves on. Deliveries
   * are most of the events and nobody outside the world holds their handles, so handles are reused.
   */
  scheduleDelivery(at: number, conn: Connection, epoch: number): void {
    const seq = this.seq++;
    const key = this.shuffle === null ? seq : this.shuffle.float();
    let e = this.freeDeliveries.pop();
    if (e === undefined) {
      e = new EventHandle(this.queue, toMicros(at), key, this.deliver, conn, conn.dest as SimNode, -1, epoch);
    } else {
      e.at = toMicros(at);
      e.key = key;
      e.arg = conn;
      e.owner = conn.dest as SimNode;
      e.aux = epoch;
    }
    this.queue.push(e);
  }

  private readonly freeDeliveries: EventHandle[] = [];

  traceNet(node: NodeId, kind: string, detail: () => string): void {
    if (this.trace.verbose) this.trace.record(this.now, node, kind, detail());
  }

  private readonly deliver = (arg: unknown, epoch: number): void => {
    const conn = arg as Connection;
    const msg = this.net.takeDelivery(conn, epoch);
    if (msg === NOTHING) return;
    const dest = conn.dest as SimNode;
    if (dest.status !== 'running' || dest.program === null) {
      this.net.stats.dropped++;
      if (this.trace.verbose) this.trace.record(this.now, conn.to, 'drop-down', `${conn.from}->${conn.to}`);
      return;
    }
    if (this.trace.verbose) this.trace.record(this.now, conn.to, 'deliver', `${conn.from}->${conn.to}`);
    dest.program.onMessage(conn.from, msg);
  };

  onEvent(hook: (world: World) => void): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** Runs one event. Returns false when the queue is empty. */
  step(): boolean {
    for (;;) {
      const e = this.queue.pop();
      if (e === undefined) return false;
      if (e.cancelled) continue;
      if (this.run(e)) return true;
    }
  }

  /** Runs a popped event; false if it was dropped (dead incarnation) or deferred (paused node). */
  private run(e: EventHandle): boolean {
    this.now = e.at;
    const owner = e.owner;
    if (owner !== null) {
      // Deliveries carry incarnation -1: a message may arrive at any incarnation of its destination.
      if (e.incarnation !== -1 && e.incarnation !== owner.incarnation) return false;
      if (owner.status === 'paused') {
        owner.deferred.push(e);
        return false;
      }
      // A delivery to a down node still runs, so the network accounts for the drop; a timer does not.
      if (owner.status === 'down' && e.incarnation !== -1) return false;
    }
    e.fn(e.arg, e.aux);
    this.events++;
    if (e.fn === this.deliver) {
      e.arg = null;
      this.freeDeliveries.push(e);
    }
    const hooks = this.hooks;
    for (let i = 0; i < hooks.length; i++) hooks[i](this);
    return true;
  }

  /** Runs until world time reaches `limit` (events at exactly that time run), a predicate holds, or nothing is left. */
  runUntil(limit: RunLimit, options: { maxEvents?: number } = {}): RunResult {
    const max = options.maxEvents ?? Infinity;
    const start = this.events;
    if (typeof limit === 'number') {
      const queue = this.queue;
      for (;;) {
        if (this.events - start >= max) return { reason: 'max-events', events: this.events - start };
        const e = queue.pop();
        if (e === undefined) {
          this.now = Math.max(this.now, limit);
          return { reason: 'idle', events: this.events - start };
        }
        if (e.cancelled) continue;
        if (e.at > limit) {
          queue.push(e);
          this.now = Math.max(this.now, limit);
          return { reason: 'time', events: this.events - start };
        }
        this.run(e);
      }
    }
    for (;;) {
      if (limit(this)) return { reason: 'predicate', events: this.events - start };
      if (this.events - start >= max) return { reason: 'max-events', events: this.events - start };
      if (!this.step()) return { reason: 'idle', events: this.events - start };
    }
  }

  /** Runs for `ms` more of world time. */
  runFor(ms: number): RunResult {
    return this.runUntil(this.now + ms);
  }

  // ---- nodes ----

  addNode(id: NodeId, factory: ProgramFactory): SimNode {
    if (this.nodeMap.has(id)) throw new ConfigError(`node ${JSON.stringify(id)} already exists`);
    if (id.length === 0) throw new ConfigError('node id must not be empty');
    const node = new SimNode(id, factory, new Disk(id, this.stream(`disk:${id}`), this.fileSystem === 'journaled'));
    this.nodeMap.set(id, node);
    this.net.register(id);
    return node;
  }

  node(id: NodeId): SimNode {
    const n = this.nodeMap.get(id);
    if (!n) throw new RangeError(`unknown node ${JSON.stringify(id)}`);
    return n;
  }

  nodes(): SimNode[] {
    return [...this.nodeMap.values()];
  }

  /** Starts (or restarts) the node's program from its disk. */
  start(id: NodeId): void {
    const node = this.node(id);
    if (node.status !== 'down') return;
    node.incarnation++;
    node.starts++;
    node.status = 'running';
    node.deferred = [];
    this.trace.record(this.now, id, 'start', `incarnation ${node.incarnation}`);
    const incarnation = node.incarnation;
    const program = node.factory(this.context(node));
    // A program can halt while it starts (a disk error recovering its logs): then it is not running.
    if (node.incarnation === incarnation && node.status === 'running') node.program = program;
  }

  /** Listens for nodes whose program halted itself (NodeContext.halt); returns a remover. */
  onHalt(listener: (id: NodeId, reason: string) => void): () => void {
    this.haltListeners.push(listener);
    return () => {
      const i = this.haltListeners.indexOf(listener);
      if (i >= 0) this.haltListeners.splice(i, 1);
    };
  }

  private readonly haltListeners: ((id: NodeId, reason: string) => void)[] = [];

  /**
   * Listens for crashes, called just before a node's process and page cache go (its program and disk are still
   * as they were), so that a watcher can note what was written and what was synced; returns a remover.
   */
  onCrash(listener: (id: NodeId, mode: CrashMode) => void): () => void {
    this.crashListeners.push(listener);
    return () => {
      const i = this.crashListeners.indexOf(listener);
      if (i >= 0) this.crashListeners.splice(i, 1);
    };
  }

  private readonly crashListeners: ((id: NodeId, mode: CrashMode) => void)[] = [];

  /** Kills the process: memory gone, connections reset, unsynced disk data lost per `mode`. */
  crash(id: NodeId, mode: CrashMode = 'lose-unsynced'): void {
    const node = this.node(id);
    if (node.status === 'down') return;
    for (const listener of this.crashListeners) listener(id, mode);
    this.stopNode(node);
    node.crashes++;
    node.disk.crash(mode);
    this.trace.record(this.now, id, 'crash', mode);
  }

  /**
   * A clean shutdown: the program flushes what it wants, then stops. Nothing is lost from disk, and what it sent
   * before it stopped (a ZooKeeper session's close) still arrives.
   */
  shutdown(id: NodeId): void {
    const node = this.node(id);
    if (node.status === 'down') return;
    if (node.status === 'paused') node.status = 'running';
    node.program?.onShutdown?.();
    const exited = node.onExit;
    this.stopNode(node, true);
    this.trace.record(this.now, id, 'shutdown', '');
    for (const listener of exited) listener();
  }

  /**
   * SIGTERM: asks the node's program to stop (Program.onTerminate), which takes it down cleanly when it is done
   * (NodeContext.exit); a program without onTerminate shuts down at once. The signal is an event of the node's
   * own: a paused process takes it when it runs again, and one that dies first never does. `onExit` runs once
   * the node has exited cleanly after this; never if it crashed or halted first.
   */
  terminate(id: NodeId, onExit?: () => void): void {
    const node = this.node(id);
    if (node.status === 'down') return;
    if (onExit !== undefined) node.onExit.push(onExit);
    this.trace.record(this.now, id, 'terminate', '');
    this.push(
      this.now,
      () => {
        const program = node.program;
        if (program?.onTerminate === undefined) this.shutdown(id);
        else program.onTerminate();
      },
      undefined,
      node,
    );
  }

  /** Stops a node's process; a clean exit (`graceful`) still delivers what it sent. */
  private stopNode(node: SimNode, graceful = false): void {
    node.status = 'down';
    node.program = null;
    node.deferred = [];
    node.onExit = [];
    // Timers of the old incarnation die with it: bumping the incarnation invalidates them.
    node.incarnation++;
    if (graceful) this.net.closeNode(node.id);
    else this.net.resetNode(node.id);
  }

  /** Freezes the node (GC pause, SIGSTOP): its timers and incoming messages wait until resume. */
  pause(id: NodeId): void {
    const node = this.node(id);
    if (node.status !== 'running') return;
    node.status = 'paused';
    this.trace.record(this.now, id, 'pause', '');
  }

  /** Resumes a paused node: everything that came due while it slept runs now, in its original order. */
  resume(id: NodeId): void {
    const node = this.node(id);
    if (node.status !== 'paused') return;
    node.status = 'running';
    const due = node.deferred;
    node.deferred = [];
    for (const e of due) {
      if (e.cancelled) continue;
      // The same handle goes back on the queue, so a Timer given out before the pause can still cancel it.
      e.at = this.now;
      e.key = this.shuffle === null ? this.seq++ : this.shuffle.float();
      this.queue.push(e);
    }
    this.trace.record(this.now, id, 'resume', `${due.length} deferred`);
  }

  jumpClock(id: NodeId, deltaMs: number): void {
    this.node(id).clock.jump(this.now, deltaMs);
    this.trace.record(this.now, id, 'clock-jump', `${deltaMs}ms`);
  }

  setClockDrift(id: NodeId, drift: number): void {
    this.node(id).clock.setDrift(this.now, drift);
    this.trace.record(this.now, id, 'clock-drift', String(drift));
  }

  resetClock(id: NodeId): void {
    this.node(id).clock.reset(this.now);
  }

  private context(node: SimNode): NodeContext {
    const world = this;
    const incarnation = node.incarnation;
    const random = this.random.fork(`node:${node.id}/incarnation:${incarnation}`);
    const net = this.net;
    const outgoing = net.outgoingOf(node.id);
    const timerAt = (delayMs: number): number => {
      if (!(delayMs >= 0)) throw new RangeError(`${node.id}: negative or NaN timer delay ${delayMs}`);
      const at = toMicros(world.now + node.clock.toWorldDuration(delayMs));
      // A positive delay must move time: under clock drift a sub-microsecond remainder would otherwise
      // round to now, and a timer that re-arms for what is left would fire forever at one instant.
      return delayMs > 0 && at <= world.now ? toMicros(world.now + 0.001) : at;
    };
    return {
      id: node.id,
      incarnation,
      now: () => node.clock.at(world.now),
      monotonicNow: () => node.clock.monotonicAt(world.now),
      setTimer(delayMs: number, fn: () => void): Timer {
        return world.push(timerAt(delayMs), fn, undefined, node);
      },
      setTimerWith<A>(delayMs: number, fn: (arg: A) => void, arg: A): Timer {
        return world.push(timerAt(delayMs), fn as (arg: unknown) => void, arg, node);
      },
      send(to: NodeId, msg: unknown): void {
        // A dead or stale incarnation cannot send: its program object may linger in a closure.
        if (node.incarnation !== incarnation || node.status !== 'running') return;
        net.sendOn(outgoing.get(to) ?? net.connection(node.id, to), msg);
      },
      disk: node.disk,
      random,
      trace(kind: string, detail: string): void {
        world.trace.record(world.now, node.id, kind, detail);
      },
      halt(reason: string): void {
        if (node.incarnation !== incarnation || node.status === 'down') return;
        world.trace.record(world.now, node.id, 'halt', reason);
        world.crash(node.id, 'process');
        for (const listener of [...world.haltListeners]) listener(node.id, reason);
      },
      exit(): void {
        if (node.incarnation !== incarnation || node.status === 'down') return;
        world.shutdown(node.id);
      },
    };
  }

  /**
   * FoundationDB's "unseed": one final draw from every registered stream, hashed. Two runs of one seed
   * that drew the same number of values from each stream give the same unseed.
   */
  unseed(): string {
    const h = new Hasher();
    for (const s of this.streams) h.update(`${s.path}=${s.uint32()}`);
    return h.digest();
  }
}
