// The watches a client holds (ZooKeeper's ZKWatchManager): registered when a watching read succeeds,
// removed when their event arrives, and re-sent to the server on reconnect so none is lost in between.
import type { ZkWatchEvent, ZkWatchSet } from './protocol.ts';

export class ClientWatches {
  private readonly data = new Set<string>();
  private readonly exist = new Set<string>();
  private readonly child = new Set<string>();

  /** exists() on a node that exists, or getData(). */
  addData(path: string): void {
    this.data.add(path);
  }

  /** exists() on a node that does not exist. */
  addExist(path: string): void {
    this.exist.add(path);
  }

  addChild(path: string): void {
    this.child.add(path);
  }

  /** Removes the watches the event consumes; false if none was held (the event is then not delivered). */
  take(e: ZkWatchEvent): boolean {
    switch (e.type) {
      case 'NodeCreated':
      case 'NodeDataChanged': {
        const a = this.data.delete(e.path);
        const b = this.exist.delete(e.path);
        return a || b;
      }
      case 'NodeChildrenChanged':
        return this.child.delete(e.path);
      case 'NodeDeleted': {
        const a = this.data.delete(e.path);
        const b = this.child.delete(e.path);
        return a || b;
      }
    }
  }

  snapshot(): ZkWatchSet {
    return { data: [...this.data], exist: [...this.exist], child: [...this.child] };
  }

  clear(): void {
    this.data.clear();
    this.exist.clear();
    this.child.clear();
  }
}
