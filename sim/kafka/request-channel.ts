// Outstanding requests of one node: each gets a correlation id and a timeout. A response completes it;
// the timeout completes it with null (the network lost something, or the peer is slow or dead).
// Late responses to a request that already timed out are ignored, as Kafka's NetworkClient does.
import type { NodeContext, Timer } from '../world/node.ts';
import type { NodeId } from '../world/network.ts';
import type { KafkaRequest, KafkaResponse } from './messages.ts';

/** A request without its correlation id (the channel assigns it); distributes over the union. */
export type RequestBody = KafkaRequest extends infer R ? (R extends KafkaRequest ? Omit<R, 'correlationId'> : never) : never;

interface Pending {
  resolve: (response: KafkaResponse | null) => void;
  timer: Timer;
  to: NodeId;
}

export class RequestChannel {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly ctx: NodeContext) {}

  /** Sends a request; `resolve` gets the response, or null after `timeoutMs`. Returns the correlation id. */
  send<R extends KafkaResponse>(
    to: NodeId,
    request: RequestBody,
    timeoutMs: number,
    resolve: (response: R | null) => void,
  ): number {
    const correlationId = this.nextCorrelationId++;
    const timer = this.ctx.setTimer(timeoutMs, () => {
      if (this.pending.delete(correlationId)) resolve(null);
    });
    this.pending.set(correlationId, { resolve: resolve as (r: KafkaResponse | null) => void, timer, to });
    this.ctx.send(to, { ...request, correlationId });
    return correlationId;
  }

  /** Sends a request that expects no answer (acks=0 produce). */
  fireAndForget(to: NodeId, request: RequestBody): void {
    this.ctx.send(to, { ...request, correlationId: this.nextCorrelationId++ });
  }

  /** Routes a response to its request; false if it is unknown or late. */
  complete(response: KafkaResponse): boolean {
    const p = this.pending.get(response.correlationId);
    if (p === undefined) return false;
    this.pending.delete(response.correlationId);
    p.timer.cancel();
    p.resolve(response);
    return true;
  }

  get outstanding(): number {
    return this.pending.size;
  }
}
