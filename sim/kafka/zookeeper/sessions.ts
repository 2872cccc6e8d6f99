// The server's sessions (ZooKeeper's SessionTrackerImpl): each session lives while its client is heard
// from within the session timeout. Expiry times are rounded up to the next tick boundary, as ZooKeeper's
// ExpiryQueue buckets them, so a session lives between `timeout` and `timeout + tick` past the last
// message heard.
import type { NodeId } from '../../world/index.ts';

export interface ZkSession {
  readonly id: number;
  /** The negotiated timeout. */
  readonly timeoutMs: number;
  /** Server-local time the client was last heard from on the session's connection. */
  lastHeard: number;
  /** The connection the session is attached to: the client's node and its connection number. */
  node: NodeId;
  connId: number;
  /** Next seq expected from the client on this connection. */
  inSeq: number;
  /** Next seq to send on this connection (the connect reply is seq 0, so this starts at 1). */
  outSeq: number;
  /** A message from the client went missing: the connection is dead until the client reconnects. */
  broken: boolean;
}

export class SessionTable {
  private readonly sessions = new Map<number, ZkSession>();
  private created = 0;

  /**
   * `idBase` keeps session ids of a restarted server apart from the ones it gave out before (ZooKeeper
   * mixes the server id and start time into its ids for the same reason).
   */
  constructor(
    readonly tickMs: number,
    private readonly idBase: number,
  ) {}

  /** ZooKeeper's bounds: minSessionTimeout = 2 ticks, maxSessionTimeout = 20 ticks. */
  negotiate(requestedMs: number): number {
    const min = 2 * this.tickMs;
    const max = 20 * this.tickMs;
    if (!(requestedMs >= min)) return min;
    return Math.min(requestedMs, max);
  }

  open(node: NodeId, connId: number, requestedTimeoutMs: number, now: number): ZkSession {
    const s: ZkSession = {
      id: this.idBase + ++this.created,
      timeoutMs: this.negotiate(requestedTimeoutMs),
      lastHeard: now,
      node,
      connId,
      inSeq: 1,
      outSeq: 1,
      broken: false,
    };
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: number): ZkSession | undefined {
    return this.sessions.get(id);
  }

  /** Moves the session onto a new connection (the client reconnected, from the same node or another). */
  attach(s: ZkSession, node: NodeId, connId: number, now: number): void {
    s.node = node;
    s.connId = connId;
    s.inSeq = 1;
    s.outSeq = 1;
    s.broken = false;
    s.lastHeard = now;
  }

  touch(s: ZkSession, now: number): void {
    s.lastHeard = now;
  }

  remove(id: number): void {
    this.sessions.delete(id);
  }

  /** When the session expires if nothing more is heard: the tick boundary after lastHeard + timeout. */
  expiresAt(s: ZkSession): number {
    return (Math.floor((s.lastHeard + s.timeoutMs) / this.tickMs) + 1) * this.tickMs;
  }

  /** Sessions whose expiry time has come, oldest first. */
  due(now: number): ZkSession[] {
    return this.list().filter((s) => this.expiresAt(s) <= now);
  }

  list(): ZkSession[] {
    return [...this.sessions.values()];
  }

  get size(): number {
    return this.sessions.size;
  }
}
