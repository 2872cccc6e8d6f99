// The znode tree and its zxid counter (ZooKeeper's DataTree: createNode, deleteNode, setData,
// processTxn, with MultiOperationRecord for multi). Every write is a transaction of one or more ops (a plain create is
// a multi of one) applied with an undo log, so a multi is all or nothing, as in ZooKeeper. The tree knows
// nothing of sessions beyond the owner id stamped on ephemeral nodes, nor of watches: a transaction
// returns the changes it made and the server fires the watches.
import type { ZkErrorCode, ZkOp, ZkOpResult, ZkStat } from './protocol.ts';
import { ANY_VERSION } from './protocol.ts';
import { ROOT, isValidPath, nameOf, parentOf, sequentialPath } from './paths.ts';

interface ZNode {
  data: string;
  version: number;
  cversion: number;
  czxid: number;
  mzxid: number;
  pzxid: number;
  ephemeralOwner: number;
  /** Child names; read out sorted, so their order here does not matter. */
  children: Set<string>;
}

/** What a committed transaction changed, in op order: the server turns these into watch events. */
export type TreeChange =
  { type: 'created'; path: string } | { type: 'deleted'; path: string } | { type: 'dataChanged'; path: string };

export type TxnOutcome =
  | { ok: true; zxid: number; results: ZkOpResult[]; changes: TreeChange[] }
  | { ok: false; err: ZkErrorCode; index: number; results: ZkOpResult[] };

/** The session id that owns no ephemeral node (ZooKeeper's ephemeralOwner 0). */
export const NO_OWNER = 0;

function statOf(n: ZNode): ZkStat {
  return {
    czxid: n.czxid,
    mzxid: n.mzxid,
    pzxid: n.pzxid,
    version: n.version,
    cversion: n.cversion,
    ephemeralOwner: n.ephemeralOwner,
    dataLength: n.data.length,
    numChildren: n.children.size,
  };
}

function versionMatches(expected: number, actual: number): boolean {
  return expected === ANY_VERSION || expected === actual;
}

export class DataTree {
  private readonly nodes = new Map<string, ZNode>();
  /** owner session → its ephemeral paths, in creation order (the order they are deleted in). */
  private readonly ephemerals = new Map<number, Set<string>>();
  private zxid = 0;

  constructor() {
    this.nodes.set(ROOT, {
      data: '',
      version: 0,
      cversion: 0,
      czxid: 0,
      mzxid: 0,
      pzxid: 0,
      ephemeralOwner: NO_OWNER,
      children: new Set(),
    });
  }

  /** The zxid of the last committed transaction. */
  get lastZxid(): number {
    return this.zxid;
  }

  /** Takes a zxid for a transaction that touches no znode (createSession), as ZooKeeper logs one. */
  nextZxid(): number {
    return ++this.zxid;
  }

  stat(path: string): ZkStat | null {
    const n = this.nodes.get(path);
    return n === undefined ? null : statOf(n);
  }

  getData(path: string): { data: string; stat: ZkStat } | null {
    const n = this.nodes.get(path);
    return n === undefined ? null : { data: n.data, stat: statOf(n) };
  }

  getChildren(path: string): string[] | null {
    const n = this.nodes.get(path);
    return n === undefined ? null : [...n.children].sort();
  }

  ephemeralsOf(owner: number): string[] {
    return [...(this.ephemerals.get(owner) ?? [])];
  }

  /** Every path, sorted: for inspection and invariant checks. */
  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  /** Applies all ops or none. `session` owns the ephemeral nodes created. */
  transact(ops: readonly ZkOp[], session: number): TxnOutcome {
    const zxid = this.zxid + 1;
    const undo: (() => void)[] = [];
    const results: ZkOpResult[] = [];
    const changes: TreeChange[] = [];
    for (let i = 0; i < ops.length; i++) {
      const r = this.apply(ops[i], session, zxid, undo, changes);
      if (typeof r === 'string') {
        for (let j = undo.length - 1; j >= 0; j--) undo[j]();
        return {
          ok: false,
          err: r,
          index: i,
          results: ops.map((_, j) => ({ type: 'error', err: j < i ? 'OK' : j === i ? r : 'RUNTIMEINCONSISTENCY' })),
        };
      }
      results.push(r);
    }
    this.zxid = zxid;
    return { ok: true, zxid, results, changes };
  }

  /** closeSession: deletes every ephemeral node of `owner` in one transaction. */
  deleteEphemerals(owner: number): { zxid: number; changes: TreeChange[] } {
    const ops: ZkOp[] = this.ephemeralsOf(owner).map((path) => ({ type: 'delete', path, version: ANY_VERSION }));
    const out = this.transact(ops, NO_OWNER);
    // Ephemeral nodes have no children and the owner's set is kept exact, so this cannot fail.
    if (!out.ok) throw new Error(`zookeeper: closing session ${owner} failed with ${out.err} on op ${out.index}`);
    return { zxid: out.zxid, changes: out.changes };
  }

  private apply(
    op: ZkOp,
    session: number,
    zxid: number,
    undo: (() => void)[],
    changes: TreeChange[],
  ): ZkOpResult | ZkErrorCode {
    switch (op.type) {
      case 'create':
        return this.create(op, session, zxid, undo, changes);
      case 'delete':
        return this.delete(op.path, op.version, zxid, undo, changes);
      case 'setData':
        return this.setData(op.path, op.data, op.version, zxid, undo, changes);
      case 'check': {
        if (!isValidPath(op.path)) return 'BADARGUMENTS';
        const n = this.nodes.get(op.path);
        if (n === undefined) return 'NONODE';
        if (!versionMatches(op.version, n.version)) return 'BADVERSION';
        return { type: 'check' };
      }
    }
  }

  private create(
    op: Extract<ZkOp, { type: 'create' }>,
    session: number,
    zxid: number,
    undo: (() => void)[],
    changes: TreeChange[],
  ): ZkOpResult | ZkErrorCode {
    const sequential = op.sequential === true;
    if (!isValidPath(op.path, sequential)) return 'BADARGUMENTS';
    if (op.path === ROOT && !sequential) return 'NODEEXISTS';
    const parent = this.nodes.get(parentOf(op.path));
    if (parent === undefined) return 'NONODE';
    // ZooKeeper numbers sequential children with the parent's cversion before this create.
    const path = sequential ? sequentialPath(op.path, parent.cversion) : op.path;
    // The same order of checks as ZooKeeper's PrepRequestProcessor: existence before an ephemeral parent.
    if (this.nodes.has(path)) return 'NODEEXISTS';
    if (parent.ephemeralOwner !== NO_OWNER) return 'NOCHILDRENFOREPHEMERALS';
    const owner = op.ephemeral === true ? session : NO_OWNER;
    const name = nameOf(path);
    const node: ZNode = {
      data: op.data,
      version: 0,
      cversion: 0,
      czxid: zxid,
      mzxid: zxid,
      pzxid: zxid,
      ephemeralOwner: owner,
      children: new Set(),
    };
    const { cversion, pzxid } = parent;
    this.nodes.set(path, node);
    parent.children.add(name);
    parent.cversion++;
    parent.pzxid = zxid;
    if (owner !== NO_OWNER) this.addEphemeral(owner, path);
    undo.push(() => {
      this.nodes.delete(path);
      parent.children.delete(name);
      parent.cversion = cversion;
      parent.pzxid = pzxid;
      if (owner !== NO_OWNER) this.removeEphemeral(owner, path);
    });
    changes.push({ type: 'created', path });
    return { type: 'create', path };
  }

  private delete(
    path: string,
    version: number,
    zxid: number,
    undo: (() => void)[],
    changes: TreeChange[],
  ): ZkOpResult | ZkErrorCode {
    if (!isValidPath(path) || path === ROOT) return 'BADARGUMENTS';
    const node = this.nodes.get(path);
    if (node === undefined) return 'NONODE';
    if (!versionMatches(version, node.version)) return 'BADVERSION';
    if (node.children.size > 0) return 'NOTEMPTY';
    const parent = this.nodes.get(parentOf(path));
    if (parent === undefined) throw new Error(`zookeeper: ${path} exists without its parent`);
    const name = nameOf(path);
    const { cversion, pzxid } = parent;
    const owner = node.ephemeralOwner;
    this.nodes.delete(path);
    parent.children.delete(name);
    parent.cversion++;
    parent.pzxid = zxid;
    if (owner !== NO_OWNER) this.removeEphemeral(owner, path);
    undo.push(() => {
      this.nodes.set(path, node);
      parent.children.add(name);
      parent.cversion = cversion;
      parent.pzxid = pzxid;
      if (owner !== NO_OWNER) this.addEphemeral(owner, path);
    });
    changes.push({ type: 'deleted', path });
    return { type: 'delete' };
  }

  private setData(
    path: string,
    data: string,
    version: number,
    zxid: number,
    undo: (() => void)[],
    changes: TreeChange[],
  ): ZkOpResult | ZkErrorCode {
    if (!isValidPath(path)) return 'BADARGUMENTS';
    const node = this.nodes.get(path);
    if (node === undefined) return 'NONODE';
    if (!versionMatches(version, node.version)) return 'BADVERSION';
    const before = { data: node.data, version: node.version, mzxid: node.mzxid };
    node.data = data;
    node.version++;
    node.mzxid = zxid;
    undo.push(() => {
      node.data = before.data;
      node.version = before.version;
      node.mzxid = before.mzxid;
    });
    changes.push({ type: 'dataChanged', path });
    return { type: 'setData', stat: statOf(node) };
  }

  private addEphemeral(owner: number, path: string): void {
    let set = this.ephemerals.get(owner);
    if (set === undefined) {
      set = new Set();
      this.ephemerals.set(owner, set);
    }
    set.add(path);
  }

  private removeEphemeral(owner: number, path: string): void {
    const set = this.ephemerals.get(owner);
    if (set === undefined) return;
    set.delete(path);
    if (set.size === 0) this.ephemerals.delete(owner);
  }
}
