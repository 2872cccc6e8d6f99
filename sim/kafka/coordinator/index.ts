// The coordinators a broker runs: one per enabled internal topic that has one (topics.ts). A coordinator is
// added here by its topic; tests may add their own through ClusterOptions.coordinators.
import type { ClusterConfig } from '../config.ts';
import type { InternalTopic } from '../topics.ts';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../topics.ts';
import type { Coordinator, CoordinatorDeps, CoordinatorFactory } from './coordinator.ts';
import { TransactionCoordinator } from './transaction-coordinator.ts';
import { GroupCoordinatorService } from '../group/group-coordinator-service.ts';

export type { Coordinator, CoordinatorDeps, CoordinatorFactory } from './coordinator.ts';

/** Kafka's coordinators by the internal topic each owns. */
const BUILT_IN: [InternalTopic, CoordinatorFactory][] = [
  [TRANSACTION_STATE_TOPIC, (deps) => new TransactionCoordinator(deps)],
  [CONSUMER_OFFSETS_TOPIC, (deps) => new GroupCoordinatorService(deps)],
];

/** The coordinators of one broker: the built-in ones of the enabled topics, then `extra`, in that order. */
export function createCoordinators(
  config: ClusterConfig,
  deps: CoordinatorDeps,
  extra: readonly CoordinatorFactory[] = [],
): Coordinator[] {
  const enabled = config.internalTopics.enabled;
  const factories = [...BUILT_IN.filter(([topic]) => enabled.includes(topic)).map(([, f]) => f), ...extra];
  return factories.map((f) => f(deps));
}
