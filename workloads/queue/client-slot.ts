// A client node (one Kafka client program) and the Jepsen processes that share it. A process runs one op at a
// time; when an op ends in info its outcome is unknown, so (as in Jepsen) the process is retired and a fresh
// process id takes over the same place on the node. A consumer node runs one process; a producer node runs as
// many as its producer keeps sends in flight, so that the producer pipelines them as Kafka's does, while each
// send is still one op of one process. A watchdog ends an op the client never answers.
import type { KafkaClient } from '../../sim/kafka/clients/client.ts';
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';
import type { Timer } from '../../sim/world/index.ts';
import type { OpType, Value } from '../history/format.ts';
import type { HistoryRecorder } from '../history-recorder.ts';

/** Hands out process ids: never reused, so a replaced process is told apart from its predecessor. */
export class ProcessIds {
  constructor(private next: number) {}

  take(): number {
    return this.next++;
  }
}

export interface SlotDeps {
  cluster: KafkaCluster;
  recorder: HistoryRecorder;
  processes: ProcessIds;
}

interface OpenOp {
  f: string;
  token: number;
  value: Value;
  watchdog: Timer;
  /** Lets the caller go on when the workload, not the client, ends the op (watchdog, or its node restarted). */
  onAbandoned: () => void;
}

/** Error of an op the client never completed within its watchdog time. */
export const WATCHDOG_ERROR = 'CLIENT_TIMEOUT';
/** Error of an op still open when its node restarted (another process of the node crashed or timed out). */
export const NODE_RESTARTED_ERROR = 'CLIENT_RESTARTED';

/** One client node and the processes that share its client program. */
export class ClientNode {
  readonly slots: readonly ClientSlot[];

  constructor(
    readonly node: string,
    private readonly deps: SlotDeps,
    processes: number,
  ) {
    this.slots = Array.from({ length: processes }, () => new ClientSlot(this, deps));
  }

  /** The running client program; the node is always running between ops (crashes restart it at once). */
  client(): KafkaClient {
    const c = this.deps.cluster.client(this.node);
    if (c === null) throw new Error(`client node ${this.node} is not running`);
    return c;
  }

  /**
   * The node dies and starts again with empty memory. Every op still open on it ends in info first (whatever its
   * client held, sent or not, is now out of its hands); `thenRecord` records what the restart's own op ends with,
   * and only then do the abandoned ops' callers go on, so none of them starts an op on the old client.
   */
  restart(thenRecord: () => void = () => {}): void {
    const callers: (() => void)[] = [];
    for (const slot of this.slots) {
      const onAbandoned = slot.abandon(NODE_RESTARTED_ERROR);
      if (onAbandoned !== null) callers.push(onAbandoned);
    }
    const world = this.deps.cluster.world;
    world.crash(this.node);
    world.start(this.node);
    thenRecord();
    for (const caller of callers) caller();
  }
}

/** One Jepsen process on a client node. */
export class ClientSlot {
  process: number;
  /** Crash ops performed (the node restarted empty). */
  crashes = 0;
  /** Ops ended by the watchdog. */
  abandoned = 0;
  private open: OpenOp | null = null;
  private tokens = 0;

  constructor(
    private readonly host: ClientNode,
    private readonly deps: SlotDeps,
  ) {
    this.process = deps.processes.take();
  }

  get node(): string {
    return this.host.node;
  }

  get busy(): boolean {
    return this.open !== null;
  }

  /** The node's running client program, shared with the node's other processes. */
  client(): KafkaClient {
    return this.host.client();
  }

  /**
   * Records the invocation and returns a token for `end`. If the op is still open `timeoutMs` later, it ends in
   * info, the node restarts (its client may be wedged) and `onAbandoned` lets the caller go on; it does too when
   * the node restarts for another of its processes.
   */
  begin(f: string, value: Value, timeoutMs: number, onAbandoned: () => void): number {
    if (this.open !== null)
      throw new Error(`process ${this.process} on ${this.node} invoked ${f} while ${this.open.f} is open`);
    this.deps.recorder.invoke(this.process, f, value);
    const token = ++this.tokens;
    const watchdog = this.deps.cluster.world.schedule(timeoutMs, () => {
      if (!this.end(token, 'info', value, WATCHDOG_ERROR)) return;
      this.abandoned++;
      this.host.restart(onAbandoned);
    });
    this.open = { f, token, value, watchdog, onAbandoned };
    return token;
  }

  /** Records the completion of op `token`; false when that op is no longer open (the workload ended it). */
  end(token: number, type: Exclude<OpType, 'invoke'>, value: Value, error?: string, rebalanceLog?: Value): boolean {
    const open = this.open;
    if (open === null || open.token !== token) return false;
    open.watchdog.cancel();
    this.open = null;
    if (rebalanceLog !== undefined && error === undefined) {
      this.deps.recorder.completeRebalanced(this.process, type, open.f, value, rebalanceLog);
    } else this.deps.recorder.complete(this.process, type, open.f, value, error);
    if (type === 'info') this.process = this.deps.processes.take();
    return true;
  }

  /** Ends the open op, if any, in info with `error` (its value as invoked); returns its caller's callback. */
  abandon(error: string): (() => void) | null {
    const open = this.open;
    if (open === null || !this.end(open.token, 'info', open.value, error)) return null;
    return open.onAbandoned;
  }

  /**
   * Jepsen's crash op: the client's node dies and starts again with empty memory; the process is replaced, and so
   * is every other process of the node with an op open (its op ends in info).
   */
  crash(): void {
    if (this.open !== null)
      throw new Error(`process ${this.process} on ${this.node} crashed while ${this.open.f} is open`);
    this.deps.recorder.invoke(this.process, 'crash', this.node);
    this.host.restart(() => {
      this.crashes++;
      this.deps.recorder.complete(this.process, 'info', 'crash', this.node);
      this.process = this.deps.processes.take();
    });
  }
}
