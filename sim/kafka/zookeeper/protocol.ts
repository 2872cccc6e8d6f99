// What the simulated ZooKeeper and its clients say to each other, as plain objects. Names follow
// ZooKeeper's own (Stat fields, KeeperException codes, Watcher.Event.EventType).
//
// A "connection" here stands in for ZooKeeper's TCP connection: the client numbers its connection
// attempts (connId) and both sides number the messages they send on a connection (seq). The simulated
// network may drop a message and still deliver later ones after a cut heals, which TCP never does; a
// side that sees a gap treats the connection as broken, as a TCP reset would make it.

/** KeeperException.Code names. CONNECTIONLOSS is only ever produced by the client. */
export type ZkErrorCode =
  | 'NONODE'
  | 'NODEEXISTS'
  | 'BADVERSION'
  | 'NOTEMPTY'
  | 'SESSIONEXPIRED'
  | 'CONNECTIONLOSS'
  | 'NOCHILDRENFOREPHEMERALS'
  | 'BADARGUMENTS'
  /** In a failed multi: an op after the failing one, which was never tried. */
  | 'RUNTIMEINCONSISTENCY';

/** org.apache.zookeeper.data.Stat, without the wall-clock ctime/mtime. */
export interface ZkStat {
  /** zxid of the transaction that created the node. */
  czxid: number;
  /** zxid of the last transaction that changed the node's data. */
  mzxid: number;
  /** zxid of the last transaction that added or removed a child. */
  pzxid: number;
  /** Data version: 0 at creation, +1 per setData. */
  version: number;
  /** Children version: +1 per child created or deleted. */
  cversion: number;
  /** Session id of the owner if ephemeral, else 0. */
  ephemeralOwner: number;
  dataLength: number;
  numChildren: number;
}

export type ZkWatchEventType = 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged';

export interface ZkWatchEvent {
  path: string;
  type: ZkWatchEventType;
}

/** A version of -1 matches any version, as in ZooKeeper. */
export const ANY_VERSION = -1;

/** One operation of a multi (ZooKeeper's Op.check / Op.create / Op.setData / Op.delete). */
export type ZkOp =
  | { type: 'check'; path: string; version: number }
  | { type: 'create'; path: string; data: string; ephemeral?: boolean; sequential?: boolean }
  | { type: 'setData'; path: string; data: string; version: number }
  | { type: 'delete'; path: string; version: number };

/**
 * One op's result. When a multi fails every op gets an 'error' result, as ZooKeeper reports it: 'OK' for
 * the ops before the failing one (rolled back), its code for the failing one, RUNTIMEINCONSISTENCY after.
 */
export type ZkOpResult =
  | { type: 'check' }
  | { type: 'create'; path: string }
  | { type: 'setData'; stat: ZkStat }
  | { type: 'delete' }
  | { type: 'error'; err: ZkErrorCode | 'OK' };

/** The watches a reconnecting client still holds (ZooKeeper's SetWatches), so none is lost on the way. */
export interface ZkWatchSet {
  /** Data watches on nodes that existed when set (exists/getData). */
  data: string[];
  /** Watches set by exists() on a node that did not exist. */
  exist: string[];
  /** Child watches (getChildren). */
  child: string[];
}

export type ZkRequestBody =
  | { op: 'create'; path: string; data: string; ephemeral: boolean; sequential: boolean }
  | { op: 'delete'; path: string; version: number }
  | { op: 'exists'; path: string; watch: boolean }
  | { op: 'getData'; path: string; watch: boolean }
  | { op: 'setData'; path: string; data: string; version: number }
  | { op: 'getChildren'; path: string; watch: boolean }
  | { op: 'multi'; ops: ZkOp[] }
  | { op: 'ping' }
  | { op: 'close' };

export type ZkOpName = ZkRequestBody['op'];

export type ZkResponseBody =
  | { op: 'create'; path: string }
  | { op: 'delete' }
  | { op: 'exists'; stat: ZkStat | null }
  | { op: 'getData'; data: string; stat: ZkStat }
  | { op: 'setData'; stat: ZkStat }
  | { op: 'getChildren'; children: string[] }
  | { op: 'multi'; results: ZkOpResult[] }
  | { op: 'ping' }
  | { op: 'close' };

export type ZkResponseFor<K extends ZkOpName> = Extract<ZkResponseBody, { op: K }>;

// ---- client → server ----

/** ConnectRequest: sessionId 0 asks for a new session, any other re-attaches that session. */
export interface ZkConnectMessage {
  kind: 'zk-connect';
  sessionId: number;
  connId: number;
  timeoutMs: number;
  /** The highest zxid the client has seen: watches whose node changed after it fire at once. */
  lastZxid: number;
  watches: ZkWatchSet;
}

export interface ZkRequestMessage {
  kind: 'zk-request';
  sessionId: number;
  connId: number;
  /** 1, 2, 3... on a connection (the connect request is 0). */
  seq: number;
  /** The client's request id, unique per client, so an answer finds its request (or none, if late). */
  xid: number;
  body: ZkRequestBody;
}

export type ZkClientMessage = ZkConnectMessage | ZkRequestMessage;

// ---- server → client ----

/** Sent outside any connection, for a session that no longer exists. */
export const NO_SEQ = -1;

export interface ZkConnectReplyMessage {
  kind: 'zk-connect-reply';
  sessionId: number;
  connId: number;
  /** The negotiated session timeout. */
  timeoutMs: number;
  err: 'SESSIONEXPIRED' | null;
  zxid: number;
}

export interface ZkReplyMessage {
  kind: 'zk-reply';
  sessionId: number;
  connId: number;
  seq: number;
  xid: number;
  /** The server's last zxid when it answered (ReplyHeader.zxid). */
  zxid: number;
  err: ZkErrorCode | null;
  body: ZkResponseBody | null;
}

export interface ZkWatchMessage {
  kind: 'zk-watch';
  sessionId: number;
  connId: number;
  seq: number;
  zxid: number;
  path: string;
  type: ZkWatchEventType;
}

export type ZkServerMessage = ZkConnectReplyMessage | ZkReplyMessage | ZkWatchMessage;

function kindOf(msg: unknown): unknown {
  return typeof msg === 'object' && msg !== null ? (msg as { kind?: unknown }).kind : undefined;
}

export function isZkClientMessage(msg: unknown): msg is ZkClientMessage {
  const k = kindOf(msg);
  return k === 'zk-connect' || k === 'zk-request';
}

export function isZkServerMessage(msg: unknown): msg is ZkServerMessage {
  const k = kindOf(msg);
  return k === 'zk-connect-reply' || k === 'zk-reply' || k === 'zk-watch';
}
