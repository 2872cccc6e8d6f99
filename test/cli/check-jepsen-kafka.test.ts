// `kafkasim check --model jepsen-kafka` through the real binary: a history in Jepsen's EDN form (keyword
// keys) judged as Jepsen's Kafka checker judges it, Jepsen's test options as flags, and the histories and
// flags it refuses with one line and exit 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jepsenEdn } from '../helpers/jepsen-edn.ts';
import { kafkasimBin } from '../helpers/paths.ts';

const kafkasim = (...args: string[]) =>
  spawnSync(process.execPath, [kafkasimBin, ...args], { encoding: 'utf8', timeout: 60_000 });

const dir = mkdtempSync(join(tmpdir(), 'kafkasim-jepsen-'));
function file(name: string, history: string): string {
  const path = join(dir, name);
  writeFileSync(path, jepsenEdn(history));
  return path;
}

const WR_CYCLE = file(
  'wr-cycle.edn',
  `0 invoke txn [[:send :x :a] [:poll]]
   1 invoke txn [[:send :y :b] [:poll]]
   0 ok     txn [[:send :x [0 :a]] [:poll {:y [[0 :b]]}]]
   1 ok     txn [[:send :y [0 :b]] [:poll {:x [[0 :a]]}]]`,
);

const LOST = file(
  'lost.edn',
  `0 invoke send [[:send :x 1] [:send :y 2]]
   0 ok     send [[:send :x [0 1]] [:send :y [0 2]]]
   1 invoke send [[:send :x 3]]
   1 ok     send [[:send :x [1 3]]]
   2 invoke poll [[:poll]]
   2 ok     poll [[:poll {:x [[1 3]]}]]`,
);

// jepsen.store writes history.edn with prn, one jepsen.history.Op record per line, no enclosing vector.
const RECORDS = join(dir, 'records.edn');
writeFileSync(
  RECORDS,
  [
    '#jepsen.history.Op{:index 0, :time 1000, :type :invoke, :process 0, :f :send, :value [[:send :x 1]]}',
    '#jepsen.history.Op{:index 1, :time 2000, :type :ok, :process 0, :f :send, :value [[:send :x [0 1]]]}',
    '#jepsen.history.Op{:index 2, :time 3000, :type :invoke, :process 0, :f :send, :value [[:send :x 2]]}',
    '#jepsen.history.Op{:index 3, :time 4000, :type :ok, :process 0, :f :send, :value [[:send :x [1 2]]]}',
    '#jepsen.history.Op{:index 4, :time 5000, :type :info, :process :nemesis, :f :kill, :value nil}',
    '#jepsen.history.Op{:index 5, :time 6000, :type :invoke, :process 1, :f :poll, :value [[:poll]]}',
    '#jepsen.history.Op{:index 6, :time 7000, :type :ok, :process 1, :f :poll, :value [[:poll {:x [[1 2]]}]]}',
  ].join('\n') + '\n',
);

describe('kafkasim check --model jepsen-kafka', () => {
  it("reads history.edn as Jepsen's store writes it: one op record per line", () => {
    const r = kafkasim('check', RECORDS, '--model', 'jepsen-kafka');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/lost-write × 1: 1 of key "x"/);
  });

  it('reads keyword keys and finds the lost write and the unseen records (exit 1)', () => {
    const r = kafkasim('check', LOST, '--model', 'jepsen-kafka', '--json');
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { checkers: { anomalies: { name: string; count: number }[] }[] };
    expect(out.checkers[0].anomalies.map((a) => [a.name, a.count])).toEqual([
      ['lost-write', 1],
      ['unseen', 2],
    ]);
  });

  it('allows a G1c with ww edges inferred (exit 0) and finds it with --no-ww-deps (exit 1)', () => {
    const allowed = kafkasim('check', WR_CYCLE, '--model', 'jepsen-kafka');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toMatch(/allowed G1c × 1/);
    const finding = kafkasim('check', WR_CYCLE, '--model', 'jepsen-kafka', '--no-ww-deps');
    expect(finding.status).toBe(1);
    expect(finding.stdout).toMatch(/G1c × 1: G1c cycle of 2 ops/);
  });

  it.each([
    [[WR_CYCLE, '--model', 'jepsen-kafka', '--sub-via', 'magic'], /--sub-via must be/],
    [[WR_CYCLE, '--model', 'queue', '--rw-deps'], /--rw-deps applies only to --model jepsen-kafka/],
    [[WR_CYCLE, '--model', 'kafka', '--no-ww-deps'], /--no-ww-deps applies only/],
    [[file('assign.edn', '0 invoke assign [:x]\n0 ok assign [:x]'), '--model', 'jepsen-kafka'], /none of its 1/],
  ])('refuses %j with one line and exit 2', (args, message) => {
    const r = kafkasim('check', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
