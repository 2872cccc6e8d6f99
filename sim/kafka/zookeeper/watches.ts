// The server's watch tables (ZooKeeper's WatchManager): one-shot watches per (session, path, kind),
// fired by the changes of committed transactions in the order ZooKeeper's DataTree fires them.
import type { ZkWatchEventType } from './protocol.ts';
import type { TreeChange } from './tree.ts';
import { parentOf } from './paths.ts';

/** 'data' watches are set by exists and getData, 'child' watches by getChildren. */
export type WatchKind = 'data' | 'child';

export interface FiredWatch {
  session: number;
  path: string;
  type: ZkWatchEventType;
}

export class WatchManager {
  /** path → watching sessions, in the order they set the watch (the order they are told). */
  private readonly tables: Record<WatchKind, Map<string, Set<number>>> = { data: new Map(), child: new Map() };
  /** session → its watched paths, so a dying session's watches go without scanning every table. */
  private readonly bySession = new Map<number, Record<WatchKind, Set<string>>>();

  add(kind: WatchKind, session: number, path: string): void {
    const table = this.tables[kind];
    let watchers = table.get(path);
    if (watchers === undefined) {
      watchers = new Set();
      table.set(path, watchers);
    }
    watchers.add(session);
    let mine = this.bySession.get(session);
    if (mine === undefined) {
      mine = { data: new Set(), child: new Set() };
      this.bySession.set(session, mine);
    }
    mine[kind].add(path);
  }

  /** Forgets every watch of a session (it expired, closed, or re-sent its watches on a new connection). */
  removeSession(session: number): void {
    const mine = this.bySession.get(session);
    if (mine === undefined) return;
    this.bySession.delete(session);
    for (const kind of ['data', 'child'] as const) {
      for (const path of mine[kind]) this.forget(kind, path, session);
    }
  }

  /** Number of (session, path, kind) watches held: for tests and inspection. */
  count(): number {
    let n = 0;
    for (const mine of this.bySession.values()) n += mine.data.size + mine.child.size;
    return n;
  }

  /** Removes and returns every watch the changes trigger. */
  fire(changes: readonly TreeChange[]): FiredWatch[] {
    const out: FiredWatch[] = [];
    for (const c of changes) {
      switch (c.type) {
        case 'created':
          this.trigger('data', c.path, 'NodeCreated', out);
          this.trigger('child', parentOf(c.path), 'NodeChildrenChanged', out);
          break;
        case 'dataChanged':
          this.trigger('data', c.path, 'NodeDataChanged', out);
          break;
        case 'deleted': {
          // A session watching both the node's data and its children hears of the deletion once.
          const told = this.trigger('data', c.path, 'NodeDeleted', out);
          this.trigger('child', c.path, 'NodeDeleted', out, told);
          this.trigger('child', parentOf(c.path), 'NodeChildrenChanged', out);
          break;
        }
      }
    }
    return out;
  }

  private trigger(
    kind: WatchKind,
    path: string,
    type: ZkWatchEventType,
    out: FiredWatch[],
    skip?: ReadonlySet<number>,
  ): Set<number> {
    const watchers = this.tables[kind].get(path);
    if (watchers === undefined) return new Set();
    this.tables[kind].delete(path);
    for (const session of watchers) {
      this.bySession.get(session)?.[kind].delete(path);
      if (skip === undefined || !skip.has(session)) out.push({ session, path, type });
    }
    return watchers;
  }

  private forget(kind: WatchKind, path: string, session: number): void {
    const watchers = this.tables[kind].get(path);
    if (watchers === undefined) return;
    watchers.delete(session);
    if (watchers.size === 0) this.tables[kind].delete(path);
  }
}
