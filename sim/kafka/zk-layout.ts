// Kafka's ZooKeeper layout in ZooKeeper mode (ZkData.scala: ControllerZNode, ControllerEpochZNode,
// BrokerIdsZNode, TopicZNode, TopicPartitionStateZNode with its encode/decode, IsrChangeNotificationZNode),
// the replica assignment (AdminUtils.assignReplicasToBrokers), the broker node names, and the log
// directory's clean-shutdown marker (CleanShutdownFileHandler's .kafka_cleanshutdown).
import { DATA_TOPIC, topicPartitionOf } from '../events/topics.ts';
import type { PartitionState } from './messages.ts';

export const TOPIC = DATA_TOPIC;
export const BROKER_IDS = '/brokers/ids';
export const CONTROLLER = '/controller';
export const CONTROLLER_EPOCH = '/controller_epoch';
export const ISR_CHANGE_NOTIFICATION = '/isr_change_notification';
export const TOPICS = '/brokers/topics';
export const topicPath = (topic: string): string => `${TOPICS}/${topic}`;
export const TOPIC_PATH = topicPath(TOPIC);

export const brokerPath = (id: number): string => `${BROKER_IDS}/${id}`;
export const partitionsPathOf = (topic: string): string => `${topicPath(topic)}/partitions`;
export const partitionsPath = partitionsPathOf(TOPIC);
/** A partition's znode by its global id (sim/events/topics.ts): /brokers/topics/<topic>/partitions/<index>. */
export const partitionPath = (p: number): string => {
  const { topic, index } = topicPartitionOf(p);
  return `${partitionsPathOf(topic)}/${index}`;
};
export const partitionStatePath = (p: number): string => `${partitionPath(p)}/state`;
/** A partition state znode's path, its topic and index captured. */
export const PARTITION_STATE_PATH = /^\/brokers\/topics\/([^/]+)\/partitions\/(\d+)\/state$/;

/** The /brokers/topics/T/partitions/P/state znode, with Kafka's field names. */
export interface ZkPartitionState {
  leader: number;
  leader_epoch: number;
  isr: number[];
  controller_epoch: number;
  /** KIP-966 eligible leader replicas (modelled in ZooKeeper mode too; real Kafka has them in KRaft only). */
  eligible_leader_replicas: number[];
  /**
   * KIP-966's LastKnownELR as Kafka uses it with Balanced recovery: the leader a partition had when it
   * went leaderless, elected again (uncleanly, RECOVERING) if it comes back when no ISR or ELR member can.
   */
  last_known_elr?: number[];
}

export function encodeState(s: ZkPartitionState): string {
  return JSON.stringify({
    controller_epoch: s.controller_epoch,
    leader: s.leader,
    version: 1,
    leader_epoch: s.leader_epoch,
    isr: s.isr,
    eligible_leader_replicas: s.eligible_leader_replicas,
    ...(s.last_known_elr?.length ? { last_known_elr: s.last_known_elr } : {}),
  });
}

export function decodeState(data: string): ZkPartitionState {
  const o = JSON.parse(data) as ZkPartitionState;
  return {
    leader: o.leader,
    leader_epoch: o.leader_epoch,
    isr: o.isr,
    controller_epoch: o.controller_epoch,
    eligible_leader_replicas: o.eligible_leader_replicas ?? [],
    last_known_elr: o.last_known_elr ?? [],
  };
}

export function toPartitionState(
  partition: number,
  s: ZkPartitionState,
  zkVersion: number,
  replicas: number[],
): PartitionState {
  return {
    partition,
    leader: s.leader,
    leaderEpoch: s.leader_epoch,
    isr: [...s.isr],
    partitionEpoch: zkVersion,
    replicas: [...replicas],
    elr: [...s.eligible_leader_replicas],
  };
}

/**
 * Kafka's replica assignment without racks: partition p's first replica on broker p mod n, replica j on
 * (p + j) mod n. With racks, brokers are first ordered alternating between racks, so that consecutive
 * brokers in the order sit on different racks, then the same rule applies to that order.
 */
export function assignReplicas(
  partitions: number,
  replicationFactor: number,
  brokers: number,
  racks: string[],
): number[][] {
  let order = Array.from({ length: brokers }, (_, i) => i);
  if (racks.length === brokers) {
    const byRack = new Map<string, number[]>();
    for (const b of order) {
      const list = byRack.get(racks[b]) ?? [];
      list.push(b);
      byRack.set(racks[b], list);
    }
    const rackNames = [...byRack.keys()].sort();
    order = [];
    for (let i = 0; order.length < brokers; i++) {
      for (const r of rackNames) {
        const list = byRack.get(r) as number[];
        if (i < list.length) order.push(list[i]);
      }
    }
  }
  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    const replicas: number[] = [];
    for (let j = 0; j < replicationFactor; j++) replicas.push(order[(p + j) % brokers]);
    out.push(replicas);
  }
  return out;
}

export const brokerNode = (id: number): string => `b${id}`;
export const ZK_NODE = 'zk';

/** The marker a clean shutdown leaves in the log directory; its absence at startup means an unclean one. */
export const CLEAN_SHUTDOWN_MARKER = '.kafka_cleanshutdown';
