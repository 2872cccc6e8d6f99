// A single ZooKeeper server as Kafka's ZooKeeper mode uses it: a znode tree, sessions that expire when
// their client goes quiet (taking their ephemeral nodes with them) and one-shot watches. It runs as the
// program of its own node; its state lives in memory only, so it is not meant to be crashed.
//
// Time is the node's local clock (ctx.now()). Real ZooKeeper measures session time on a monotonic clock,
// so a clock jump on this node acts on sessions as a real jump in elapsed time would.
import type { NodeContext, NodeId, Program, ProgramFactory } from '../../world/index.ts';
import { ConfigError } from '../../world/index.ts';
import { isValidPath } from './paths.ts';
import type {
  ZkConnectMessage,
  ZkErrorCode,
  ZkOp,
  ZkOpResult,
  ZkRequestMessage,
  ZkResponseBody,
  ZkServerMessage,
  ZkStat,
  ZkWatchEventType,
  ZkWatchSet,
} from './protocol.ts';
import { NO_SEQ, isZkClientMessage } from './protocol.ts';
import type { ZkSession } from './sessions.ts';
import { SessionTable } from './sessions.ts';
import type { TreeChange } from './tree.ts';
import { DataTree } from './tree.ts';
import { WatchManager } from './watches.ts';

export interface ZkServerOptions {
  /** ZooKeeper's tickTime: session timeouts are bounded to [2, 20] ticks and expire on tick boundaries. */
  tickMs?: number;
  /**
   * Told of every committed transaction's changes, with the server to read the tree (invariants look at what was
   * written, e.g. whether a partition state came from a deposed Kafka controller). Inspection only.
   */
  onCommit?: (changes: readonly TreeChange[], server: ZkServer) => void;
}

export const DEFAULT_TICK_MS = 2000;

/** A live session as seen from outside, for tests and invariant checks. */
export interface ZkSessionInfo {
  id: number;
  timeoutMs: number;
  node: NodeId;
  ephemerals: string[];
}

export class ZkServer implements Program {
  readonly tickMs: number;
  private readonly tree = new DataTree();
  private readonly watches = new WatchManager();
  private readonly sessions: SessionTable;
  private expiryArmed = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: ZkServerOptions = {},
  ) {
    const tick = options.tickMs ?? DEFAULT_TICK_MS;
    if (!(tick > 0) || !Number.isFinite(tick)) throw new ConfigError(`zookeeper tickMs must be positive, got ${tick}`);
    this.tickMs = tick;
    // 2^32 session ids per incarnation: ids stay exact doubles and never repeat across restarts.
    this.sessions = new SessionTable(tick, ctx.incarnation * 2 ** 32);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isZkClientMessage(msg)) return;
    if (msg.kind === 'zk-connect') this.onConnect(from, msg);
    else this.onRequest(from, msg);
  }

  // ---- inspection (tests, invariants, reports) ----

  get lastZxid(): number {
    return this.tree.lastZxid;
  }

  get(path: string): { data: string; stat: ZkStat } | null {
    return this.tree.getData(path);
  }

  getChildren(path: string): string[] | null {
    return this.tree.getChildren(path);
  }

  paths(): string[] {
    return this.tree.paths();
  }

  liveSessions(): ZkSessionInfo[] {
    return this.sessions.list().map((s) => ({
      id: s.id,
      timeoutMs: s.timeoutMs,
      node: s.node,
      ephemerals: this.tree.ephemeralsOf(s.id),
    }));
  }

  watchCount(): number {
    return this.watches.count();
  }

  // ---- an operator's hand ----

  /**
   * A write from outside the cluster, as an operator makes it with zookeeper-shell (`delete /controller` is the
   * documented way to move Kafka's controller): a transaction of its own, firing the watches it triggers.
   * Returns its error, or null.
   */
  operatorWrite(ops: ZkOp[]): ZkErrorCode | null {
    const out = this.tree.transact(ops, 0);
    if (!out.ok) return out.err;
    this.ctx.trace('zk-operator', ops.map((o) => `${o.type} ${o.path}`).join(', '));
    this.fire(out.changes, out.zxid);
    return null;
  }

  // ---- connections ----

  private onConnect(from: NodeId, m: ZkConnectMessage): void {
    const now = this.ctx.now();
    if (m.sessionId === 0) {
      const s = this.sessions.open(from, m.connId, m.timeoutMs, now);
      this.tree.nextZxid(); // createSession is a transaction
      this.ctx.trace('zk-session-open', `${s.id} for ${from} timeout ${s.timeoutMs}ms`);
      this.sendConnectReply(from, m, s.id, s.timeoutMs, null);
      this.armExpiry();
      return;
    }
    const s = this.sessions.get(m.sessionId);
    if (s === undefined) {
      this.sendConnectReply(from, m, m.sessionId, 0, 'SESSIONEXPIRED');
      return;
    }
    // The same attempt delivered twice, or an older attempt arriving after a newer one: keep the newer.
    if (s.node === from && m.connId <= s.connId) return;
    this.sessions.attach(s, from, m.connId, now);
    this.sendConnectReply(from, m, s.id, s.timeoutMs, null);
    // Watches belong to a connection in ZooKeeper: the client re-sends those it still holds.
    this.watches.removeSession(s.id);
    this.restoreWatches(s, m.watches, m.lastZxid);
  }

  private sendConnectReply(
    to: NodeId,
    m: ZkConnectMessage,
    sessionId: number,
    timeoutMs: number,
    err: 'SESSIONEXPIRED' | null,
  ): void {
    this.send(to, {
      kind: 'zk-connect-reply',
      sessionId,
      connId: m.connId,
      timeoutMs,
      err,
      zxid: this.tree.lastZxid,
    });
  }

  /** ZooKeeper's DataTree.setWatches: fire at once what changed since the client's last zxid, keep the rest. */
  private restoreWatches(s: ZkSession, set: ZkWatchSet, lastZxid: number): void {
    for (const path of set.data) {
      const stat = this.tree.stat(path);
      if (stat === null) this.notify(s, path, 'NodeDeleted');
      else if (stat.mzxid > lastZxid) this.notify(s, path, 'NodeDataChanged');
      else this.watches.add('data', s.id, path);
    }
    for (const path of set.exist) {
      if (this.tree.stat(path) !== null) this.notify(s, path, 'NodeCreated');
      else this.watches.add('data', s.id, path);
    }
    for (const path of set.child) {
      const stat = this.tree.stat(path);
      if (stat === null) this.notify(s, path, 'NodeDeleted');
      else if (stat.pzxid > lastZxid) this.notify(s, path, 'NodeChildrenChanged');
      else this.watches.add('child', s.id, path);
    }
  }

  private onRequest(from: NodeId, m: ZkRequestMessage): void {
    const s = this.sessions.get(m.sessionId);
    if (s === undefined) {
      this.send(from, {
        kind: 'zk-reply',
        sessionId: m.sessionId,
        connId: m.connId,
        seq: NO_SEQ,
        xid: m.xid,
        zxid: this.tree.lastZxid,
        err: 'SESSIONEXPIRED',
        body: null,
      });
      return;
    }
    // A connection the session has left, or one that lost a message: dead, as a reset TCP connection is.
    if (s.node !== from || s.connId !== m.connId || s.broken) return;
    if (m.seq < s.inSeq) return; // a duplicate
    if (m.seq > s.inSeq) {
      s.broken = true;
      this.ctx.trace('zk-connection-broken', `session ${s.id} from ${from}: expected seq ${s.inSeq}, got ${m.seq}`);
      return;
    }
    s.inSeq++;
    this.sessions.touch(s, this.ctx.now());
    this.execute(s, m);
  }

  // ---- operations ----

  private execute(s: ZkSession, m: ZkRequestMessage): void {
    const body = m.body;
    switch (body.op) {
      case 'ping':
        this.reply(s, m.xid, null, { op: 'ping' });
        return;
      case 'close':
        this.closeSession(s, 'closed');
        this.reply(s, m.xid, null, { op: 'close' });
        return;
      case 'create': {
        const { path, data, ephemeral, sequential } = body;
        this.write(s, m.xid, [{ type: 'create', path, data, ephemeral, sequential }], (r) =>
          r.type === 'create' ? { op: 'create', path: r.path } : null,
        );
        return;
      }
      case 'delete':
        this.write(s, m.xid, [{ type: 'delete', path: body.path, version: body.version }], () => ({ op: 'delete' }));
        return;
      case 'setData':
        this.write(s, m.xid, [{ type: 'setData', path: body.path, data: body.data, version: body.version }], (r) =>
          r.type === 'setData' ? { op: 'setData', stat: r.stat } : null,
        );
        return;
      case 'multi': {
        const out = this.tree.transact(body.ops, s.id);
        if (out.ok) this.fire(out.changes, out.zxid);
        this.reply(s, m.xid, out.ok ? null : out.err, { op: 'multi', results: out.results });
        return;
      }
      case 'exists': {
        if (!isValidPath(body.path)) return this.reply(s, m.xid, 'BADARGUMENTS', null);
        const stat = this.tree.stat(body.path);
        // exists() watches a missing node too: it fires NodeCreated.
        if (body.watch) this.watches.add('data', s.id, body.path);
        this.reply(s, m.xid, null, { op: 'exists', stat });
        return;
      }
      case 'getData': {
        if (!isValidPath(body.path)) return this.reply(s, m.xid, 'BADARGUMENTS', null);
        const d = this.tree.getData(body.path);
        if (d === null) return this.reply(s, m.xid, 'NONODE', null);
        if (body.watch) this.watches.add('data', s.id, body.path);
        this.reply(s, m.xid, null, { op: 'getData', data: d.data, stat: d.stat });
        return;
      }
      case 'getChildren': {
        if (!isValidPath(body.path)) return this.reply(s, m.xid, 'BADARGUMENTS', null);
        const children = this.tree.getChildren(body.path);
        if (children === null) return this.reply(s, m.xid, 'NONODE', null);
        if (body.watch) this.watches.add('child', s.id, body.path);
        this.reply(s, m.xid, null, { op: 'getChildren', children });
        return;
      }
    }
  }

  /** A single-op write: a transaction of one, answered with that op's result or error. */
  private write(s: ZkSession, xid: number, ops: ZkOp[], toBody: (r: ZkOpResult) => ZkResponseBody | null): void {
    const out = this.tree.transact(ops, s.id);
    if (!out.ok) {
      this.reply(s, xid, out.err, null);
      return;
    }
    this.fire(out.changes, out.zxid);
    this.reply(s, xid, null, toBody(out.results[0]));
  }

  // ---- sessions ----

  /** closeSession (clean close or expiry): the session's watches go, its ephemeral nodes are deleted. */
  private closeSession(s: ZkSession, why: 'closed' | 'expired'): void {
    this.sessions.remove(s.id);
    this.watches.removeSession(s.id);
    const { zxid, changes } = this.tree.deleteEphemerals(s.id);
    this.ctx.trace(`zk-session-${why}`, `${s.id} of ${s.node}: deleted ${changes.length} ephemeral node(s)`);
    this.fire(changes, zxid);
  }

  /** Checks expiry on every tick boundary while any session lives (ZooKeeper's SessionTracker thread). */
  private armExpiry(): void {
    if (this.expiryArmed) return;
    this.expiryArmed = true;
    const now = this.ctx.now();
    const boundary = (Math.floor(now / this.tickMs) + 1) * this.tickMs;
    this.ctx.setTimer(boundary - now, () => {
      this.expiryArmed = false;
      // Drift rounding may fire the timer a hair before its boundary; the boundary's time has come.
      const at = Math.max(this.ctx.now(), boundary);
      for (const s of this.sessions.due(at)) this.closeSession(s, 'expired');
      if (this.sessions.size > 0) this.armExpiry();
    });
  }

  // ---- sending ----

  private fire(changes: readonly TreeChange[], zxid: number): void {
    this.options.onCommit?.(changes, this);
    for (const w of this.watches.fire(changes)) {
      const s = this.sessions.get(w.session);
      // A session's watches leave with it, so every watcher is live.
      if (s !== undefined) this.notify(s, w.path, w.type, zxid);
    }
  }

  private notify(s: ZkSession, path: string, type: ZkWatchEventType, zxid = this.tree.lastZxid): void {
    this.send(s.node, { kind: 'zk-watch', sessionId: s.id, connId: s.connId, seq: s.outSeq++, zxid, path, type });
  }

  private reply(s: ZkSession, xid: number, err: ZkErrorCode | null, body: ZkResponseBody | null): void {
    this.send(s.node, {
      kind: 'zk-reply',
      sessionId: s.id,
      connId: s.connId,
      seq: s.outSeq++,
      xid,
      zxid: this.tree.lastZxid,
      err,
      body,
    });
  }

  private send(to: NodeId, msg: ZkServerMessage): void {
    this.ctx.send(to, msg);
  }
}

export function zookeeperServer(options: ZkServerOptions = {}): ProgramFactory {
  return (ctx) => new ZkServer(ctx, options);
}

/** The ZkServer running as a node's program (world.node('zk').program), or an error if it is not one. */
export function zkServerOf(program: Program | null): ZkServer {
  if (!(program instanceof ZkServer)) throw new TypeError('the node is not running a ZooKeeper server');
  return program;
}
