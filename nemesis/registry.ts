// The faults active on a cluster right now, so that a stop, and healAll, know exactly what to undo.
// One registry per cluster (a WeakMap, so it dies with the cluster): applySchedule and healAll find it
// without the caller passing anything around.
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { Timer } from '../sim/world/node.ts';
import type { FaultKind } from './fault-kinds.ts';
import type { AnyFaultKind, FaultContext, JsonObject, StopStep } from './kind.ts';
import { LinkCuts } from './links.ts';

export interface ActiveFault {
  readonly id: number;
  readonly kind: FaultKind;
  readonly module: AnyFaultKind;
  readonly ctx: FaultContext;
  /** What the start did, as it recorded it. */
  readonly applied: JsonObject;
  /** The stop ran; the fault stays listed only while later steps (staggered restarts) are pending. */
  stopped: boolean;
  pending: { step: StopStep; timer: Timer }[];
}

export class FaultRegistry {
  readonly links: LinkCuts;
  private readonly active = new Map<number, ActiveFault>();

  constructor(cluster: KafkaCluster) {
    this.links = new LinkCuts(cluster.world.net);
  }

  get(id: number): ActiveFault | undefined {
    return this.active.get(id);
  }

  add(fault: ActiveFault): void {
    this.active.set(fault.id, fault);
  }

  remove(id: number): void {
    this.active.delete(id);
  }

  /** Active faults in the order they started. */
  list(): ActiveFault[] {
    return [...this.active.values()];
  }
}

const registries = new WeakMap<KafkaCluster, FaultRegistry>();

export function registryOf(cluster: KafkaCluster): FaultRegistry {
  let r = registries.get(cluster);
  if (r === undefined) {
    r = new FaultRegistry(cluster);
    registries.set(cluster, r);
  }
  return r;
}
