// Schedules as data: validation messages, save/load, generation, the fast-check arbitrary, the
// --nemesis option and swarm selection. No cluster runs here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../nemesis/kinds/index.ts';
import type { FaultKind, Schedule } from '../../nemesis/schedule.ts';
import {
  FAULT_KINDS,
  generateSchedule,
  loadSchedule,
  parseNemesisOption,
  saveSchedule,
  scheduleArbitrary,
  validateSchedule,
} from '../../nemesis/schedule.ts';
import { swarm } from '../../nemesis/swarm.ts';
import { ConfigError } from '../../sim/world/errors.ts';
import { Random } from '../../sim/world/random.ts';

const SHAPE = { brokers: 3, partitions: 2, replicationFactor: 3 };

const sample: Schedule = {
  version: 1,
  ops: [
    {
      at: 5000,
      kind: 'partition',
      action: 'start',
      id: 0,
      params: { mode: 'isolate', target: { target: 'leader-of', partition: 0 } },
    },
    {
      at: 6000,
      kind: 'kill',
      action: 'start',
      id: 1,
      params: { target: { target: 'nodes', nodes: ['b1', 'b2'] }, mode: 'torn-last' },
    },
    { at: 9000, kind: 'partition', action: 'stop', id: 0, params: {} },
    {
      at: 9000,
      kind: 'packet',
      action: 'start',
      id: 2,
      params: { scope: 'all', loss: 0.1, duplicate: 0, delay: { kind: 'exponential', mean: 20, max: 2000 } },
    },
    { at: 12000, kind: 'kill', action: 'stop', id: 1, params: {} },
    {
      at: 12500,
      kind: 'outage',
      action: 'start',
      id: 3,
      params: { partition: 1, mode: 'lose-unsynced', order: ['b2', 'b0'], gapMs: 3000 },
    },
    { at: 15000, kind: 'packet', action: 'stop', id: 2, params: {} },
    { at: 16000, kind: 'outage', action: 'stop', id: 3, params: {} },
  ],
};

/** The error message validateSchedule gives for `json`. */
function problem(json: unknown): string {
  try {
    validateSchedule(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

function withOp(i: number, change: Record<string, unknown>): unknown {
  const copy = JSON.parse(JSON.stringify(sample)) as { ops: Record<string, unknown>[] };
  copy.ops[i] = { ...copy.ops[i], ...change };
  return copy;
}

/** Every fault is over (stop plus staggered restarts) before `timeMs`, and starts precede stops. */
function endsQuiet(s: Schedule, timeMs: number, shape = SHAPE): boolean {
  const open = new Map<number, number>();
  for (const op of s.ops) {
    if (op.action === 'start') {
      open.set(op.id, op.at);
      const stop = s.ops.find((o) => o.action === 'stop' && o.id === op.id);
      if (stop === undefined || stop.at < op.at) return false;
      if (stop.at + KINDS[op.kind].tailMs(op.params, shape) >= timeMs) return false;
    } else if (!open.has(op.id)) return false;
  }
  return true;
}

describe('validateSchedule', () => {
  it('accepts a well-formed schedule and returns it unchanged', () => {
    expect(validateSchedule(sample)).toEqual(sample);
  });

  it('names the place and the problem in one line', () => {
    expect(problem(withOp(3, { kind: 'flood' }))).toMatch(
      /^schedule\.ops\[3\]\.kind: unknown fault kind "flood" \(one of partition, /,
    );
    expect(problem({ version: 2, ops: [] })).toBe('schedule.version: expected 1, got 2');
    expect(problem({ version: 1 })).toBe('schedule.ops: missing');
    expect(problem([])).toBe('schedule: expected an object, got an array');
    expect(problem(withOp(0, { at: -1 }))).toBe('schedule.ops[0].at: must be at least 0, got -1');
    expect(problem(withOp(1, { at: 4000 }))).toBe(
      "schedule.ops[1].at: 4000 is before the previous op's 5000 (ops must be in time order)",
    );
    expect(problem(withOp(0, { action: 'begin' }))).toMatch(/^schedule\.ops\[0\]\.action: unknown action "begin"/);
    expect(problem(withOp(0, { id: 1.5 }))).toBe('schedule.ops[0].id: expected an integer, got 1.5');
    expect(problem(withOp(0, { colour: 'red' }))).toMatch(/^schedule\.ops\[0\]\.colour: unknown field/);
    expect(problem(withOp(2, { id: 1 }))).toBe(
      'schedule.ops[2].kind: stop of fault 1 is "partition" but its start is "kill"',
    );
    expect(problem(withOp(2, { params: { x: 1 } }))).toBe(
      'schedule.ops[2].params: a stop takes no params (expected {} or nothing)',
    );
    expect(problem(withOp(1, { id: 0 }))).toBe('schedule.ops[1].id: a second start with id 0');
  });

  it("checks each kind's params", () => {
    expect(problem(withOp(0, { params: { mode: 'split-brain' } }))).toMatch(
      /^schedule\.ops\[0\]\.params\.mode: unknown partition mode "split-brain"/,
    );
    expect(problem(withOp(0, { params: { mode: 'isolate' } }))).toBe('schedule.ops[0].params.target: missing');
    expect(
      problem(withOp(0, { params: { mode: 'isolate', target: { target: 'nodes', nodes: ['broker-1'] } } })),
    ).toMatch(/^schedule\.ops\[0\]\.params\.target\.nodes\[0\]: "broker-1" is not a broker node id/);
    expect(problem(withOp(1, { params: { target: { target: 'zk' }, mode: 'torn-last' } }))).toBe(
      'schedule.ops[1].params.target.target: this fault cannot target the ZooKeeper node "zk"',
    );
    expect(problem(withOp(1, { params: { target: { target: 'controller' }, mode: 'fsync' } }))).toMatch(
      /^schedule\.ops\[1\]\.params\.mode: unknown crash mode "fsync"/,
    );
    expect(problem(withOp(3, { params: { scope: 'all', loss: 1.5, duplicate: 0, delay: null } }))).toBe(
      'schedule.ops[3].params.loss: must be at most 1, got 1.5',
    );
    expect(problem(withOp(3, { params: { scope: 'all', los: 0.5, loss: 0, duplicate: 0, delay: null } }))).toMatch(
      /^schedule\.ops\[3\]\.params\.los: unknown field/,
    );
    expect(problem(withOp(5, { params: { partition: 1, mode: 'torn-last', order: 'oldest', gapMs: 1 } }))).toMatch(
      /^schedule\.ops\[5\]\.params\.order: unknown restart order "oldest"/,
    );
  });

  it('allows incomplete pairs (a delta-debugged schedule) but not a start after its stop', () => {
    expect(validateSchedule({ version: 1, ops: sample.ops.filter((_, i) => i !== 0 && i !== 4) }).ops).toHaveLength(6);
    expect(problem({ version: 1, ops: [sample.ops[2], { ...sample.ops[0], at: 9000 }] })).toBe(
      'schedule.ops[1].id: the start of fault 0 comes after its stop',
    );
  });

  it('with a cluster shape, checks that nodes and partitions exist', () => {
    expect(() => validateSchedule(sample, SHAPE)).not.toThrow();
    expect(() => validateSchedule(sample, { brokers: 2, partitions: 2, replicationFactor: 2 })).toThrow(
      'schedule.ops[1].params.target.nodes[1]: no broker node "b2" in a 2-broker cluster',
    );
    expect(() => validateSchedule(sample, { brokers: 3, partitions: 1, replicationFactor: 3 })).toThrow(
      'schedule.ops[5].params.partition: no partition 1 in a topic of 1 partition(s)',
    );
  });
});

describe('saveSchedule and loadSchedule', () => {
  it('round-trip a schedule unchanged, one op per line, always to the same text', () => {
    const text = saveSchedule(sample);
    expect(loadSchedule(text)).toEqual(sample);
    expect(saveSchedule(loadSchedule(text))).toBe(text);
    expect(text.split('\n')).toHaveLength(sample.ops.length + 6);
    expect(text).toContain(
      '{"at": 5000, "kind": "partition", "action": "start", "id": 0, "params": ' +
        '{"mode":"isolate","target":{"partition":0,"target":"leader-of"}}}',
    );
    expect(loadSchedule(saveSchedule({ version: 1, ops: [] }))).toEqual({ version: 1, ops: [] });
  });

  it('gives the position of a JSON syntax error', () => {
    const broken = saveSchedule(sample).replace('"id": 1,', '"id": 1');
    expect(() => loadSchedule(broken)).toThrow(
      /^schedule: invalid JSON at line 5, column \d+: expected ',' or '}', found "\\""$/,
    );
    expect(() => loadSchedule('{"version": 1, "ops": [')).toThrow(
      'schedule: invalid JSON at line 1, column 24: unexpected end of input',
    );
    expect(() => loadSchedule('')).toThrow(ConfigError);
    expect(() => loadSchedule('{"version": 1, "ops": []} x')).toThrow(
      'schedule: invalid JSON at line 1, column 27: unexpected "x" after the end of the value',
    );
  });

  it('rejects valid JSON that is not a valid schedule with the schedule error', () => {
    expect(() => loadSchedule('{"version": 1, "ops": [{"at": 0}]}')).toThrow(
      'schedule.ops[0].kind: missing (one of partition, ',
    );
  });
});

describe('generateSchedule', () => {
  const options = { kinds: [...FAULT_KINDS], timeMs: 300_000, brokers: 3, partitions: 2, intensity: 0.6 };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSchedule(Random.root(7), options);
    expect(generateSchedule(Random.root(7), options)).toEqual(a);
    expect(generateSchedule(Random.root(8), options)).not.toEqual(a);
    expect(a.ops.length).toBeGreaterThan(20);
  });

  it('yields valid schedules: a quiet start, only the kinds asked for, everything over before the end', () => {
    for (let seed = 0; seed < 40; seed++) {
      const kinds: FaultKind[] = FAULT_KINDS.filter(
        (_, i) => (seed >> (i % 5)) % 2 === 0 || i === seed % FAULT_KINDS.length,
      );
      const timeMs = 30_000 + seed * 7_000;
      const s = generateSchedule(Random.root(seed), { ...options, kinds, timeMs, intensity: (seed % 11) / 10 });
      expect(validateSchedule(JSON.parse(saveSchedule(s)), SHAPE)).toEqual(s);
      expect(s.ops.every((op) => kinds.includes(op.kind))).toBe(true);
      expect(s.ops.every((op) => op.at >= 3000)).toBe(true);
      expect(endsQuiet(s, timeMs)).toBe(true);
      expect(s.ops.filter((o) => o.action === 'start')).toHaveLength(s.ops.length / 2);
    }
  });

  it('keeps each kind to one fault at a time', () => {
    const s = generateSchedule(Random.root(3), { ...options, intensity: 1 });
    const active = new Set<FaultKind>();
    for (const op of s.ops) {
      if (op.action === 'start') {
        expect(active.has(op.kind)).toBe(false);
        active.add(op.kind);
      } else active.delete(op.kind);
    }
  });

  it('sometimes pauses for longer than an 18 s ZooKeeper session', () => {
    const s = generateSchedule(Random.root(11), { ...options, kinds: ['pause'], timeMs: 600_000 });
    const lengths = s.ops
      .filter((o) => o.action === 'start')
      .map((o) => (s.ops.find((x) => x.action === 'stop' && x.id === o.id)?.at ?? 0) - o.at);
    expect(lengths.some((ms) => ms > 18_000)).toBe(true);
    expect(lengths.some((ms) => ms < 18_000)).toBe(true);
  });

  it('gives nothing for no kinds, and rejects bad options', () => {
    expect(generateSchedule(Random.root(1), { ...options, kinds: [] })).toEqual({ version: 1, ops: [] });
    expect(() => generateSchedule(Random.root(1), { ...options, intensity: 2 })).toThrow(
      'intensity must be from 0 to 1, got 2',
    );
    expect(() => generateSchedule(Random.root(1), { ...options, kinds: ['flood' as FaultKind] })).toThrow(
      'unknown fault kind "flood"',
    );
  });
});

describe('scheduleArbitrary', () => {
  const options = { kinds: [...FAULT_KINDS], timeMs: 60_000, brokers: 3, partitions: 2 };

  it('produces valid schedules that end quiet', () => {
    fc.assert(
      fc.property(scheduleArbitrary(options), (s) => {
        expect(validateSchedule(JSON.parse(saveSchedule(s)), SHAPE)).toEqual(s);
        expect(endsQuiet(s, options.timeMs)).toBe(true);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('shrinks a failing schedule to the one fault that matters, early and short', () => {
    // A "bug" that needs a kill of the controller lasting at least 5 s.
    const failing = (s: Schedule): boolean =>
      s.ops.some((op) => {
        if (op.action !== 'start' || op.kind !== 'kill' || op.params.target.target !== 'controller') return false;
        const stop = s.ops.find((o) => o.action === 'stop' && o.id === op.id);
        return stop !== undefined && stop.at - op.at >= 5000;
      });
    const result = fc.check(
      fc.property(scheduleArbitrary({ ...options, maxFaults: 10 }), (s) => !failing(s)),
      { seed: 5, numRuns: 2000 },
    );
    expect(result.failed).toBe(true);
    const shrunk = (result.counterexample as [Schedule])[0];
    expect(shrunk.ops).toHaveLength(2);
    expect(shrunk.ops[0]).toMatchObject({
      at: 0,
      kind: 'kill',
      action: 'start',
      params: { target: { target: 'controller' } },
    });
    expect(shrunk.ops[1]).toMatchObject({ at: 5000, kind: 'kill', action: 'stop' });
  });

  it('only uses the kinds asked for', () => {
    fc.assert(
      fc.property(scheduleArbitrary({ ...options, kinds: ['clock', 'pause'] }), (s) =>
        s.ops.every((op) => op.kind === 'clock' || op.kind === 'pause'),
      ),
      { numRuns: 50, seed: 1 },
    );
  });
});

describe('parseNemesisOption', () => {
  it('reads lists, none, all and swarm', () => {
    expect(parseNemesisOption('kill, partition')).toEqual(['partition', 'kill']);
    expect(parseNemesisOption('none')).toEqual([]);
    expect(parseNemesisOption('all')).toEqual([...FAULT_KINDS]);
    expect(parseNemesisOption('all,kill')).toEqual([...FAULT_KINDS]);
    expect(parseNemesisOption('swarm')).toBe('swarm');
  });

  it('rejects unknown names and odd mixtures with one clear line', () => {
    expect(() => parseNemesisOption('kill,flood')).toThrow(
      /^--nemesis: unknown fault kind "flood" \(one of partition, leader-data-path, .*; or none, all, swarm\)$/,
    );
    expect(() => parseNemesisOption('swarm,kill')).toThrow(ConfigError);
    expect(() => parseNemesisOption('none,kill')).toThrow('--nemesis: "none" cannot be combined with fault kinds');
    expect(() => parseNemesisOption(' , ')).toThrow(ConfigError);
  });
});

describe('swarm', () => {
  it('is deterministic per seed, varies across seeds, and always turns something on', () => {
    expect(swarm(Random.root(1))).toEqual(swarm(Random.root(1)));
    const picks = Array.from({ length: 60 }, (_, seed) => swarm(Random.root(seed)));
    expect(new Set(picks.map((p) => p.kinds.join(','))).size).toBeGreaterThan(40);
    expect(new Set(picks.map((p) => p.intensity)).size).toBeGreaterThan(30);
    for (const p of picks) {
      expect(p.kinds.length).toBeGreaterThan(0);
      expect(p.intensity).toBeGreaterThanOrEqual(0.1);
      expect(p.intensity).toBeLessThanOrEqual(1);
      expect(p.description).toBe(
        `swarm: ${p.kinds.join(', ')} (${p.kinds.length} of ${FAULT_KINDS.length} kinds) at intensity ` +
          `${p.intensity.toFixed(2)}`,
      );
      expect(p.description).not.toContain('\n');
    }
    // Each kind is on in roughly half the seeds.
    for (const k of FAULT_KINDS) {
      const on = picks.filter((p) => p.kinds.includes(k)).length;
      expect(on).toBeGreaterThan(15);
      expect(on).toBeLessThan(45);
    }
  });
});

describe('outage params', () => {
  const outage = (params: Record<string, unknown>): unknown => ({
    version: 1,
    ops: [{ at: 1000, kind: 'outage', action: 'start', id: 0, params }],
  });
  const old = { partition: 1, mode: 'process', order: 'stale-first', gapMs: 3000 };

  it('reads a schedule written before one-by-one failures exactly as written (it fails together)', () => {
    expect(validateSchedule(outage(old), SHAPE)).toEqual(outage(old));
  });

  it('reads the failure order and its gaps', () => {
    for (const extra of [
      { failOrder: 'together' },
      { failOrder: 'together', failGapsMs: [] },
      { failOrder: 'leader-last', failGapsMs: [8000, 12000] },
      { failOrder: 'random', failGapsMs: [0] },
      { failOrder: ['b2', 'b0'], failGapsMs: [5000] },
    ]) {
      expect(validateSchedule(outage({ ...old, ...extra }), SHAPE)).toEqual(outage({ ...old, ...extra }));
    }
  });

  it('names the place and the problem of a bad failure order or gap in one line', () => {
    const at = 'schedule.ops[0].params';
    const bad: [Record<string, unknown>, string][] = [
      [{ failOrder: 'leader-first', failGapsMs: [1] }, `${at}.failOrder: unknown failure order "leader-first"`],
      [{ failOrder: 'random' }, `${at}.failGapsMs: missing (failOrder "random" needs the gaps between failures)`],
      [{ failOrder: 'random', failGapsMs: [] }, `${at}.failGapsMs: failOrder "random" needs at least one gap in ms`],
      [{ failOrder: 'together', failGapsMs: [1000] }, `${at}.failGapsMs: replicas that fail together have no gaps`],
      [{ failGapsMs: [1000] }, `${at}.failGapsMs: replicas that fail together have no gaps`],
      [{ failOrder: 'random', failGapsMs: 1000 }, `${at}.failGapsMs: expected an array of gaps in ms`],
      [{ failOrder: 'random', failGapsMs: [-1] }, `${at}.failGapsMs[0]: must be at least 0, got -1`],
      [{ failOrder: 'random', failGapsMs: [700000] }, `${at}.failGapsMs[0]: must be at most 600000`],
      [{ failOrder: ['b0', 'b0'], failGapsMs: [1] }, `${at}.failOrder: node "b0" listed twice`],
      [{ failOrder: ['b7'], failGapsMs: [1] }, `${at}.failOrder[0]: no broker node "b7" in a 3-broker cluster`],
      [{ failOrder: [], failGapsMs: [1] }, `${at}.failOrder: expected at least one broker`],
      [{ failOrders: 'random' }, `${at}.failOrders: unknown field`],
    ];
    for (const [extra, message] of bad) {
      let thrown: unknown;
      try {
        validateSchedule(outage({ ...old, ...extra }), SHAPE);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toContain(message);
      expect((thrown as Error).message).not.toContain('\n');
    }
  });

  it('generates one-by-one failures most of the time, with gaps short and long, and all within the run', () => {
    const orders = new Map<string, number>();
    let short = 0;
    let long = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const s = generateSchedule(Random.root(seed), { kinds: ['outage'], timeMs: 60_000, brokers: 3, partitions: 3 });
      expect(endsQuiet(s, 60_000)).toBe(true);
      for (const op of s.ops) {
        if (op.action !== 'start' || op.kind !== 'outage') continue;
        const p = op.params;
        const order = String(p.failOrder);
        orders.set(order, (orders.get(order) ?? 0) + 1);
        for (const g of p.failGapsMs ?? []) g < 10000 ? short++ : long++;
        if (order !== 'together') expect(p.failGapsMs).toHaveLength(2);
        // Every failure is due before the stop.
        const stop = s.ops.find((o) => o.action === 'stop' && o.id === op.id);
        const span = (p.failGapsMs ?? []).reduce((a, b) => a + b, 0);
        expect((stop?.at ?? 0) - op.at).toBeGreaterThan(span);
      }
    }
    expect([...orders.keys()].sort()).toEqual(['leader-last', 'random', 'together']);
    expect((orders.get('leader-last') ?? 0) + (orders.get('random') ?? 0)).toBeGreaterThan(
      2 * (orders.get('together') ?? 0),
    );
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(0);
  });
});
