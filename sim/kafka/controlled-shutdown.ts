// A ZooKeeper-mode broker's controlled shutdown (Kafka's KafkaServer.controlledShutdown, run first by
// KafkaServer.shutdown when controlled.shutdown.enable): up to controlled.shutdown.max.retries times it finds
// the controller and sends it ControlledShutdown, which moves the broker's leaderships away and takes it out
// of the ISRs it is in (KafkaController.doControlledShutdown, controller.ts); it succeeds when the answer names
// no partition the broker still leads. Between attempts it waits controlled.shutdown.retry.backoff.ms. When
// every attempt failed, the broker stops anyway ("Proceeding to do an unclean shutdown").
// Per release: before KAFKA-9189 (3.0.0) the controller and its registration are read from ZooKeeper
// (zkClient.getControllerId, getBroker), whose calls block until they are answered; from 3.0.0, from the
// metadata cache (metadataCache.getControllerId, getAliveBrokerNode). Before PR 11246 (3.1.0) the backoff
// follows every failed attempt, the last one too; from 3.1.0 only one that is retried. KIP-380 (2.2) puts the
// broker epoch in the request (ControlledShutdown v2).
import type { NodeContext } from '../world/node.ts';
import type { ClusterConfig } from './config.ts';
import type { ControlledShutdownResponse } from './messages.ts';
import type { MetadataCache } from './metadata-cache.ts';
import type { RequestChannel } from './request-channel.ts';
import { brokerNode, BROKER_IDS, CONTROLLER } from './zk-layout.ts';
import type { ZkClient } from './zookeeper/index.ts';
import { P, probe } from './probes.ts';

export interface ZkControlledShutdownDeps {
  readonly id: number;
  readonly ctx: NodeContext;
  readonly config: ClusterConfig;
  readonly channel: RequestChannel;
  readonly metadataCache: MetadataCache;
  readonly zk: Pick<ZkClient, 'getData' | 'exists'>;
  /** KIP-380: the broker's epoch (its registration's czxid), -1 if unknown. */
  brokerEpoch(): number;
}

/** Runs the attempts; `done(true)` once the controller moved everything, `done(false)` when they ran out. */
export function zkControlledShutdown(deps: ZkControlledShutdownDeps, finished: (succeeded: boolean) => void): void {
  const { ctx, config } = deps;
  const done = (succeeded: boolean): void => {
    if (!succeeded) probe(P.zkControlledShutdownGaveUp);
    finished(succeeded);
  };
  const broker = config.broker;
  const protocol = config.protocol;
  let remainingRetries = broker['controlled.shutdown.max.retries'];
  const attempt = (): void => {
    // while (!shutdownSucceeded && remainingRetries > 0)
    if (remainingRetries <= 0) return done(false);
    remainingRetries--;
    findController((controller) => {
      if (controller < 0) return failed();
      deps.channel.send<ControlledShutdownResponse>(
        brokerNode(controller),
        { type: 'ControlledShutdown', brokerId: deps.id, brokerEpoch: protocol.kip380 ? deps.brokerEpoch() : -1 },
        // The request's timeout (BlockingChannel's controller.socket.timeout.ms in 0.8.2, the network client's
        // request.timeout.ms later; both 30 s).
        broker['controller.socket.timeout.ms'],
        (res) => {
          if (res !== null && res.error === 'NONE' && res.remainingPartitions.length === 0) return done(true);
          const why = res === null ? 'no answer' : `${res.error}, ${res.remainingPartitions.length} partition(s) left`;
          ctx.trace('controlled-shutdown', `attempt failed: ${why}`);
          failed();
        },
      );
    });
  };
  const failed = (): void => {
    probe(P.zkControlledShutdownAttemptFailed);
    // PR 11246 (3.1.0): "Only backoff and print retry logging if there are remaining retries".
    if (remainingRetries > 0 || !protocol.pr11246) {
      ctx.setTimer(broker['controlled.shutdown.retry.backoff.ms'], attempt);
    } else {
      done(false);
    }
  };
  /** The controller to ask, or -1 when none is known (the attempt then counts as failed). */
  const findController = (then: (controller: number) => void): void => {
    if (protocol.kafka9189) {
      const id = deps.metadataCache.controllerId;
      return then(id >= 0 && deps.metadataCache.liveBrokers.some((b) => b.id === id) ? id : -1);
    }
    // zkClient.getControllerId and getBroker, retried until ZooKeeper answers (retryRequestUntilConnected).
    deps.zk.getData(CONTROLLER, false, (err, data) => {
      if (err === 'CONNECTIONLOSS') return findController(then);
      if (err !== null || data === undefined) return then(-1);
      const id = (JSON.parse(data) as { brokerid: number }).brokerid;
      const registration = (): void =>
        deps.zk.exists(`${BROKER_IDS}/${id}`, false, (e2, stat) => {
          if (e2 === 'CONNECTIONLOSS') return registration();
          then(e2 === null && stat !== null ? id : -1);
        });
      registration();
    });
  };
  attempt();
}
