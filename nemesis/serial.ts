// One fault at a time, back to back, on one broker each: a crash that loses power (unsynced data gone, a
// random power-loss mode), a GC pause, a network partition isolating it, or a cut from ZooKeeper (the
// KRaft quorum in KRaft mode). Each lasts 1 to 15 s and the next starts 1 to 8 s after it ends, until 15 s
// before the end of the main phase. The shape of Kafka's own system tests that bounce brokers in turn:
// nothing overlaps, so each fault's effect on leadership and the ISR plays out alone.
import { POWER_LOSS_MODES } from '../sim/world/disk.ts';
import type { Random } from '../sim/world/random.ts';
import { pairsToSchedule, type FaultPair } from './generate.ts';
import type { JsonObject } from './kind.ts';
import type { Schedule } from './schedule-types.ts';

export interface SerialFaultOptions {
  /** Length of the main phase in simulated ms (schedule times count from the cluster being ready). */
  timeMs: number;
  brokers: number;
  /** When the first fault may start (default: 3 to 8 s in). */
  firstMs?: [number, number];
}

const KINDS = ['kill', 'pause', 'partition', 'zk'] as const;

export function serialFaultSchedule(random: Random, options: SerialFaultOptions): Schedule {
  const [firstLo, firstHi] = options.firstMs ?? [3000, 8000];
  const lastStart = options.timeMs - 15000;
  const pairs: FaultPair[] = [];
  for (let t = random.int(firstLo, firstHi); t <= lastStart;) {
    const kind = random.pick(KINDS);
    const target = { target: 'nodes' as const, nodes: [`b${random.int(0, options.brokers - 1)}`] };
    const duration = random.int(1000, 15000);
    let params: JsonObject = { target };
    if (kind === 'kill') params = { target, mode: random.pick(POWER_LOSS_MODES) };
    else if (kind === 'partition') params = { mode: 'isolate', target };
    pairs.push({ id: pairs.length, kind, startMs: t, stopMs: t + duration, params });
    t += duration + random.int(1000, 8000);
  }
  return pairsToSchedule(pairs);
}
