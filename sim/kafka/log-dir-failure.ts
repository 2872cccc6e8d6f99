// An I/O error (EIO, ENOSPC) in a log directory, the data logs' or the metadata log's. Kafka
// (LogDirFailureChannel, ReplicaManager.handleLogDirFailure) takes the directory offline, and with its only
// directory offline the process halts ("Shutdown broker because all log dirs ... have failed"); the
// controller moves its leaderships, and a supervisor starts it again, which then loads its logs afresh.
// Staying up with a replica half changed left partitions that never recovered.
import type { NodeContext } from '../world/node.ts';
import { P, probe } from './probes.ts';

export function logDirFailed(ctx: NodeContext, what: string, e: unknown): void {
  probe(P.logDirFailed);
  const message = e instanceof Error ? e.message : String(e);
  ctx.trace('log-dir-failure', `${what}: ${message}`);
  ctx.halt(`all log dirs have failed (${what}: ${message})`);
}
