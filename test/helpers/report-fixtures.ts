// Report data for tests: a real run's, with hostile strings planted wherever a history or a
// configuration can put text (a record value, an error, a config key and value, an anomaly's words),
// and a non-linearizable register history so the linearizability section is drawn.
import { registerModel, checkLinearizable } from '../../checkers/linearizable/index.ts';
import type { CheckResult } from '../../checkers/result.ts';
import {
  replayCommandFor,
  runOnce,
  runReportData,
  type JudgedRun,
  type RunConfig,
  type RunOptions,
} from '../../harness/index.ts';
import { buildRunReportData, type RunReportData } from '../../reports/run-data.ts';
import type { History, Op } from '../../workloads/history/format.ts';

export const HOSTILE = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

export const RUN_OPTIONS: RunOptions = {
  seed: 8,
  unclean: true,
  nemesis: ['partition', 'kill', 'pause'],
  timeSeconds: 30,
};

let cached: JudgedRun | undefined;

/** One real run, shared by the tests of a file. */
export function realRun(): JudgedRun {
  cached ??= runOnce(RUN_OPTIONS);
  return cached;
}

/** A register history that is not linearizable: 1 is written, then 2, then a read sees 1. */
export function registerHistory(): History {
  const h: History = [];
  const op = (process: number, type: Op['type'], f: string, value: Op['value']): void => {
    h.push({ index: h.length, time: h.length * 10, process, type, f, value });
  };
  op(0, 'invoke', 'write', 1);
  op(0, 'ok', 'write', 1);
  op(1, 'invoke', 'write', 2);
  op(1, 'ok', 'write', 2);
  op(2, 'invoke', 'read', null);
  op(2, 'ok', 'read', 1);
  return h;
}

/**
 * The report of a history checked on its own (as `kafkasim check` would): no replication events, one
 * non-linearizable register history. Every chart must still draw, empty ones included.
 */
export function linearizabilityReport(): RunReportData {
  const history = registerHistory();
  const check = checkLinearizable(history, registerModel());
  return buildRunReportData({
    generatedBy: 'test',
    seed: 'register',
    valid: check.valid,
    replayCommand: 'npx kafkasim check history.jsonl --model register',
    historyHash: '0000000000000000',
    config: { model: 'register' },
    stats: { ops: 3 },
    anomalyCounts: { nonlinearizable: 1 },
    checkers: [check],
    history,
    events: [],
    partitions: 1,
    replicationFactor: 1,
  });
}

export function hostileRunReport(): RunReportData {
  const run = realRun();
  const history: History = [...run.output.history];
  const t = history[history.length - 1].time;
  const invoke: Op = {
    index: history.length,
    time: t + 1,
    process: 999,
    type: 'invoke',
    f: 'send',
    value: [['send', 0, HOSTILE]],
  };
  const fail: Op = {
    index: history.length + 1,
    time: t + 2,
    process: 999,
    type: 'fail',
    f: 'send',
    value: [['send', 0, HOSTILE]],
    error: HOSTILE,
  };
  history.push(invoke, fail);
  const hostileCheck: CheckResult = {
    checker: 'queue',
    valid: false,
    anomalies: [
      {
        name: 'lost-write',
        count: 1,
        explanation: `explained ${HOSTILE}`,
        examples: [
          { description: `described ${HOSTILE}`, ops: [invoke, fail], detail: { key: 0, offset: 7, value: HOSTILE } },
        ],
      },
    ],
  };
  // A loss example for a real acknowledged send, so its facts come from the run's own events whatever
  // the simulator does on this seed.
  const ack = history.find((o) => o.type === 'ok' && o.f === 'send');
  const mop = ack === undefined ? undefined : (ack.value as [string, number, [number, number]][])[0];
  const sent =
    ack === undefined
      ? undefined
      : [...history].reverse().find((o) => o.index < ack.index && o.process === ack.process && o.type === 'invoke');
  if (ack !== undefined && mop !== undefined && sent !== undefined) {
    hostileCheck.anomalies.push({
      name: 'acked-write-lost',
      count: 1,
      explanation: 'planted by the test',
      examples: [
        {
          description: 'a planted loss',
          ops: [sent, ack],
          detail: { key: mop[1], offset: mop[2][0], value: mop[2][1], truncatedBy: [] },
        },
      ],
    });
  }
  const result = {
    ...run.result,
    valid: false as const,
    anomalies: { ...run.result.anomalies, [HOSTILE]: 1 },
    // Hostile keys and values where a configuration table shows them (not a config a run would have).
    config: { ...run.result.config, [HOSTILE]: HOSTILE, broker: { 'client.id': HOSTILE } } as unknown as RunConfig,
    checkers: [...run.result.checkers, hostileCheck],
  };
  return runReportData({ ...run.output, history }, result, `${replayCommandFor(RUN_OPTIONS)} # ${HOSTILE}`);
}
