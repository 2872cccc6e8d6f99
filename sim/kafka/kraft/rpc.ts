// Outstanding KRaft requests of one node (Kafka's KafkaNetworkChannel and RaftRequest.Outbound): a
// correlation id and a timeout each, as the data plane's RequestChannel does for Kafka's client requests
// (../request-channel.ts owns the mechanism).
import type { NodeId } from '../../world/network.ts';
import { PendingRequests } from '../request-channel.ts';

/** Every KRaft message is a plain object with a type and a correlation id. */
export interface KraftMessage {
  type: string;
  correlationId: number;
}

export function isKraftMessage(m: unknown): m is KraftMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { type?: unknown }).type === 'string' &&
    typeof (m as { correlationId?: unknown }).correlationId === 'number'
  );
}

/** KRaft's controller RPCs, on the same correlation mechanism as the data plane's requests. */
export class KraftChannel extends PendingRequests {
  /** Sends a request; `resolve` gets the response, or null after `timeoutMs`. */
  send<Req extends KraftMessage, Res>(
    to: NodeId,
    request: Omit<Req, 'correlationId'>,
    timeoutMs: number,
    resolve: (response: Res | null) => void,
  ): void {
    // The caller's resolve expects Res; responses are matched to it by correlation id alone.
    this.sendCorrelated(to, request, timeoutMs, resolve as (response: unknown) => void);
  }
}
