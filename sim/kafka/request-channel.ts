// Outstanding requests of one node: each gets a correlation id and a timeout. A response completes it;
// the timeout completes it with null (the network lost something, or the peer is slow or dead).
// Late responses to a request that already timed out are ignored, as Kafka's NetworkClient does.
// Responses are matched per connection in Kafka, and a process's connections die with it: a broker that finishes
// a produce (or a long-polled fetch) after its client restarted finds the connection closed and drops the answer
// (SocketServer's Processor: no open connection for it). The simulated network keeps one connection per pair of
// nodes across restarts, so a node's incarnations tell their requests apart instead: correlation ids never repeat
// across them, and an answer meant for an earlier incarnation matches nothing.
// One mechanism for the data plane (RequestChannel) and for KRaft's controller RPCs (kraft/rpc.ts).
import type { NodeContext, Timer } from '../world/node.ts';
import type { NodeId } from '../world/network.ts';
import type { KafkaRequest, KafkaResponse } from './messages.ts';

/** A request without its correlation id (the channel assigns it); distributes over the union. */
export type RequestBody = KafkaRequest extends infer R
  ? R extends KafkaRequest
    ? Omit<R, 'correlationId'>
    : never
  : never;

/** One outstanding request; also the argument of its timeout timer, so no closure is allocated per request. */
interface Pending {
  owner: PendingRequests;
  correlationId: number;
  resolve: (response: unknown) => void;
  timer: Timer | null;
}

function timedOut(p: Pending): void {
  if (p.owner.forget(p.correlationId)) p.resolve(null);
}

/** Correlation ids of one incarnation of a node: 2^32 (Kafka's are an int), far more than any run sends. */
const CORRELATION_IDS_PER_INCARNATION = 2 ** 32;

/** Correlation ids, timeouts and late-response filtering, whatever the messages are. */
export class PendingRequests {
  private nextCorrelationId: number;
  private readonly pending = new Map<number, Pending>();

  constructor(protected readonly ctx: NodeContext) {
    this.nextCorrelationId = ctx.incarnation * CORRELATION_IDS_PER_INCARNATION + 1;
  }

  /**
   * Sends `body` with a fresh correlation id; `resolve` gets the response, or null after `timeoutMs`.
   * The id is stamped on `body` itself (a copy per request showed in profiles), so each call must pass a
   * fresh object, never one already sent.
   */
  protected sendCorrelated(to: NodeId, body: object, timeoutMs: number, resolve: (response: unknown) => void): number {
    const correlationId = this.stamp(body);
    const p: Pending = { owner: this, correlationId, resolve, timer: null };
    p.timer = this.ctx.setTimerWith(timeoutMs, timedOut, p);
    this.pending.set(correlationId, p);
    this.ctx.send(to, body);
    return correlationId;
  }

  /** Sends `body` (a fresh object, as for sendCorrelated) with a correlation id nobody waits on. */
  protected sendUncorrelated(to: NodeId, body: object): void {
    this.stamp(body);
    this.ctx.send(to, body);
  }

  /** Gives `body` the next correlation id; a body that already has one was sent before. */
  private stamp(body: object): number {
    if ('correlationId' in body)
      throw new Error(`${this.ctx.id}: a request object was sent twice; build a fresh one per send`);
    const correlationId = this.nextCorrelationId++;
    (body as { correlationId: number }).correlationId = correlationId;
    return correlationId;
  }

  /** Drops a request from the outstanding set; false if it had already completed. */
  forget(correlationId: number): boolean {
    return this.pending.delete(correlationId);
  }

  /** Routes a response to its request; false if it is unknown or late. */
  complete(response: { correlationId: number }): boolean {
    const p = this.pending.get(response.correlationId);
    if (p === undefined) return false;
    this.pending.delete(response.correlationId);
    p.timer?.cancel();
    p.resolve(response);
    return true;
  }

  get outstanding(): number {
    return this.pending.size;
  }
}

/** Kafka's client and inter-broker requests. */
export class RequestChannel extends PendingRequests {
  /** Sends a request; `resolve` gets the response, or null after `timeoutMs`. Returns the correlation id. */
  send<R extends KafkaResponse>(
    to: NodeId,
    request: RequestBody,
    timeoutMs: number,
    resolve: (response: R | null) => void,
  ): number {
    // Responses are matched to `resolve` by correlation id alone, so this one is an R.
    return this.sendCorrelated(to, request, timeoutMs, resolve as (response: unknown) => void);
  }

  /** Sends a request that expects no answer (acks=0 produce). */
  fireAndForget(to: NodeId, request: RequestBody): void {
    this.sendUncorrelated(to, request);
  }
}
