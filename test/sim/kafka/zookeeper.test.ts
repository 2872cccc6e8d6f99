// The simulated ZooKeeper: znode semantics, sessions that expire with their ephemeral nodes, one-shot
// watches, and a client that survives cuts, pauses and late answers the way ZooKeeper's does.
import { describe, expect, it } from 'vitest';
import type { NodeContext, ProgramFactory } from '../../../sim/world/index.ts';
import { World } from '../../../sim/world/index.ts';
import type {
  ZkClientMessage,
  ZkClientOptions,
  ZkErrorCode,
  ZkServer,
  ZkStat,
} from '../../../sim/kafka/zookeeper/index.ts';
import { ZkClient, isZkServerMessage, zkServerOf, zookeeperServer } from '../../../sim/kafka/zookeeper/index.ts';

interface LogEntry {
  at: number;
  node: string;
  what: string;
}

interface Harness {
  w: World;
  log: LogEntry[];
  zk(): ZkServer;
  client(id: string): ZkClient;
  /** Log lines of one node, as "what" strings. */
  of(id: string): string[];
}

const SESSION_MS = 6000;
const TICK_MS = 2000;

function setup(ids: string[], options: Partial<ZkClientOptions> & { seed?: number; tickMs?: number } = {}): Harness {
  const w = new World({ seed: options.seed ?? 7 });
  w.addNode('zk', zookeeperServer({ tickMs: options.tickMs ?? TICK_MS }));
  w.start('zk');
  const clients = new Map<string, ZkClient>();
  const log: LogEntry[] = [];
  const clientOptions: ZkClientOptions = {
    sessionTimeoutMs: options.sessionTimeoutMs ?? SESSION_MS,
    requestTimeoutMs: options.requestTimeoutMs,
  };
  for (const id of ids) {
    const factory: ProgramFactory = (ctx: NodeContext) => {
      const note = (what: string): void => {
        log.push({ at: w.now, node: id, what });
      };
      const c = new ZkClient(ctx, 'zk', clientOptions, {
        onConnected: (sid) => note(`connected ${sid}`),
        onSessionExpired: () => note('expired'),
        onDisconnected: () => note('disconnected'),
        onWatch: (e) => note(`watch ${e.type} ${e.path}`),
      });
      clients.set(id, c);
      c.connect();
      return {
        onMessage(from, msg) {
          if (!c.handleMessage(from, msg)) throw new Error(`unexpected message ${JSON.stringify(msg)}`);
        },
      };
    };
    w.addNode(id, factory);
    w.start(id);
  }
  w.runFor(50);
  return {
    w,
    log,
    zk: () => zkServerOf(w.node('zk').program),
    client: (id) => {
      const c = clients.get(id);
      if (c === undefined) throw new Error(`no client ${id}`);
      return c;
    },
    of: (id) => log.filter((e) => e.node === id).map((e) => e.what),
  };
}

/** Starts an async call and runs the world until its callback fires; returns the callback's arguments. */
function call<A extends unknown[]>(w: World, start: (cb: (...args: A) => void) => void): A {
  let out: A | undefined;
  start((...args: A) => {
    out = args;
  });
  w.runUntil(() => out !== undefined, { maxEvents: 100_000 });
  if (out === undefined) throw new Error('no answer');
  return out;
}

type CreateOpts = { ephemeral?: boolean; sequential?: boolean };
const create = (h: Harness, id: string, path: string, data = '', opts: CreateOpts = {}) =>
  call<[ZkErrorCode | null, string?]>(h.w, (cb) => h.client(id).create(path, data, opts, cb));
const getData = (h: Harness, id: string, path: string, watch = false) =>
  call<[ZkErrorCode | null, string?, ZkStat?]>(h.w, (cb) => h.client(id).getData(path, watch, cb));
const setData = (h: Harness, id: string, path: string, data: string, version: number) =>
  call<[ZkErrorCode | null, ZkStat?]>(h.w, (cb) => h.client(id).setData(path, data, version, cb));
const exists = (h: Harness, id: string, path: string, watch = false) =>
  call<[ZkErrorCode | null, ZkStat | null]>(h.w, (cb) => h.client(id).exists(path, watch, cb));
const getChildren = (h: Harness, id: string, path: string, watch = false) =>
  call<[ZkErrorCode | null, string[]?]>(h.w, (cb) => h.client(id).getChildren(path, watch, cb));
const remove = (h: Harness, id: string, path: string, version = -1) =>
  call<[ZkErrorCode | null]>(h.w, (cb) => h.client(id).delete(path, version, cb));

describe('zookeeper: znodes', () => {
  it('create, getData and setData with versions; BADVERSION, NONODE, NODEEXISTS, NOTEMPTY', () => {
    const h = setup(['a']);
    expect(h.client('a').state).toBe('connected');
    expect(create(h, 'a', '/brokers')).toEqual([null, '/brokers']);
    expect(create(h, 'a', '/brokers')[0]).toBe('NODEEXISTS');
    expect(create(h, 'a', '/missing/child')[0]).toBe('NONODE');
    expect(create(h, 'a', 'relative')[0]).toBe('BADARGUMENTS');
    expect(create(h, 'a', '/brokers/ids', 'x')).toEqual([null, '/brokers/ids']);

    const [err, data, stat] = getData(h, 'a', '/brokers/ids');
    expect(err).toBeNull();
    expect(data).toBe('x');
    expect(stat).toMatchObject({ version: 0, ephemeralOwner: 0, numChildren: 0 });

    const [e1, s1] = setData(h, 'a', '/brokers/ids', 'y', 0);
    expect(e1).toBeNull();
    expect(s1?.version).toBe(1);
    expect(s1!.mzxid).toBeGreaterThan(s1!.czxid);
    expect(setData(h, 'a', '/brokers/ids', 'z', 0)[0]).toBe('BADVERSION');
    expect(setData(h, 'a', '/brokers/ids', 'z', -1)[1]?.version).toBe(2);
    expect(getData(h, 'a', '/brokers/ids')[1]).toBe('z');
    expect(getData(h, 'a', '/nope')[0]).toBe('NONODE');
    expect(exists(h, 'a', '/nope')).toEqual([null, null]);

    expect(remove(h, 'a', '/brokers')[0]).toBe('NOTEMPTY');
    expect(remove(h, 'a', '/brokers/ids', 1)[0]).toBe('BADVERSION');
    expect(remove(h, 'a', '/brokers/ids', 2)[0]).toBeNull();
    expect(remove(h, 'a', '/brokers/ids')[0]).toBe('NONODE');
    expect(getData(h, 'a', '/brokers')[2]).toMatchObject({ cversion: 2, numChildren: 0 });
  });

  it('sequential nodes take the parent cversion as a ten-digit suffix', () => {
    const h = setup(['a']);
    create(h, 'a', '/isr_change_notification');
    create(h, 'a', '/other');
    const seq = (parent: string) => create(h, 'a', `${parent}/isr_change_`, '', { sequential: true })[1];
    expect(seq('/isr_change_notification')).toBe('/isr_change_notification/isr_change_0000000000');
    expect(seq('/isr_change_notification')).toBe('/isr_change_notification/isr_change_0000000001');
    expect(seq('/other')).toBe('/other/isr_change_0000000000');
    remove(h, 'a', '/isr_change_notification/isr_change_0000000000');
    // A delete bumps the cversion too, so numbers are unique but not dense (as in ZooKeeper).
    expect(seq('/isr_change_notification')).toBe('/isr_change_notification/isr_change_0000000003');
    expect(getChildren(h, 'a', '/isr_change_notification')[1]).toEqual([
      'isr_change_0000000001',
      'isr_change_0000000003',
    ]);
  });

  it('ephemeral nodes carry their owner session and cannot have children', () => {
    const h = setup(['a']);
    create(h, 'a', '/controller', '{"brokerid":1}', { ephemeral: true });
    expect(exists(h, 'a', '/controller')[1]?.ephemeralOwner).toBe(h.client('a').sessionId);
    expect(create(h, 'a', '/controller/x')[0]).toBe('NOCHILDRENFOREPHEMERALS');
    expect(create(h, 'a', '/controller', '', { ephemeral: true })[0]).toBe('NODEEXISTS');
  });

  it('multi is all or nothing: a failing check leaves nothing changed and reports the first failure', () => {
    const h = setup(['a', 'b']);
    create(h, 'a', '/controller_epoch', '1');
    call(h.w, (cb) => h.client('b').getData('/controller_epoch', true, cb));
    const zxidBefore = h.zk().lastZxid;
    const [err, results] = call<[ZkErrorCode | null, unknown?]>(h.w, (cb) =>
      h.client('a').multi(
        [
          { type: 'create', path: '/brokers', data: '' },
          { type: 'setData', path: '/controller_epoch', data: '2', version: 0 },
          { type: 'check', path: '/controller_epoch', version: 5 },
          { type: 'delete', path: '/nope', version: -1 },
        ],
        cb,
      ),
    );
    expect(err).toBe('BADVERSION');
    expect(results).toEqual([
      { type: 'error', err: 'OK' },
      { type: 'error', err: 'OK' },
      { type: 'error', err: 'BADVERSION' },
      { type: 'error', err: 'RUNTIMEINCONSISTENCY' },
    ]);
    expect(h.zk().get('/brokers')).toBeNull();
    expect(h.zk().get('/controller_epoch')).toMatchObject({ data: '1', stat: { version: 0 } });
    expect(h.zk().lastZxid).toBe(zxidBefore);

    // The same ops with the right version: a parent and its child in one transaction, one zxid.
    const [ok, res] = call<[ZkErrorCode | null, unknown?]>(h.w, (cb) =>
      h.client('a').multi(
        [
          { type: 'check', path: '/controller_epoch', version: 0 },
          { type: 'setData', path: '/controller_epoch', data: '2', version: 0 },
          { type: 'create', path: '/brokers', data: '' },
          { type: 'create', path: '/brokers/ids', data: '' },
        ],
        cb,
      ),
    );
    expect(ok).toBeNull();
    expect(res).toMatchObject([
      { type: 'check' },
      { type: 'setData' },
      { type: 'create', path: '/brokers' },
      { type: 'create', path: '/brokers/ids' },
    ]);
    expect(h.zk().lastZxid).toBe(zxidBefore + 1);
    expect(h.zk().get('/brokers/ids')?.stat.czxid).toBe(zxidBefore + 1);
    h.w.runFor(10);
    // b's data watch fired only for the committed multi.
    expect(h.of('b')).toEqual([expect.stringMatching(/^connected /), 'watch NodeDataChanged /controller_epoch']);
  });

  it('negotiates the session timeout into [2, 20] ticks', () => {
    const low = setup(['a'], { sessionTimeoutMs: 1000 });
    expect(low.zk().liveSessions()[0].timeoutMs).toBe(2 * TICK_MS);
    const high = setup(['a'], { sessionTimeoutMs: 1_000_000, tickMs: 500 });
    expect(high.zk().liveSessions()[0].timeoutMs).toBe(20 * 500);
  });
});

describe('zookeeper: watches', () => {
  it('a child watch fires NodeChildrenChanged on a create under the watched parent; children are sorted', () => {
    const h = setup(['a', 'b']);
    create(h, 'a', '/brokers');
    create(h, 'a', '/brokers/ids');
    create(h, 'a', '/brokers/ids/2', '', { ephemeral: true });
    expect(getChildren(h, 'b', '/brokers/ids', true)).toEqual([null, ['2']]);
    create(h, 'a', '/brokers/ids/10', '', { ephemeral: true });
    h.w.runFor(10);
    expect(h.of('b')).toContain('watch NodeChildrenChanged /brokers/ids');
    expect(getChildren(h, 'b', '/brokers/ids', true)[1]).toEqual(['10', '2']);
    remove(h, 'a', '/brokers/ids/2');
    h.w.runFor(10);
    expect(h.of('b').filter((x) => x === 'watch NodeChildrenChanged /brokers/ids')).toHaveLength(2);
    expect(getChildren(h, 'b', '/nope', true)[0]).toBe('NONODE');
  });

  it('watches are one-shot, and setting the same watch twice gives one event', () => {
    const h = setup(['a', 'b']);
    create(h, 'a', '/topics');
    getData(h, 'b', '/topics', true);
    exists(h, 'b', '/topics', true);
    setData(h, 'a', '/topics', '1', -1);
    setData(h, 'a', '/topics', '2', -1);
    h.w.runFor(10);
    expect(h.of('b').filter((x) => x.startsWith('watch'))).toEqual(['watch NodeDataChanged /topics']);
    expect(h.zk().watchCount()).toBe(0);
    // Set again, it fires again; exists() on a missing node watches for its creation.
    getData(h, 'b', '/topics', true);
    exists(h, 'b', '/later', true);
    remove(h, 'a', '/topics');
    create(h, 'a', '/later');
    h.w.runFor(10);
    expect(h.of('b').filter((x) => x.startsWith('watch'))).toEqual([
      'watch NodeDataChanged /topics',
      'watch NodeDeleted /topics',
      'watch NodeCreated /later',
    ]);
  });

  it('a watch event lost in a short cut is recovered: the gap breaks the connection, the watch is re-sent', () => {
    const h = setup(['a', 'b']);
    create(h, 'a', '/controller', '1');
    getData(h, 'b', '/controller', true);
    const sid = h.client('b').sessionId;
    h.w.net.cut('zk', 'b');
    setData(h, 'a', '/controller', '2', -1); // the notification to b is lost
    h.w.net.healLink('zk', 'b');
    h.w.runFor(5000);
    expect(h.of('b')).toContain('watch NodeDataChanged /controller');
    expect(h.client('b').sessionId).toBe(sid);
    expect(h.client('b').state).toBe('connected');
    expect(h.of('b').filter((x) => x.startsWith('connected'))).toHaveLength(1);
  });

  it('a change made while the client is disconnected fires its watch on reconnect (ZooKeeper SetWatches)', () => {
    const h = setup(['a', 'b']);
    create(h, 'a', '/brokers');
    getChildren(h, 'b', '/brokers', true);
    const sid = h.client('b').sessionId;
    // One way only: b's reconnect attempts reach the server and keep its session alive, the answers do not.
    h.w.net.cut('zk', 'b');
    h.w.runUntil(() => h.client('b').state === 'disconnected', { maxEvents: 100_000 });
    create(h, 'a', '/brokers/1');
    h.w.runFor(5000);
    expect(h.client('b').state).toBe('disconnected');
    h.w.net.heal();
    h.w.runFor(3000);
    expect(h.client('b').state).toBe('connected');
    expect(h.client('b').sessionId).toBe(sid);
    expect(h.of('b').slice(1)).toEqual(['disconnected', 'watch NodeChildrenChanged /brokers']);
  });
});

describe('zookeeper: sessions', () => {
  it("an ephemeral node goes when its owner is cut off past the session timeout, firing another's watch", () => {
    const h = setup(['a', 'b']);
    create(h, 'a', '/brokers');
    create(h, 'a', '/brokers/1', 'a', { ephemeral: true });
    expect(exists(h, 'b', '/brokers/1', true)[1]).not.toBeNull();
    const oldSession = h.client('a').sessionId;
    const cutAt = h.w.now;
    h.w.net.isolate('a');
    h.w.runFor(3900);
    expect(h.zk().get('/brokers/1')).not.toBeNull();
    h.w.runFor(20_000);
    const deleted = h.log.find((e) => e.node === 'b' && e.what === 'watch NodeDeleted /brokers/1');
    expect(deleted).toBeDefined();
    // Last heard at most one ping interval before the cut; expiry rounds up to the next tick.
    expect(deleted!.at - cutAt).toBeGreaterThanOrEqual(SESSION_MS - SESSION_MS / 3);
    expect(deleted!.at - cutAt).toBeLessThanOrEqual(SESSION_MS + TICK_MS + 10);
    expect(h.of('a')).toEqual([`connected ${oldSession}`, 'disconnected']);
    expect(h.client('a').state).toBe('disconnected');

    h.w.net.heal();
    h.w.runFor(3000);
    const newSession = h.client('a').sessionId;
    expect(newSession).not.toBe(oldSession);
    expect(h.of('a')).toEqual([`connected ${oldSession}`, 'disconnected', 'expired', `connected ${newSession}`]);
    expect(
      h
        .zk()
        .liveSessions()
        .map((s) => s.id),
    ).toEqual([h.client('b').sessionId, newSession]);
  });

  it('a client that keeps pinging keeps its session for a long time', () => {
    const h = setup(['a']);
    create(h, 'a', '/brokers', '');
    create(h, 'a', '/brokers/1', '', { ephemeral: true });
    const sid = h.client('a').sessionId;
    h.w.runFor(600_000);
    expect(h.client('a').sessionId).toBe(sid);
    expect(h.of('a')).toEqual([`connected ${sid}`]);
    expect(h.zk().get('/brokers/1')?.stat.ephemeralOwner).toBe(sid);
  });

  it('a paused client finds on resume that its session expired; its ephemeral node was gone before it woke', () => {
    const h = setup(['a', 'b']);
    create(h, 'a', '/controller', '{"brokerid":1}', { ephemeral: true });
    exists(h, 'b', '/controller', true);
    const oldSession = h.client('a').sessionId;
    h.w.pause('a');
    h.w.runFor(30_000);
    // The zombie has not noticed anything: it still thinks it is connected.
    expect(h.zk().get('/controller')).toBeNull();
    expect(h.of('b')).toContain('watch NodeDeleted /controller');
    expect(h.of('a')).toEqual([`connected ${oldSession}`]);
    expect(h.client('a').state).toBe('connected');
    const resumedAt = h.w.now;
    h.w.resume('a');
    h.w.runFor(1000);
    const newSession = h.client('a').sessionId;
    expect(newSession).not.toBeNull();
    expect(newSession).not.toBe(oldSession);
    // As ZooKeeper's client after a GC pause: its read timeout has passed, so it reconnects and only then
    // hears from the server that the session is gone.
    expect(h.of('a')).toEqual([`connected ${oldSession}`, 'disconnected', 'expired', `connected ${newSession}`]);
    const expiredAt = h.log.find((e) => e.node === 'a' && e.what === 'expired')!.at;
    const deletedAt = h.log.find((e) => e.node === 'b' && e.what === 'watch NodeDeleted /controller')!.at;
    expect(deletedAt).toBeLessThan(resumedAt);
    expect(expiredAt).toBeGreaterThanOrEqual(resumedAt);
  });

  it("a crashed client's session expires after the timeout, not before", () => {
    const h = setup(['a']);
    create(h, 'a', '/brokers', '');
    create(h, 'a', '/brokers/1', '', { ephemeral: true });
    const crashedAt = h.w.now; // the create's answer just came: the server heard from a a moment ago
    h.w.crash('a');
    h.w.runUntil(crashedAt + SESSION_MS - 1);
    expect(h.zk().get('/brokers/1')).not.toBeNull();
    expect(h.zk().liveSessions()).toHaveLength(1);
    // Expiry is rounded up to the next tick boundary.
    h.w.runUntil(crashedAt + SESSION_MS + TICK_MS);
    expect(h.zk().get('/brokers/1')).toBeNull();
    expect(h.zk().liveSessions()).toHaveLength(0);
  });

  it('close() ends the session at once and deletes its ephemeral nodes', () => {
    const h = setup(['a', 'b']);
    create(h, 'a', '/brokers', '');
    create(h, 'a', '/brokers/1', '', { ephemeral: true });
    getChildren(h, 'b', '/brokers', true);
    const closedAt = h.w.now;
    h.client('a').close();
    expect(h.client('a').state).toBe('closed');
    h.w.runFor(20);
    expect(h.zk().get('/brokers/1')).toBeNull();
    expect(
      h
        .zk()
        .liveSessions()
        .map((s) => s.node),
    ).toEqual(['b']);
    const fired = h.log.find((e) => e.node === 'b' && e.what === 'watch NodeChildrenChanged /brokers');
    expect(fired!.at - closedAt).toBeLessThan(20);
    // A closed client answers later requests with SESSIONEXPIRED.
    expect(create(h, 'a', '/x')[0]).toBe('SESSIONEXPIRED');
  });

  it('a late answer to a timed-out request is ignored; the request may still have been applied', () => {
    const h = setup(['a'], { requestTimeoutMs: 1000 });
    const sid = h.client('a').sessionId;
    h.w.net.setLinkLatency('zk', 'a', { kind: 'constant', ms: 2500 });
    const answers: (ZkErrorCode | null)[] = [];
    h.client('a').create('/late', '', {}, (err) => answers.push(err));
    h.w.runFor(1100);
    expect(answers).toEqual(['CONNECTIONLOSS']);
    expect(h.zk().get('/late')).not.toBeNull();
    h.w.net.setLinkLatency('zk', 'a', null);
    h.w.runFor(5000);
    // The create's answer (and the old ping's) arrived after the timeout, on a dead connection.
    expect(answers).toEqual(['CONNECTIONLOSS']);
    expect(h.client('a').state).toBe('connected');
    expect(h.client('a').sessionId).toBe(sid);
    expect(h.of('a')).toEqual([`connected ${sid}`, 'disconnected']);
    expect(create(h, 'a', '/late')[0]).toBe('NODEEXISTS');
  });

  it('answers SESSIONEXPIRED to an unknown session; a live session re-attaches from another node', () => {
    const h = setup(['a']);
    const sid = h.client('a').sessionId!;
    const got: unknown[] = [];
    const connect = (sessionId: number): ZkClientMessage => ({
      kind: 'zk-connect',
      sessionId,
      connId: 1,
      timeoutMs: 6000,
      lastZxid: 0,
      watches: { data: [], exist: [], child: [] },
    });
    h.w.addNode('raw', (ctx) => {
      ctx.send('zk', connect(999));
      ctx.send('zk', { kind: 'zk-request', sessionId: 999, connId: 1, seq: 1, xid: 7, body: { op: 'ping' } });
      ctx.send('zk', connect(sid));
      return {
        onMessage(_from, msg) {
          if (isZkServerMessage(msg)) got.push(msg);
        },
      };
    });
    h.w.start('raw');
    h.w.runFor(20);
    expect(got).toMatchObject([
      { kind: 'zk-connect-reply', sessionId: 999, err: 'SESSIONEXPIRED' },
      { kind: 'zk-reply', sessionId: 999, xid: 7, err: 'SESSIONEXPIRED' },
      { kind: 'zk-connect-reply', sessionId: sid, err: null, timeoutMs: SESSION_MS },
    ]);
    expect(h.zk().liveSessions()).toMatchObject([{ id: sid, node: 'raw' }]);
  });

  it('duplicated packets are not applied twice', () => {
    const h = setup(['a']);
    h.w.net.setPacketFaults({ loss: 0, duplicate: 1 });
    create(h, 'a', '/q');
    for (let i = 0; i < 3; i++) create(h, 'a', '/q/n-', '', { sequential: true });
    h.w.runFor(10_000);
    expect(h.zk().getChildren('/q')).toEqual(['n-0000000000', 'n-0000000001', 'n-0000000002']);
    expect(h.zk().liveSessions()).toHaveLength(1);
    expect(h.of('a')).toHaveLength(1);
  });

  it('is deterministic: the same seed gives the same history', () => {
    const run = (): string => {
      const h = setup(['a', 'b', 'c'], { seed: 42 });
      h.w.net.setDefaultLatency({ kind: 'exponential', mean: 5, max: 200 });
      create(h, 'a', '/brokers');
      for (const id of ['a', 'b', 'c']) h.client(id).create(`/brokers/${id}`, id, { ephemeral: true }, () => {});
      h.client('c').getChildren('/brokers', true, () => {});
      h.w.schedule(3000, () => h.w.net.isolate('a'));
      h.w.schedule(4000, () => h.w.pause('b'));
      h.w.schedule(20_000, () => h.w.resume('b'));
      h.w.schedule(25_000, () => h.w.net.heal());
      h.w.runFor(40_000);
      return JSON.stringify([h.log, h.zk().paths(), h.zk().lastZxid]);
    };
    const first = run();
    expect(run()).toBe(first);
    expect(first).toContain('expired');
  });
});
