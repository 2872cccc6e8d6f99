// The simulated network. Each ordered pair of nodes has one connection that keeps FIFO order, as TCP
// does; latency comes from a distribution per link. Faults are rules: cut links (one way or both), packet
// loss, duplication and extra delay. A message in flight over a link that is cut is lost; the sender's
// timeouts are its own business.
import type { Distribution } from './distribution.ts';
import { sample, validateDistribution } from './distribution.ts';
import type { Random } from './random.ts';

export type NodeId = string;

export interface PacketFaults {
  /** Probability that a message is dropped. */
  loss: number;
  /** Probability that a message is delivered twice. */
  duplicate: number;
  /**
   * Extra delay added to each message; FIFO within the connection still holds, so this reorders only across
   * connections.
   */
  delay?: Distribution;
  /**
   * TCP semantics: a lost packet is retransmitted after this many ms (the retransmission timeout, doubled
   * at each further loss), so the message arrives late rather than never, and duplicates are discarded
   * by the receiving stack. Without it, loss drops the message and duplication delivers it twice.
   */
  retransmitMs?: number;
}

/** TCP gives up on a segment after about this many retransmissions (Linux tcp_retries2 is 15). */
const MAX_RETRANSMISSIONS = 15;

/** Linux's TCP_RTO_MAX: the retransmission timeout stops doubling at two minutes. */
const MAX_RTO_MS = 120_000;

/** Time from a segment's first sending to its k-th retransmission, the timeout doubling up to MAX_RTO_MS. */
function retransmissionOffset(firstRto: number, k: number): number {
  let offset = 0;
  let rto = firstRto;
  for (let i = 0; i < k; i++) {
    offset += rto;
    rto = Math.min(rto * 2, MAX_RTO_MS);
  }
  return offset;
}

/**
 * A message whose first sending was lost: when its retransmissions are due, so that a change of the link's
 * faults (the loss ends) can decide the ones still to come at the loss rate of their time.
 */
interface Retransmission {
  readonly sentAt: number;
  /** Latency of the successful sending, extra delay included. */
  readonly latency: number;
  readonly firstRto: number;
  /** Sendings lost so far as drawn: the message goes out on sending number `losses`. */
  losses: number;
}

/** What the world must provide so the network can deliver: scheduling and tracing. */
export interface NetworkHost {
  readonly now: number;
  scheduleDelivery(at: number, conn: Connection, epoch: number): void;
  traceNet(node: NodeId, kind: string, detail: () => string): void;
}

/** Marker for "no message": a delivery whose connection was reset since it was scheduled. */
export const NOTHING: unique symbol = Symbol('nothing');

/** One direction of a TCP connection between two nodes, with the fault rules that apply to it. */
export class Connection {
  /** Messages in flight, oldest first (a head index avoids shifting the array). */
  private queue: unknown[] = [];
  private head = 0;
  /** Each message's own arrival time before FIFO order held it back, parallel to `queue`. */
  private own: number[] = [];
  /** Messages in flight that were retransmitted, by their index in `queue` (rare: only under packet loss). */
  private retransmissions: Map<number, Retransmission> | null = null;
  /** Delivery time of the newest message: a later message never arrives before it. */
  lastAt = 0;
  /** Bumped when the connection is reset or cut; deliveries scheduled before carry the old epoch. */
  epoch = 0;
  blocked = false;
  latency: Distribution | null = null;
  faults: PacketFaults | null = null;
  sent = 0;
  dropped = 0;
  /** The world's handle for the receiving node, so delivery needs no lookup. */
  dest: unknown = null;

  constructor(
    readonly from: NodeId,
    readonly to: NodeId,
    readonly random: Random,
  ) {}

  enqueue(msg: unknown, ownAt: number, retransmission: Retransmission | null): void {
    if (retransmission !== null) (this.retransmissions ??= new Map()).set(this.queue.length, retransmission);
    this.queue.push(msg);
    this.own.push(ownAt);
  }

  shift(): unknown {
    if (this.head >= this.queue.length) return NOTHING;
    const m = this.queue[this.head];
    this.queue[this.head] = undefined;
    if (this.retransmissions !== null) this.retransmissions.delete(this.head);
    this.head++;
    if (this.head === this.queue.length) {
      // Drained, as it mostly is between messages: start over in the same array (emptied by pop: setting
      // `length` is a call into V8's runtime, and this runs for most messages delivered).
      const queue = this.queue;
      const own = this.own;
      while (queue.length > 0) queue.pop();
      while (own.length > 0) own.pop();
      this.head = 0;
      this.retransmissions = null;
    } else if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.own = this.own.slice(this.head);
      if (this.retransmissions !== null) {
        const moved = new Map<number, Retransmission>();
        for (const [i, r] of this.retransmissions) moved.set(i - this.head, r);
        this.retransmissions = moved;
      }
      this.head = 0;
    }
    return m;
  }

  get inFlight(): number {
    return this.queue.length - this.head;
  }

  /** Drops everything in flight and invalidates scheduled deliveries. */
  reset(): number {
    const lost = this.inFlight;
    this.queue = [];
    this.own = [];
    this.retransmissions = null;
    this.head = 0;
    this.epoch++;
    // What comes next travels on a new TCP connection: it does not wait behind a lost message's
    // retransmission backoff (left in place, a crashed broker's link stayed blocked for minutes).
    this.lastAt = 0;
    this.dropped += lost;
    return lost;
  }

  /**
   * The link's packet faults changed: a message still waiting for a retransmission goes out on the first one
   * due from now that the new loss rate lets through, as a real TCP stack's next retransmission would (the
   * old faults decided only the sendings before now). Returns the new arrival times of every message in
   * flight, oldest first, or null if none changed; the caller reschedules their deliveries.
   */
  retime(now: number, faults: PacketFaults | null): number[] | null {
    if (this.retransmissions === null) return null;
    let changed = false;
    const loss = faults !== null && faults.retransmitMs !== undefined ? faults.loss : 0;
    for (const [i, r] of this.retransmissions) {
      // Sendings at or before now were decided by the faults of their time.
      let k = 0;
      while (k < r.losses && r.sentAt + retransmissionOffset(r.firstRto, k) <= now) k++;
      if (k === r.losses) continue;
      while (k < MAX_RETRANSMISSIONS && loss > 0 && this.random.chance(loss)) k++;
      if (k === r.losses) continue;
      r.losses = k;
      this.own[i] = r.sentAt + retransmissionOffset(r.firstRto, k) + r.latency;
      changed = true;
    }
    if (!changed) return null;
    const times: number[] = [];
    let last = now;
    for (let i = this.head; i < this.queue.length; i++) {
      last = Math.max(last, this.own[i]);
      times.push(last);
    }
    this.lastAt = last;
    this.epoch++;
    return times;
  }
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  /** Packets lost and sent again (TCP semantics): the message came late. */
  retransmitted: number;
}

export class Network {
  private readonly names: NodeId[] = [];
  /** from → to → connection, created on first use. */
  private readonly outgoing = new Map<NodeId, Map<NodeId, Connection>>();
  private readonly all: Connection[] = [];
  private globalPacketFaults: PacketFaults | null = null;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, retransmitted: 0 };

  constructor(
    private readonly host: NetworkHost,
    private readonly random: Random,
    private defaultLatency: Distribution,
    private readonly destOf: (id: NodeId) => unknown,
  ) {}

  register(id: NodeId): void {
    if (this.outgoing.has(id)) return;
    this.outgoing.set(id, new Map());
    this.names.push(id);
  }

  nodes(): readonly NodeId[] {
    return this.names;
  }

  /** A node's connections by destination, for senders that look them up on every message. */
  outgoingOf(from: NodeId): ReadonlyMap<NodeId, Connection> {
    const out = this.outgoing.get(from);
    if (out === undefined) throw new RangeError(`unknown node ${JSON.stringify(from)}`);
    return out;
  }

  /** The connection from → to (created on first use). */
  connection(from: NodeId, to: NodeId): Connection {
    const out = this.outgoing.get(from);
    if (out === undefined) throw new RangeError(`unknown node ${JSON.stringify(from)}`);
    let c = out.get(to);
    if (c === undefined) {
      if (!this.outgoing.has(to)) throw new RangeError(`unknown node ${JSON.stringify(to)}`);
      c = new Connection(from, to, this.random.fork(`link:${from}->${to}`));
      c.dest = this.destOf(to);
      // An isolated node stays cut off from nodes it had never talked to (a client started later).
      if (this.isolated.size > 0 && (this.isolated.has(from) || this.isolated.has(to)) && from !== to) c.blocked = true;
      out.set(to, c);
      this.all.push(c);
    }
    return c;
  }

  setDefaultLatency(d: Distribution): void {
    this.defaultLatency = validateDistribution(d, 'defaultLatency');
  }

  setLinkLatency(from: NodeId, to: NodeId, d: Distribution | null): void {
    this.connection(from, to).latency = d === null ? null : validateDistribution(d, `latency ${from}->${to}`);
  }

  /** Sends msg from → to. Returns false if the network dropped it at once (cut or lost). */
  send(from: NodeId, to: NodeId, msg: unknown): boolean {
    return this.sendOn(this.connection(from, to), msg);
  }

  sendOn(conn: Connection, msg: unknown): boolean {
    this.stats.sent++;
    if (conn.blocked) {
      this.stats.dropped++;
      this.host.traceNet(conn.from, 'drop-cut', () => `${conn.from}->${conn.to}`);
      return false;
    }
    conn.sent++;
    const faults = conn.faults ?? this.globalPacketFaults;
    let copies = 1;
    let extra = 0;
    let losses = 0;
    if (faults !== null && faults.retransmitMs !== undefined) {
      // Each loss costs a retransmission timeout, doubling; the connection stays FIFO, so later messages
      // wait behind this one (head-of-line blocking), as on a real TCP connection. Losses are drawn now at
      // today's rate; a change of the faults before they are due redraws the rest (Connection.retime).
      while (losses < MAX_RETRANSMISSIONS && faults.loss > 0 && conn.random.chance(faults.loss)) {
        losses++;
        this.stats.retransmitted++;
      }
      if (faults.delay) extra += sample(faults.delay, conn.random);
    } else if (faults !== null) {
      if (faults.loss > 0 && conn.random.chance(faults.loss)) {
        this.stats.dropped++;
        conn.dropped++;
        this.host.traceNet(conn.from, 'drop-loss', () => `${conn.from}->${conn.to}`);
        return false;
      }
      if (faults.duplicate > 0 && conn.random.chance(faults.duplicate)) {
        copies = 2;
        this.stats.duplicated++;
      }
      if (faults.delay) extra = sample(faults.delay, conn.random);
    }
    const latency = sample(conn.latency ?? this.defaultLatency, conn.random) + extra;
    const now = this.host.now;
    let retransmission: Retransmission | null = null;
    let own = now + latency;
    if (losses > 0) {
      const firstRto = (faults as PacketFaults).retransmitMs as number;
      retransmission = { sentAt: now, latency, firstRto, losses };
      own += retransmissionOffset(firstRto, losses);
    }
    for (let i = 0; i < copies; i++) {
      const at = own < conn.lastAt ? conn.lastAt : own;
      conn.lastAt = at;
      conn.enqueue(msg, own, retransmission);
      this.host.scheduleDelivery(at, conn, conn.epoch);
    }
    return true;
  }

  /** Redraws the retransmissions still due on conn under its new faults, and reschedules what moved. */
  private retime(conn: Connection): void {
    const times = conn.retime(this.host.now, conn.faults ?? this.globalPacketFaults);
    if (times === null) return;
    this.host.traceNet(conn.from, 'retime', () => `${conn.from}->${conn.to}`);
    for (const at of times) this.host.scheduleDelivery(at, conn, conn.epoch);
  }

  /** Called by the world when a delivery event fires: the head of the connection, or NOTHING if reset. */
  takeDelivery(conn: Connection, epoch: number): unknown {
    if (epoch !== conn.epoch) return NOTHING;
    const m = conn.shift();
    if (m !== NOTHING) this.stats.delivered++;
    return m;
  }

  // ---- faults ----

  /** Cuts from → to (one way). Messages already in flight on that link are lost. */
  cut(from: NodeId, to: NodeId): void {
    if (from === to) return;
    const c = this.connection(from, to);
    c.blocked = true;
    this.stats.dropped += c.reset();
  }

  cutBoth(a: NodeId, b: NodeId): void {
    this.cut(a, b);
    this.cut(b, a);
  }

  /** Cuts every link between nodes of different groups; nodes in no group keep all their links. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]) for (const b of groups[j]) this.cut(a, b);
      }
    }
  }

  /** Cuts one node off from every other node, both ways, including nodes added later; heal() ends it. */
  isolate(node: NodeId): void {
    this.isolated.add(node);
    for (const other of this.names) if (other !== node) this.cutBoth(node, other);
  }

  private readonly isolated = new Set<NodeId>();

  healLink(from: NodeId, to: NodeId): void {
    this.connection(from, to).blocked = false;
  }

  /** Removes every cut. Packet faults stay until clearPacketFaults. */
  heal(): void {
    this.isolated.clear();
    for (const c of this.all) c.blocked = false;
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return (
      this.outgoing.get(from)?.get(to)?.blocked ?? (from !== to && (this.isolated.has(from) || this.isolated.has(to)))
    );
  }

  /** Every cut link as [from, to], in the order the links were first used. */
  cuts(): [NodeId, NodeId][] {
    return this.all.filter((c) => c.blocked).map((c) => [c.from, c.to]);
  }

  /** Packet faults on one link, or on every link without its own when from/to are omitted. */
  setPacketFaults(faults: PacketFaults | null, from?: NodeId, to?: NodeId): void {
    if (from === undefined || to === undefined) {
      this.globalPacketFaults = faults;
      for (const c of this.all) if (c.faults === null) this.retime(c);
    } else {
      const c = this.connection(from, to);
      c.faults = faults;
      this.retime(c);
    }
  }

  clearPacketFaults(): void {
    this.globalPacketFaults = null;
    for (const c of this.all) {
      c.faults = null;
      this.retime(c);
    }
  }

  /** Resets every connection from or to a node (its process died: its TCP connections are gone). */
  resetNode(node: NodeId): void {
    for (const c of this.all) {
      if (c.from === node || c.to === node) this.stats.dropped += c.reset();
    }
  }

  /**
   * A process that exits cleanly closes its connections gracefully: what it sent still arrives (its kernel
   * flushes the sockets before the FIN), what was coming to it is lost.
   */
  closeNode(node: NodeId): void {
    for (const c of this.all) {
      if (c.to === node) this.stats.dropped += c.reset();
    }
  }

  inFlight(): number {
    let n = 0;
    for (const c of this.all) n += c.inFlight;
    return n;
  }
}
