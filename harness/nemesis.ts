// Which faults a run injects: an explicit schedule as given, or one generated from the seed for the
// chosen fault kinds (or for the kinds swarm testing draws for this seed).
import {
  generateSchedule,
  overlaySchedule,
  swarm,
  swarmExtras,
  type FaultKind,
  type Schedule,
} from '../nemesis/index.ts';
import type { Random } from '../sim/world/index.ts';
import type { NemesisPlan } from './test.ts';

export interface ChosenSchedule {
  schedule: Schedule;
  kinds: FaultKind[] | 'swarm' | 'schedule';
  intensity: number | undefined;
  swarmDescription?: string;
}

export interface ScheduleRequest {
  plan: NemesisPlan;
  /** Faults are over by this world time (schedule times are absolute world ms). */
  timeMs: number;
  brokers: number;
  partitions: number;
  replicationFactor: number;
  /** The metadata mode (swarm adds a controller move in ZooKeeper mode only); absent: KRaft. */
  metadata?: 'zk' | 'kraft';
}

export function chooseSchedule(random: Random, request: ScheduleRequest): ChosenSchedule {
  const plan = request.plan;
  if ('schedule' in plan) return { schedule: plan.schedule, kinds: 'schedule', intensity: undefined };
  const shape = {
    killModes: plan.killModes,
    timeMs: request.timeMs,
    brokers: request.brokers,
    partitions: request.partitions,
    replicationFactor: request.replicationFactor,
  };
  if (plan.kinds === 'swarm') {
    // Separate streams: what swarm draws never shifts the schedule's own draws.
    const picked = swarm(random.fork('swarm'));
    const base = generateSchedule(random.fork('schedule'), {
      kinds: picked.kinds,
      intensity: picked.intensity,
      ...shape,
    });
    // The blind spots' kinds (a zombie controller, slow links), laid over the base from streams of their own.
    const extras = swarmExtras(random.fork('swarm-extras'), request.metadata ?? 'kraft');
    const schedule =
      extras.length === 0
        ? base
        : overlaySchedule(
            base,
            generateSchedule(random.fork('schedule-extras'), { kinds: extras, intensity: picked.intensity, ...shape }),
          );
    const description = extras.length === 0 ? picked.description : `${picked.description}, plus ${extras.join(', ')}`;
    return { schedule, kinds: 'swarm', intensity: picked.intensity, swarmDescription: description };
  }
  const kinds = [...plan.kinds];
  const schedule = generateSchedule(random.fork('schedule'), {
    kinds,
    ...shape,
    ...(plan.intensity === undefined ? {} : { intensity: plan.intensity }),
  });
  return { schedule, kinds, intensity: plan.intensity };
}
