// A simulated ZooKeeper as Kafka's ZooKeeper mode uses it: a server program for its own node and a client
// that lives inside a broker's program.
export { ZkServer, zookeeperServer, zkServerOf, DEFAULT_TICK_MS } from './server.ts';
export type { ZkServerOptions, ZkSessionInfo } from './server.ts';
export { ZkClient } from './client.ts';
export type { ZkClientOptions, ZkClientHandlers, ZkClientState, ZkCreateOptions } from './client.ts';
export { ANY_VERSION, isZkServerMessage, isZkClientMessage } from './protocol.ts';
export type {
  ZkErrorCode,
  ZkStat,
  ZkOp,
  ZkOpResult,
  ZkWatchEvent,
  ZkWatchEventType,
  ZkClientMessage,
  ZkServerMessage,
} from './protocol.ts';
export { isValidPath, parentOf, nameOf } from './paths.ts';
