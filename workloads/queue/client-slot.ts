// One client node and the Jepsen process currently running on it. A process runs one op at a time;
// when an op ends in info its outcome is unknown, so (as in Jepsen) the process is retired and a fresh
// process id takes over the same node. A watchdog ends an op the client never answers.
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
  watchdog: Timer;
}

/** Error of an op the client never completed within its watchdog time. */
export const WATCHDOG_ERROR = 'CLIENT_TIMEOUT';

export class ClientSlot {
  process: number;
  /** Crash ops performed (the node restarted empty). */
  crashes = 0;
  /** Ops ended by the watchdog. */
  abandoned = 0;
  private open: OpenOp | null = null;
  private tokens = 0;

  constructor(
    readonly node: string,
    private readonly deps: SlotDeps,
  ) {
    this.process = deps.processes.take();
  }

  get busy(): boolean {
    return this.open !== null;
  }

  /** The running client program; the node is always running between ops (crashes restart it at once). */
  client(): KafkaClient {
    const c = this.deps.cluster.client(this.node);
    if (c === null) throw new Error(`client node ${this.node} is not running`);
    return c;
  }

  /**
   * Records the invocation and returns a token for `end`. If the op is still open `timeoutMs` later, it
   * ends in info, the node restarts (its client may be wedged) and `onAbandoned` lets the caller go on.
   */
  begin(f: string, value: Value, timeoutMs: number, onAbandoned: () => void): number {
    if (this.open !== null)
      throw new Error(`process ${this.process} on ${this.node} invoked ${f} while ${this.open.f} is open`);
    this.deps.recorder.invoke(this.process, f, value);
    const token = ++this.tokens;
    const watchdog = this.deps.cluster.world.schedule(timeoutMs, () => {
      if (!this.end(token, 'info', value, WATCHDOG_ERROR)) return;
      this.abandoned++;
      this.restartNode();
      onAbandoned();
    });
    this.open = { f, token, watchdog };
    return token;
  }

  /** Records the completion of op `token`; false when that op is no longer open (the watchdog ended it). */
  end(token: number, type: Exclude<OpType, 'invoke'>, value: Value, error?: string): boolean {
    const open = this.open;
    if (open === null || open.token !== token) return false;
    open.watchdog.cancel();
    this.open = null;
    this.deps.recorder.complete(this.process, type, open.f, value, error);
    if (type === 'info') this.process = this.deps.processes.take();
    return true;
  }

  /** Jepsen's crash op: the client's node dies and starts again with empty memory; the process is replaced. */
  crash(): void {
    if (this.open !== null)
      throw new Error(`process ${this.process} on ${this.node} crashed while ${this.open.f} is open`);
    this.deps.recorder.invoke(this.process, 'crash', this.node);
    this.restartNode();
    this.crashes++;
    this.deps.recorder.complete(this.process, 'info', 'crash', this.node);
    this.process = this.deps.processes.take();
  }

  private restartNode(): void {
    const world = this.deps.cluster.world;
    world.crash(this.node);
    world.start(this.node);
  }
}
