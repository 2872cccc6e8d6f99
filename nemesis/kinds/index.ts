// The table of fault kinds: name → module. Everything that dispatches on a kind goes through here.
import type { FaultKind } from '../fault-kinds.ts';
import type { AnyFaultKind } from '../kind.ts';
import type { ClockParams } from './clock.ts';
import type { ControllerMoveParams } from './controller-move.ts';
import { controllerMoveKind } from './controller-move.ts';
import { clockKind } from './clock.ts';
import type { CreateTopicParams } from './create-topic.ts';
import { createTopicKind } from './create-topic.ts';
import type { DiskParams } from './disk.ts';
import { diskKind } from './disk.ts';
import type { KillAllParams } from './kill-all.ts';
import { killAllKind } from './kill-all.ts';
import { powerLossKind } from './power-loss.ts';
import type { SlowControlLinkParams } from './slow-control-link.ts';
import { slowControlLinkKind } from './slow-control-link.ts';
import type { SlowLinkParams } from './slow-link.ts';
import { slowLinkKind } from './slow-link.ts';
import type { KillParams } from './kill.ts';
import { killKind } from './kill.ts';
import type { LeaderDataPathParams } from './leader-data-path.ts';
import { leaderDataPathKind } from './leader-data-path.ts';
import type { OutageParams } from './outage.ts';
import { outageKind } from './outage.ts';
import type { PacketParams } from './packet.ts';
import { packetKind } from './packet.ts';
import type { PartitionParams } from './partition.ts';
import { partitionKind } from './partition.ts';
import type { PauseParams } from './pause.ts';
import { pauseKind } from './pause.ts';
import type { ReassignParams } from './reassign.ts';
import { reassignKind } from './reassign.ts';
import type { ReplaceDiskParams } from './replace-disk.ts';
import { replaceDiskKind } from './replace-disk.ts';
import type { RollingRestartParams } from './rolling-restart.ts';
import { rollingRestartKind } from './rolling-restart.ts';
import type { ZkParams } from './zk.ts';
import { zkKind } from './zk.ts';

/** The parameters of a start op, by kind. */
export type ParamsOf = {
  partition: PartitionParams;
  'leader-data-path': LeaderDataPathParams;
  zk: ZkParams;
  kill: KillParams;
  'kill-all': KillAllParams;
  'power-loss': KillAllParams;
  pause: PauseParams;
  outage: OutageParams;
  clock: ClockParams;
  disk: DiskParams;
  packet: PacketParams;
  'rolling-restart': RollingRestartParams;
  'replace-disk': ReplaceDiskParams;
  'slow-link': SlowLinkParams;
  'controller-move': ControllerMoveParams;
  'slow-control-link': SlowControlLinkParams;
  reassign: ReassignParams;
  'create-topic': CreateTopicParams;
};

export const KINDS: { readonly [K in FaultKind]: AnyFaultKind } = {
  partition: partitionKind,
  'leader-data-path': leaderDataPathKind,
  zk: zkKind,
  kill: killKind,
  'kill-all': killAllKind,
  'power-loss': powerLossKind,
  pause: pauseKind,
  outage: outageKind,
  clock: clockKind,
  disk: diskKind,
  packet: packetKind,
  'rolling-restart': rollingRestartKind,
  'replace-disk': replaceDiskKind,
  'slow-link': slowLinkKind,
  'controller-move': controllerMoveKind,
  'slow-control-link': slowControlLinkKind,
  reassign: reassignKind,
  'create-topic': createTopicKind,
};
