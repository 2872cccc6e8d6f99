// Versions: each distinct (key, value) a history sends or polls gets a small integer id, so that every later
// pass works on integer arrays instead of maps of maps. Jepsen's Kafka test sends each value once per key, so
// a version is one record: the value `value` in the log of `key`. Numbers (Jepsen's values) are interned in
// a table of fixed size; other values (keywords, strings) in a Map per key.
import type { Key, RecordValue } from '../queue/index.ts';
import type { Arena } from './arena.ts';
import { NumberPairTable } from './number-table.ts';

export class Versions {
  /** keyId → the key. */
  readonly keys: Key[] = [];
  /** version → its key's id. */
  readonly keyOf: Int32Array;
  private readonly numbers: Float64Array;
  private readonly others = new Map<number, RecordValue>();
  private readonly table: NumberPairTable;
  private readonly otherIds: Map<RecordValue, number>[] = [];
  private readonly keyIds = new Map<Key, number>();
  private byKey: { start: Int32Array; versions: Int32Array } | null = null;
  count = 0;

  /** Room for `capacity` versions: at most one per send and one per polled record. */
  constructor(
    private readonly arena: Arena,
    capacity: number,
  ) {
    this.keyOf = arena.int32(capacity);
    this.numbers = arena.float64(capacity);
    this.table = new NumberPairTable(arena, capacity);
  }

  /** The id of `key`, interning it on first sight. */
  keyId(key: Key): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keyIds.set(key, id);
      this.keys.push(key);
      this.otherIds.push(new Map());
    }
    return id;
  }

  /** The id of `key` if the history ever sent or polled it, else -1. */
  knownKeyId(key: Key): number {
    return this.keyIds.get(key) ?? -1;
  }

  /** The version of `value` in `keyId`'s log, interning it on first sight. */
  version(keyId: number, value: RecordValue): number {
    let version: number;
    if (typeof value === 'number') {
      version = this.table.getOrAdd(keyId, value, this.count);
    } else {
      const ids = this.otherIds[keyId];
      version = ids.get(value) ?? this.count;
      if (version === this.count) {
        ids.set(value, version);
        this.others.set(version, value);
      }
    }
    if (version === this.count) {
      this.keyOf[version] = keyId;
      if (typeof value === 'number') this.numbers[version] = value;
      this.count++;
    }
    return version;
  }

  value(version: number): RecordValue {
    return this.others.has(version) ? (this.others.get(version) as RecordValue) : this.numbers[version];
  }

  key(version: number): Key {
    return this.keys[this.keyOf[version]];
  }

  /** The versions of `keyId`, in the order first seen (grouped once, on first use, by a counting sort). */
  ofKey(keyId: number): Int32Array {
    if (this.byKey === null) {
      const start = this.arena.int32(this.keys.length + 1);
      for (let v = 0; v < this.count; v++) start[this.keyOf[v] + 1]++;
      for (let k = 0; k < this.keys.length; k++) start[k + 1] += start[k];
      const fill = start.slice(0, this.keys.length);
      const versions = this.arena.int32(this.count);
      for (let v = 0; v < this.count; v++) versions[fill[this.keyOf[v]]++] = v;
      this.byKey = { start, versions };
    }
    return this.byKey.versions.subarray(this.byKey.start[keyId], this.byKey.start[keyId + 1]);
  }
}
