// A ZooKeeper client living inside another node's program (a Kafka broker), on that node's context, so
// its timers die with the node. It behaves as ZooKeeper's ClientCnxn does for Kafka: pings while
// connected, drops the connection when a request goes unanswered or nothing at all is heard from the
// server for the request timeout (ClientCnxn's read timeout), failing outstanding requests with
// CONNECTIONLOSS, then reconnects with the same session; it learns of an expired session only from the
// server, and then (as Kafka's ZooKeeperClient does) starts a brand-new session.
//
// Timer callbacks re-check that they still matter instead of trusting cancel(): a timer that came due
// while the node was paused is re-queued on resume and may fire even if cancelled after that.
import type { NodeContext, NodeId, Timer } from '../../world/index.ts';
import { ConfigError } from '../../world/index.ts';
import { ClientWatches } from './client-watches.ts';
import type {
  ZkConnectReplyMessage,
  ZkErrorCode,
  ZkOp,
  ZkOpName,
  ZkOpResult,
  ZkReplyMessage,
  ZkRequestBody,
  ZkResponseBody,
  ZkResponseFor,
  ZkStat,
  ZkWatchEvent,
  ZkWatchMessage,
} from './protocol.ts';
import { isZkServerMessage } from './protocol.ts';

export type ZkClientState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

export interface ZkClientOptions {
  /** Requested session timeout; the server clamps it to [2, 20] ticks. */
  sessionTimeoutMs: number;
  /**
   * How long a request waits for its answer, and the connection for any message, before CONNECTIONLOSS.
   * Default: 2/3 of the session timeout (ZooKeeper's read timeout).
   */
  requestTimeoutMs?: number;
}

export interface ZkClientHandlers {
  /** A new session was established: the first one, or a new one after expiry. */
  onConnected(sessionId: number): void;
  /** The server said the session is gone: its ephemeral nodes and watches are lost. */
  onSessionExpired(): void;
  /** No answer from the server in time; the client keeps trying to reconnect the same session. */
  onDisconnected?(): void;
  onWatch(event: ZkWatchEvent): void;
}

export interface ZkCreateOptions {
  ephemeral?: boolean;
  sequential?: boolean;
}

/** A request's answer: an error (a failed multi still carries its per-op results), or a body. */
type Outcome<K extends ZkOpName> =
  { err: ZkErrorCode; res: ZkResponseFor<K> | null } | { err: null; res: ZkResponseFor<K> };

interface Pending {
  readonly xid: number;
  readonly body: ZkRequestBody;
  /** Sent on the current connection (requests made while not connected wait for the next one). */
  sent: boolean;
  readonly timer: Timer;
  finish(err: ZkErrorCode | null, body: ZkResponseBody | null): void;
}

export class ZkClient {
  private _state: ZkClientState = 'connecting';
  private _sessionId: number | null = null;
  /** The timeout the server granted, once connected. */
  private negotiatedMs: number | null = null;
  private started = false;
  /** Number of the current connection (attempt); answers on older ones are late and ignored. */
  private connId = 0;
  private sendSeq = 1;
  private recvSeq = 1;
  private nextXid = 1;
  private lastZxid = 0;
  /** Bumped to stop the ping loop. */
  private pingGen = 0;
  /** Bumped on every message heard, restarting the read timeout. */
  private recvGen = 0;
  private recvTimer: Timer | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new ClientWatches();

  constructor(
    private readonly ctx: NodeContext,
    readonly server: NodeId,
    private readonly options: ZkClientOptions,
    private readonly handlers: ZkClientHandlers,
  ) {
    if (!(options.sessionTimeoutMs > 0) || !Number.isFinite(options.sessionTimeoutMs)) {
      throw new ConfigError(`zookeeper sessionTimeoutMs must be positive, got ${options.sessionTimeoutMs}`);
    }
    const rt = options.requestTimeoutMs;
    if (rt !== undefined && (!(rt > 0) || !Number.isFinite(rt))) {
      throw new ConfigError(`zookeeper requestTimeoutMs must be positive, got ${rt}`);
    }
  }

  get sessionId(): number | null {
    return this._sessionId;
  }

  get state(): ZkClientState {
    return this._state;
  }

  connect(): void {
    if (this.started || this._state === 'closed') return;
    this.started = true;
    this.attempt();
  }

  /** The owning program forwards every message it receives from the ZooKeeper node; true if it was one. */
  handleMessage(from: NodeId, msg: unknown): boolean {
    if (from !== this.server || !isZkServerMessage(msg)) return false;
    if (this._state === 'closed') return true;
    switch (msg.kind) {
      case 'zk-connect-reply':
        this.onConnectReply(msg);
        break;
      case 'zk-reply':
        this.onReply(msg);
        break;
      case 'zk-watch':
        this.onWatchMessage(msg);
        break;
    }
    return true;
  }

  /** A clean close: the server ends the session and deletes its ephemeral nodes at once. */
  close(): void {
    if (this._state === 'closed') return;
    if (this._state === 'connected' && this._sessionId !== null) {
      // Fire and forget: if the close is lost the session simply expires.
      this.ctx.send(this.server, {
        kind: 'zk-request',
        sessionId: this._sessionId,
        connId: this.connId,
        seq: this.sendSeq++,
        xid: this.nextXid++,
        body: { op: 'close' },
      });
    }
    this._state = 'closed';
    this.stopTimers();
    this.watches.clear();
    this.failAll('SESSIONEXPIRED');
  }

  // ---- operations ----

  create(
    path: string,
    data: string,
    opts: ZkCreateOptions,
    cb: (err: ZkErrorCode | null, createdPath?: string) => void,
  ): void {
    const ephemeral = opts.ephemeral === true;
    const sequential = opts.sequential === true;
    const body = { op: 'create', path, data, ephemeral, sequential } as const;
    this.submit(body, (o) => (o.err === null ? cb(null, o.res.path) : cb(o.err)));
  }

  delete(path: string, version: number, cb: (err: ZkErrorCode | null) => void): void {
    this.submit({ op: 'delete', path, version }, (o) => cb(o.err));
  }

  /** stat is null when the node does not exist (not an error); a watch then fires on its creation. */
  exists(path: string, watch: boolean, cb: (err: ZkErrorCode | null, stat: ZkStat | null) => void): void {
    this.submit({ op: 'exists', path, watch }, (o) => {
      if (o.err !== null) return cb(o.err, null);
      if (watch) {
        if (o.res.stat === null) this.watches.addExist(path);
        else this.watches.addData(path);
      }
      cb(null, o.res.stat);
    });
  }

  getData(path: string, watch: boolean, cb: (err: ZkErrorCode | null, data?: string, stat?: ZkStat) => void): void {
    this.submit({ op: 'getData', path, watch }, (o) => {
      if (o.err !== null) return cb(o.err);
      if (watch) this.watches.addData(path);
      cb(null, o.res.data, o.res.stat);
    });
  }

  setData(path: string, data: string, version: number, cb: (err: ZkErrorCode | null, stat?: ZkStat) => void): void {
    this.submit({ op: 'setData', path, data, version }, (o) => (o.err === null ? cb(null, o.res.stat) : cb(o.err)));
  }

  /** Children names, sorted. */
  getChildren(path: string, watch: boolean, cb: (err: ZkErrorCode | null, children?: string[]) => void): void {
    this.submit({ op: 'getChildren', path, watch }, (o) => {
      if (o.err !== null) return cb(o.err);
      if (watch) this.watches.addChild(path);
      cb(null, o.res.children);
    });
  }

  /** All ops or none; on failure err is the first failing op's code and results say which one it was. */
  multi(ops: ZkOp[], cb: (err: ZkErrorCode | null, results?: ZkOpResult[]) => void): void {
    this.submit({ op: 'multi', ops }, (o) => cb(o.err, o.res?.results));
  }

  // ---- requests ----

  private submit<K extends ZkOpName>(body: Extract<ZkRequestBody, { op: K }>, done: (o: Outcome<K>) => void): void {
    if (this._state === 'closed') {
      // Answered on a timer, not from inside the call, as every other answer is.
      this.ctx.setTimer(0, () => done({ err: 'SESSIONEXPIRED', res: null }));
      return;
    }
    const xid = this.nextXid++;
    const p: Pending = {
      xid,
      body,
      sent: false,
      timer: this.ctx.setTimer(this.requestTimeoutMs(), () => this.onRequestTimeout(xid)),
      finish(err, res) {
        if (res !== null && res.op !== body.op) throw new Error(`zookeeper: ${res.op} answer to a ${body.op} request`);
        // The op tag was just checked, which is what narrowing to ZkResponseFor<K> needs.
        const typed = res as ZkResponseFor<K> | null;
        if (err !== null) done({ err, res: typed });
        else if (typed === null) throw new Error(`zookeeper: empty answer to a ${body.op} request`);
        else done({ err: null, res: typed });
      },
    };
    this.pending.set(xid, p);
    if (this._state === 'connected') this.transmit(p);
  }

  private transmit(p: Pending): void {
    if (this._sessionId === null) throw new Error('zookeeper: sending without a session');
    p.sent = true;
    this.ctx.send(this.server, {
      kind: 'zk-request',
      sessionId: this._sessionId,
      connId: this.connId,
      seq: this.sendSeq++,
      xid: p.xid,
      body: p.body,
    });
  }

  private onRequestTimeout(xid: number): void {
    const p = this.pending.get(xid);
    if (p === undefined) return; // answered already
    if (p.sent && this._state === 'connected') {
      this.connectionLost(`request ${xid} (${p.body.op}) timed out`);
      return;
    }
    // Made while not connected and still waiting for a connection.
    this.pending.delete(xid);
    p.finish('CONNECTIONLOSS', null);
  }

  /** Fails every outstanding request; requests made by the callbacks wait for the next connection. */
  private failAll(err: ZkErrorCode): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      p.timer.cancel();
      p.finish(err, null);
    }
  }

  // ---- connection ----

  private sessionMs(): number {
    return this.negotiatedMs ?? this.options.sessionTimeoutMs;
  }

  private requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? (this.sessionMs() * 2) / 3;
  }

  /** A third of the session timeout, and often enough that an idle connection never hits the read timeout. */
  private pingIntervalMs(): number {
    return Math.min(this.sessionMs() / 3, this.requestTimeoutMs() / 2);
  }

  /** Opens a new connection: asks for a new session, or to re-attach ours with the watches we hold. */
  private attempt(): void {
    const connId = ++this.connId;
    this.sendSeq = 1;
    this.recvSeq = 1;
    this.ctx.send(this.server, {
      kind: 'zk-connect',
      sessionId: this._sessionId ?? 0,
      connId,
      timeoutMs: this.options.sessionTimeoutMs,
      lastZxid: this.lastZxid,
      watches: this.watches.snapshot(),
    });
    this.ctx.setTimer(this.sessionMs() / 3, () => {
      if (this.connId === connId && (this._state === 'connecting' || this._state === 'disconnected')) this.attempt();
    });
  }

  private onConnectReply(m: ZkConnectReplyMessage): void {
    if (m.connId !== this.connId || (this._state !== 'connecting' && this._state !== 'disconnected')) return;
    if (m.err === 'SESSIONEXPIRED') {
      if (m.sessionId === this._sessionId) this.expire();
      return;
    }
    const fresh = this._sessionId === null;
    if (!fresh && m.sessionId !== this._sessionId) return;
    this._sessionId = m.sessionId;
    this.negotiatedMs = m.timeoutMs;
    this.lastZxid = Math.max(this.lastZxid, m.zxid);
    this._state = 'connected';
    this.ctx.trace('zk-client-connected', `${fresh ? 'new' : 'same'} session ${m.sessionId}`);
    this.heard();
    this.schedulePing();
    for (const p of this.pending.values()) if (!p.sent) this.transmit(p);
    if (fresh) this.handlers.onConnected(m.sessionId);
  }

  private schedulePing(): void {
    const gen = ++this.pingGen;
    this.ctx.setTimer(this.pingIntervalMs(), () => {
      if (gen !== this.pingGen || this._state !== 'connected') return;
      this.submit({ op: 'ping' }, () => {});
      this.schedulePing();
    });
  }

  /** Restarts the read timeout: the connection is alive as long as something arrives on it. */
  private heard(): void {
    this.recvTimer?.cancel();
    const gen = ++this.recvGen;
    this.recvTimer = this.ctx.setTimer(this.requestTimeoutMs(), () => {
      if (gen !== this.recvGen || this._state !== 'connected') return;
      this.connectionLost(`nothing heard from the server for ${this.requestTimeoutMs()} ms`);
    });
  }

  private stopTimers(): void {
    this.pingGen++;
    this.recvGen++;
    this.recvTimer?.cancel();
    this.recvTimer = null;
  }

  /** Accepts the next message of the current connection; a gap means the connection broke. */
  private inOrder(connId: number, seq: number): boolean {
    if (this._state !== 'connected' || connId !== this.connId) return false;
    if (seq < this.recvSeq) return false; // a duplicate
    if (seq > this.recvSeq) {
      this.connectionLost(`expected message ${this.recvSeq} from the server, got ${seq}`);
      return false;
    }
    this.recvSeq++;
    this.heard();
    return true;
  }

  private onReply(m: ZkReplyMessage): void {
    if (this._sessionId === null || m.sessionId !== this._sessionId) return;
    // Sessions never come back, so this is news whichever connection it arrives on.
    if (m.err === 'SESSIONEXPIRED') {
      this.expire();
      return;
    }
    if (!this.inOrder(m.connId, m.seq)) return;
    this.lastZxid = Math.max(this.lastZxid, m.zxid);
    const p = this.pending.get(m.xid);
    if (p === undefined) return;
    this.pending.delete(m.xid);
    p.timer.cancel();
    p.finish(m.err, m.body);
  }

  private onWatchMessage(m: ZkWatchMessage): void {
    if (this._sessionId === null || m.sessionId !== this._sessionId) return;
    if (!this.inOrder(m.connId, m.seq)) return;
    this.lastZxid = Math.max(this.lastZxid, m.zxid);
    const event: ZkWatchEvent = { path: m.path, type: m.type };
    if (this.watches.take(event)) this.handlers.onWatch(event);
  }

  private connectionLost(why: string): void {
    if (this._state !== 'connected') return;
    this._state = 'disconnected';
    this.stopTimers();
    this.ctx.trace('zk-client-disconnected', why);
    this.failAll('CONNECTIONLOSS');
    if (this._state !== 'disconnected') return; // a callback closed the client
    this.handlers.onDisconnected?.();
    if (this._state === 'disconnected') this.attempt();
  }

  private expire(): void {
    const old = this._sessionId;
    this._state = 'expired';
    this._sessionId = null;
    this.negotiatedMs = null;
    this.stopTimers();
    this.watches.clear();
    this.ctx.trace('zk-client-session-expired', `session ${old}`);
    this.failAll('SESSIONEXPIRED');
    this.handlers.onSessionExpired();
    if (this._state !== 'expired') return; // a handler closed the client
    this._state = 'connecting';
    this.attempt();
  }
}
