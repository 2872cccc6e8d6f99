// Outstanding KRaft requests of one node: a correlation id and a timeout each, as the data plane's
// RequestChannel does for Kafka's client requests (a late response to a timed-out request is ignored).
import type { NodeContext, Timer } from '../../world/node.ts';
import type { NodeId } from '../../world/network.ts';

interface Pending {
  resolve: (response: unknown) => void;
  timer: Timer;
}

/** Every KRaft message is a plain object with a type and a correlation id. */
export interface KraftMessage {
  type: string;
  correlationId: number;
}

export function isKraftMessage(m: unknown): m is KraftMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && typeof (m as { correlationId?: unknown }).correlationId === 'number';
}

export class KraftChannel {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly ctx: NodeContext) {}

  /** Sends a request; `resolve` gets the response, or null after `timeoutMs`. */
  send<Req extends KraftMessage, Res>(to: NodeId, request: Omit<Req, 'correlationId'>, timeoutMs: number, resolve: (response: Res | null) => void): void {
    const correlationId = this.nextCorrelationId++;
    const timer = this.ctx.setTimer(timeoutMs, () => {
      if (this.pending.delete(correlationId)) resolve(null);
    });
    // The caller's resolve expects Res; responses are matched to it by correlation id alone.
    this.pending.set(correlationId, { resolve: resolve as (r: unknown) => void, timer });
    this.ctx.send(to, { ...request, correlationId });
  }

  /** Routes a response to its request; false if it is unknown or late. */
  complete(response: KraftMessage): boolean {
    const p = this.pending.get(response.correlationId);
    if (p === undefined) return false;
    this.pending.delete(response.correlationId);
    p.timer.cancel();
    p.resolve(response);
    return true;
  }
}
