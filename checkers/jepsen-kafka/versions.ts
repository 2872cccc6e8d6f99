// Versions: each distinct (key, value) a history sends or polls gets a small integer id, so that every later
// pass works on integer arrays instead of maps of maps. Jepsen's Kafka test sends each value once per key, so
// a version is one record: the value `value` in the log of `key`.
import type { Key, RecordValue } from '../queue/index.ts';
import { IntList } from './int-list.ts';

export class Versions {
  /** keyId → the key. */
  readonly keys: Key[] = [];
  /** version → its key's id. */
  readonly keyOf = new IntList(1024);
  /** version → its value. */
  readonly values: RecordValue[] = [];
  /** keyId → the versions of that key, in the order first seen. */
  readonly ofKey: IntList[] = [];
  private readonly keyIds = new Map<Key, number>();
  private readonly byKey: Map<RecordValue, number>[] = [];

  get count(): number {
    return this.values.length;
  }

  /** The id of `key`, interning it on first sight. */
  keyId(key: Key): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keyIds.set(key, id);
      this.keys.push(key);
      this.byKey.push(new Map());
      this.ofKey.push(new IntList());
    }
    return id;
  }

  /** The id of `key` if the history ever sent or polled it, else -1. */
  knownKeyId(key: Key): number {
    return this.keyIds.get(key) ?? -1;
  }

  /** The version of `value` in `keyId`'s log, interning it on first sight. */
  version(keyId: number, value: RecordValue): number {
    const map = this.byKey[keyId];
    let version = map.get(value);
    if (version === undefined) {
      version = this.values.length;
      map.set(value, version);
      this.values.push(value);
      this.keyOf.push(keyId);
      this.ofKey[keyId].push(version);
    }
    return version;
  }

  key(version: number): Key {
    return this.keys[this.keyOf.get(version)];
  }
}
