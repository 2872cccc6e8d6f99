// Running a schedule on a cluster: every op becomes an event on the world's queue at its time. A start
// resolves its targets then and there, performs the fault and records what it did; a stop undoes exactly
// that. healAll ends everything at once, for the final phase of a run. Records are Jepsen nemesis ops:
// f is start-<kind>, stop-<kind>, step-<kind> (a later part of a fault: one restart of a staggered order
// after its stop, or one broker of a rolling restart before it) or heal-all; value.id pairs a start with its
// stop so a report can shade the fault's band.
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { Value } from '../workloads/history/format.ts';
import type { FaultKind } from './fault-kinds.ts';
import type { FaultContext, StopStep } from './kind.ts';
import { KINDS } from './kinds/index.ts';
import type { ActiveFault, FaultRegistry } from './registry.ts';
import { registryOf } from './registry.ts';
import type { FaultOp, Schedule } from './schedule-types.ts';
import { shapeOf } from './shape.ts';
import { faultState } from './state.ts';
import { clusterNodes } from './target.ts';
import { validateSchedule } from './validate.ts';

export type NemesisRecord = (op: { f: string; value: Value; time: number }) => void;

/**
 * Schedules every op of `schedule` on the cluster's world (times are absolute world ms). Checks the
 * schedule against the cluster first (nodes and partitions must exist) and throws ConfigError if not.
 */
export function applySchedule(cluster: KafkaCluster, schedule: Schedule, record: NemesisRecord): void {
  const checked = validateSchedule(schedule, shapeOf(cluster));
  const registry = registryOf(cluster);
  for (const op of checked.ops) {
    cluster.world.at(op.at, () =>
      op.action === 'start'
        ? startFault(cluster, registry, op, record)
        : stopFault(cluster, registry, op.id, op.kind, record),
    );
  }
}

function startFault(cluster: KafkaCluster, registry: FaultRegistry, op: FaultOp, record: NemesisRecord): void {
  const world = cluster.world;
  const f = `start-${op.kind}`;
  if (registry.get(op.id) !== undefined) {
    record({ f, value: { id: op.id, noop: true, reason: `fault ${op.id} is already active` }, time: world.now });
    return;
  }
  const module = KINDS[op.kind];
  const ctx: FaultContext = {
    cluster,
    world,
    random: world.stream(`nemesis/${op.kind}#${op.id}`),
    links: registry.links,
    step: (value) => record({ f: `step-${op.kind}`, value: { id: op.id, ...value }, time: world.now }),
  };
  const applied = module.start(ctx, op.params);
  registry.add({ id: op.id, kind: op.kind, module, ctx, applied, stopped: false, pending: [] });
  record({ f, value: { id: op.id, ...applied }, time: world.now });
}

function stopFault(
  cluster: KafkaCluster,
  registry: FaultRegistry,
  id: number,
  kind: FaultKind,
  record: NemesisRecord,
): void {
  const world = cluster.world;
  const fault = registry.get(id);
  if (fault === undefined || fault.stopped || fault.kind !== kind) {
    record({ f: `stop-${kind}`, value: { id, noop: true, reason: `fault ${id} is not active` }, time: world.now });
    return;
  }
  const steps = runStop(fault, record, {});
  fault.pending = steps.map((step) => {
    const entry = { step, timer: world.schedule(step.afterMs, () => runStep(registry, fault, entry, record)) };
    return entry;
  });
  if (fault.pending.length === 0) registry.remove(id);
}

/** Runs a fault's stop, records it, and returns the steps still to come. */
function runStop(fault: ActiveFault, record: NemesisRecord, extra: { [key: string]: Value }): StopStep[] {
  const result = fault.module.stop(fault.ctx, fault.applied);
  fault.stopped = true;
  record({ f: `stop-${fault.kind}`, value: { id: fault.id, ...result.value, ...extra }, time: fault.ctx.world.now });
  return result.steps;
}

function runStep(
  registry: FaultRegistry,
  fault: ActiveFault,
  entry: ActiveFault['pending'][number],
  record: NemesisRecord,
): void {
  fault.pending = fault.pending.filter((e) => e !== entry);
  record({ f: `step-${fault.kind}`, value: { id: fault.id, ...entry.step.run() }, time: fault.ctx.world.now });
  if (fault.pending.length === 0) registry.remove(fault.id);
}

/**
 * Ends every fault now: stops each active one (its staggered restarts happen at once), then sweeps the
 * whole cluster whatever caused the damage: heals every link, clears packet faults, resumes paused and
 * restarts stopped brokers and ZooKeeper, resets clocks, clears disk faults. Records each stop, then one
 * heal-all op saying what was healed. Afterwards no fault is active.
 */
export function healAll(cluster: KafkaCluster, record: NemesisRecord): void {
  const world = cluster.world;
  const registry = registryOf(cluster);
  const before = faultState(cluster);
  const faults: Value[] = [];
  for (const fault of registry.list()) {
    faults.push({ id: fault.id, kind: fault.kind });
    let steps: StopStep[];
    if (fault.stopped) {
      for (const e of fault.pending) e.timer.cancel();
      steps = fault.pending.map((e) => e.step);
    } else {
      steps = runStop(fault, record, { by: 'heal-all' });
    }
    fault.pending = [];
    for (const step of steps)
      record({ f: `step-${fault.kind}`, value: { id: fault.id, ...step.run(), by: 'heal-all' }, time: world.now });
    registry.remove(fault.id);
  }
  world.net.heal();
  registry.links.clear();
  world.net.clearPacketFaults();
  // ZooKeeper first (clusterNodes lists it last): restarted brokers then find it up.
  for (const node of [...clusterNodes(cluster)].reverse()) {
    const n = world.node(node);
    if (n.status === 'paused') world.resume(node);
    if (n.status === 'down') world.start(node);
    if (n.clock.offsetAt(world.now) !== 0 || n.clock.currentDrift !== 0) world.resetClock(node);
    n.disk.clearFaults();
  }
  record({
    f: 'heal-all',
    value: {
      faults,
      linksHealed: before.cuts.length,
      resumed: before.paused,
      restarted: before.down,
      clocksReset: before.clocks,
      disksCleared: before.disks,
      packetFaults: 'cleared',
    },
    time: world.now,
  });
}
