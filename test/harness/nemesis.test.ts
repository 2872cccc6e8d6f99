// The test runner with faults: runs stay deterministic with every fault kind, nemesis ops are recorded
// as Jepsen records them, and the final phase starts from a cluster with no fault left.
import { describe, expect, it } from 'vitest';
import { checkQueue } from '../../checkers/queue/index.ts';
import { runOptions } from '../helpers/run.ts';
import { FAULT_KINDS, faultState, isQuiet, type FaultState, type Schedule } from '../../nemesis/index.ts';
import { readEdnHistory, writeEdnHistory } from '../../workloads/history/edn.ts';
import { FINAL_READS_F, NEMESIS_PROCESS } from '../../workloads/history/format.ts';
import { readJsonl, writeJsonl } from '../../workloads/history/jsonl.ts';

// Seeds whose generated schedules (all kinds on, 30 s) use every fault kind between them.
const SEEDS = [1, 2, 3, 4, 5, 6, 8, 13];

describe('runTest with every fault kind', () => {
  const runs = SEEDS.map((seed) => ({ seed, run: runOptions({ seed, timeSeconds: 30, nemesis: [...FAULT_KINDS] }) }));

  it('covers every fault kind across the seeds', () => {
    const used = new Set(runs.flatMap(({ run }) => run.schedule.ops.map((op) => op.kind)));
    expect([...used].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('gives the same history, byte for byte, for the same seed', () => {
    for (const { seed, run } of runs) {
      const again = runOptions({ seed, timeSeconds: 30, nemesis: [...FAULT_KINDS] });
      expect(writeJsonl(again.history), `seed ${seed}`).toBe(writeJsonl(run.history));
      expect(again.historyHash).toBe(run.historyHash);
      expect(again.facts.durability).toEqual(run.facts.durability);
      expect(again.stats).toEqual(run.stats);
    }
  });

  it('gives different histories for different seeds', () => {
    expect(new Set(runs.map(({ run }) => run.historyHash)).size).toBe(runs.length);
  });

  it('records nemesis ops as info ops of the nemesis process at their scheduled times', () => {
    for (const { run } of runs) {
      const nemesisOps = run.history.filter((op) => op.process === NEMESIS_PROCESS);
      const starts = nemesisOps.filter((op) => op.f.startsWith('start-'));
      expect(starts.length).toBe(run.schedule.ops.filter((op) => op.action === 'start').length);
      for (const op of nemesisOps) expect(op.type).toBe('info');
      const scheduledStarts = run.schedule.ops.filter((op) => op.action === 'start').map((op) => op.at);
      expect(starts.map((op) => op.time)).toEqual(scheduledStarts);
    }
  });

  it('heals everything before the final reads and records the marker after the heal', () => {
    for (const { run } of runs) {
      expect(run.stats.healed).toBe(true);
      const marker = run.history.findIndex((op) => op.f === FINAL_READS_F);
      expect(run.history[marker - 1].f).toBe('heal-all');
      expect(run.history.slice(marker + 1).some((op) => op.process === NEMESIS_PROCESS)).toBe(false);
    }
  });

  it('round-trips its history (nemesis values included) through JSON lines and EDN', () => {
    for (const { run } of runs) {
      expect(readJsonl(writeJsonl(run.history))).toEqual(run.history);
      expect(readEdnHistory(writeEdnHistory(run.history))).toEqual(run.history);
    }
  });

  it('blames every reported truncation on a cause', () => {
    const truncations = runs.flatMap(({ run }) => run.facts.durability.truncations);
    expect(truncations.length).toBeGreaterThan(0);
    for (const t of truncations) {
      expect(t.fromOffset).toBeLessThan(t.toOffset);
      expect(t.cause.time).toBeLessThanOrEqual(t.time);
    }
  });
});

describe('the final phase', () => {
  it('starts with no fault active, even when faults are still running at the end of the main phase', () => {
    // A kill that outlasts the main phase: healAll must end it before the final reads.
    const schedule: Schedule = {
      version: 1,
      ops: [
        {
          at: 3000,
          kind: 'kill',
          action: 'start',
          id: 0,
          params: { target: { target: 'leader-of', partition: 0 }, mode: 'lose-unsynced' },
        },
        {
          at: 3000,
          kind: 'partition',
          action: 'start',
          id: 1,
          params: { mode: 'isolate', target: { target: 'random', count: 1 } },
        },
      ],
    };
    let state: FaultState | undefined;
    const run = runOptions(
      { seed: 5, timeSeconds: 8, schedule },
      { onFinalPhase: (cluster) => void (state = faultState(cluster)) },
    );
    expect(state).toBeDefined();
    expect(isQuiet(state as FaultState)).toBe(true);
    expect(run.stats.healed).toBe(true);
    expect(run.config.nemesis.kinds).toBe('schedule');
    const heal = run.history.find((op) => op.f === 'heal-all');
    expect(heal?.value).toMatchObject({
      faults: [
        { id: 0, kind: 'kill' },
        { id: 1, kind: 'partition' },
      ],
    });
  });
});

describe('swarm', () => {
  it('lets the seed choose the kinds and says which', () => {
    const run = runOptions({ seed: 21, timeSeconds: 20, nemesis: 'swarm' });
    expect(run.swarmDescription).toMatch(/^swarm: /);
    expect(run.config.nemesis.kinds).toBe('swarm');
    expect(run.config.nemesis.intensity).toBeGreaterThan(0);
    const again = runOptions({ seed: 21, timeSeconds: 20, nemesis: 'swarm' });
    expect(again.swarmDescription).toBe(run.swarmDescription);
    expect(again.historyHash).toBe(run.historyHash);
  });
});

describe('KIP-320 truncation detection', () => {
  it('is recorded as a seek, so the consumer going back is not a nonmonotonic poll', () => {
    // The Jepsen 2013 setting: unclean election on, min.insync.replicas 1. Look for a run in which a
    // consumer detected a truncation before the final phase (which seeks everything anyway).
    let found = false;
    for (let seed = 1; seed <= 20 && !found; seed++) {
      const run = runOptions({
        seed,
        timeSeconds: 30,
        unclean: true,
        minIsr: 1,
        nemesis: ['leader-data-path', 'partition', 'kill'],
      });
      const marker = run.history.findIndex((op) => op.f === FINAL_READS_F);
      const seeks = run.history.slice(0, marker).filter((op) => op.f === 'seek');
      if (seeks.length === 0) continue;
      found = true;
      expect(seeks[0].type).toBe('invoke');
      expect(run.history[seeks[0].index + 1]).toMatchObject({
        type: 'ok',
        f: 'seek',
        process: seeks[0].process,
        value: seeks[0].value,
      });
      const names = checkQueue(run.history).anomalies.map((a) => a.name);
      expect(names).not.toContain('nonmonotonic-poll');
      expect(names).not.toContain('poll-skip');
      expect(run.replicationEvents.some((e) => e.kind === 'election' && e.unclean)).toBe(true);
    }
    expect(found).toBe(true);
  });
});
