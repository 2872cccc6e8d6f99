// Kafka's consumer with manual assignment: assign, seek, position, poll. Each poll fetches from the leader of
// each assigned partition (or, with client.rack, from a replica in the same rack: KIP-392) and returns what
// arrived within the poll timeout. With KIP-320 (2.3.0) it sends its leader epoch and, after a leader change,
// validates its position with OffsetsForLeaderEpoch (subscription-state.ts). A position the log no longer has
// goes where auto.offset.reset says; with auto.offset.reset=none the poll raises instead, as KafkaConsumer.poll
// throws LogTruncationException, OffsetOutOfRangeException or NoOffsetForPartitionException.
import type { ConsumerConfig } from '../config.ts';
import type { FetchResponse, ListOffsetsResponse, OffsetsForLeaderEpochResponse } from '../messages.ts';
import { CONSUMER_REPLICA_ID, NO_EPOCH } from '../messages.ts';
import type { KafkaBehaviours } from '../protocol.ts';
import type { RequestChannel } from '../request-channel.ts';
import type { RecordBatch } from '../records.ts';
import type { ClientMetadata } from './metadata.ts';
import type { Position } from './subscription-state.ts';
import { initialPosition, maybeCompleteValidation, resetTimestamp } from './subscription-state.ts';
import { P, probe } from '../probes.ts';
import type {
  ConsumerGroupMetadata,
  CoordinatorHost,
  GroupConsumerConfig,
  CoordinatorTransport,
  OffsetToCommit,
  RebalanceEvent,
} from './consumer-coordinator.ts';
import { ConsumerCoordinator } from './consumer-coordinator.ts';
import type { GroupBehaviours } from '../group/group-behaviours.ts';
import type { GroupError } from '../group/group-messages.ts';

/** What subscribe needs: the group settings, the release's group behaviours, and the way to the coordinator. */
export interface GroupSubscription {
  partitions: number[];
  config: GroupConsumerConfig;
  behaviours: GroupBehaviours;
  transport: CoordinatorTransport;
  now: () => number;
}

/** The behaviours the consumer follows. */
export type ConsumerBehaviours = Pick<KafkaBehaviours, 'kip320Consumer' | 'kafka9840'>;

/** The position moved without the application seeking: a detected truncation, or auto.offset.reset. */
export interface Reposition {
  partition: number;
  /** The position before (-1 if it had none). */
  from: number;
  to: number;
  /** Why: a truncation detected (KIP-320), or the reset policy (OFFSET_OUT_OF_RANGE, a new assignment). */
  cause: 'truncation' | 'reset';
}

/** What a poll raised instead of returning records (the exception KafkaConsumer.poll throws). */
export interface ConsumerException {
  name: 'LogTruncationException' | 'OffsetOutOfRangeException' | 'NoOffsetForPartitionException';
  /** The partitions it names, with the fetch offset and, for a truncation, the first offset known to diverge. */
  partitions: { partition: number; fetchOffset: number; divergentOffset: number | null }[];
}

export interface PollResult {
  /** partition → [offset, value] pairs, in offset order. */
  records: Map<number, [number, number][]>;
  /** Positions this poll moved by itself: truncations detected (KIP-320) and resets by auto.offset.reset. */
  truncations: Reposition[];
  errors: string[];
  /** Set when the poll raised (auto.offset.reset=none): it then returns no records. */
  exception?: ConsumerException;
  /** Subscribe mode: what the rebalance listener saw since the previous poll returned. */
  rebalances?: RebalanceEvent[];
}

/**
 * A poll under way. Answers that come after it returned are dropped (the position does not move), so
 * the records are fetched again by the next poll rather than lost between two results.
 */
class PollInProgress {
  readonly result: PollResult = { records: new Map(), truncations: [], errors: [] };
  finished = false;
  timer: { cancel(): void } | null = null;

  constructor(
    private readonly done: (result: PollResult) => void,
    private readonly onFinish: () => void,
  ) {}

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinish();
    this.timer?.cancel();
    this.done(this.result);
  }
}

export class Consumer implements CoordinatorHost {
  private readonly positions = new Map<number, Position>();
  /** Subscribe mode: the group member, else null (assign mode). */
  private group: ConsumerCoordinator | null = null;
  private subscribedTo: number[] = [];
  /** FetchStates.INITIALIZING: assigned by the group, awaiting the committed offset (or auto.offset.reset). */
  private readonly initializing = new Set<number>();
  private rebalanceEvents: RebalanceEvent[] = [];
  private assigned: number[] = [];
  private polling = false;
  /** OffsetOutOfRangeException met after records were collected: the next poll raises it (Fetcher.fetchedRecords). */
  private pendingException: ConsumerException | null = null;
  private readonly kip320: boolean;

  constructor(
    private readonly channel: RequestChannel,
    private readonly metadata: ClientMetadata,
    private readonly config: ConsumerConfig,
    private readonly behaviours: ConsumerBehaviours,
    private readonly setTimer: (ms: number, fn: () => void) => { cancel(): void },
  ) {
    this.kip320 = behaviours.kip320Consumer;
  }

  private get readCommitted(): boolean {
    return this.config['isolation.level'] === 'read_committed';
  }

  private get strategy() {
    return this.config['auto.offset.reset'];
  }

  assign(partitions: number[]): void {
    this.initializing.clear();
    this.assigned = [...partitions].sort((a, b) => a - b);
    for (const p of [...this.positions.keys()]) if (!this.assigned.includes(p)) this.positions.delete(p);
    for (const p of this.assigned) if (!this.positions.has(p)) this.positions.set(p, initialPosition(this.strategy));
    if (this.pendingException !== null && !this.assigned.includes(this.pendingException.partitions[0].partition)) {
      this.pendingException = null;
    }
  }

  assignment(): number[] {
    return [...this.assigned];
  }

  /**
   * KafkaConsumer.subscribe: the partitions come from the group (ConsumerCoordinator) from the next poll on.
   * kafkasim's consumers subscribe to the one topic, named by its partitions.
   */
  subscribe(s: GroupSubscription): void {
    this.assign([]);
    this.subscribedTo = [...s.partitions];
    this.group = new ConsumerCoordinator(s.config, s.behaviours, s.transport, this, s.now, this.setTimer, (e) =>
      this.rebalanceEvents.push(e),
    );
  }

  /** The group member in subscribe mode (its generation and member id, for the history). */
  get coordinator(): ConsumerCoordinator | null {
    return this.group;
  }

  /**
   * KafkaConsumer.groupMetadata (KIP-447, 2.5; as in 3.9): the group, generation and member id a transactional
   * producer's sendOffsetsToTransaction sends; a consumer that never subscribed has no group (Kafka's
   * InvalidGroupIdException).
   */
  groupMetadata(): ConsumerGroupMetadata {
    if (this.group === null) throw new Error('groupMetadata: this consumer has no group.id (it never subscribed)');
    return { ...this.group.groupMetadata };
  }

  // ---- CoordinatorHost ----

  assignedPartitions(): number[] {
    return [...this.assigned];
  }

  /** SubscriptionState.assignFromSubscribed: kept partitions keep their positions, new ones await an offset. */
  assignFromSubscribed(partitions: number[]): void {
    const kept = new Map<number, Position>();
    for (const p of partitions) {
      const pos = this.positions.get(p);
      if (pos !== undefined && this.assigned.includes(p)) kept.set(p, pos);
    }
    this.assigned = [...partitions].sort((a, b) => a - b);
    this.positions.clear();
    for (const [p, pos] of kept) this.positions.set(p, pos);
    for (const p of [...this.initializing]) if (!this.assigned.includes(p)) this.initializing.delete(p);
    for (const p of this.assigned) if (!kept.has(p)) this.initializing.add(p);
    if (this.pendingException !== null && !this.assigned.includes(this.pendingException.partitions[0].partition)) {
      this.pendingException = null;
    }
  }

  /** SubscriptionState.allConsumed: the position of each assigned partition that has one. */
  consumed(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const p of this.assigned) {
      const pos = this.positions.get(p);
      if (pos === undefined || pos.awaitingReset || pos.offset < 0) continue;
      out.push({ partition: p, offset: pos.offset, leaderEpoch: pos.lastEpoch });
    }
    return out;
  }

  /** The assigned partitions that have a position (all of them but those initializing). */
  private positioned(): number[] {
    return this.initializing.size === 0 ? this.assigned : this.assigned.filter((p) => !this.initializing.has(p));
  }

  subscribedPartitions(): number[] {
    return [...this.subscribedTo];
  }

  /** KafkaConsumer.commitSync(), one attempt: the consumed positions, fenced by the member's generation. */
  commitSync(done: (error: GroupError, offsets: OffsetToCommit[]) => void): void {
    const offsets = this.consumed();
    if (this.group === null) return done('UNKNOWN_MEMBER_ID', offsets);
    this.group.commit(offsets, (e) => done(e, offsets));
  }

  /** KafkaConsumer.unsubscribe: leave the group (ConsumerCoordinator.onLeavePrepare, maybeLeaveGroup). */
  unsubscribe(): void {
    this.group?.close();
    this.group = null;
    this.subscribedTo = [];
    this.assign([]);
  }

  seek(partition: number, offset: number): void {
    const validatedEpoch = this.metadata.leaderEpochOf(partition);
    this.positions.set(partition, { offset, lastEpoch: -1, validatedEpoch, awaitingReset: false });
    if (this.pendingException?.partitions[0].partition === partition) this.pendingException = null;
  }

  /** The next offset to fetch; -1 while auto.offset.reset has yet to place it. */
  position(partition: number): number {
    return this.positions.get(partition)?.offset ?? 0;
  }

  /** The leader's end offset (high watermark) for each partition, for the final reads' stopping point. */
  endOffsets(partitions: number[], done: (ends: Map<number, number> | null) => void): void {
    const ends = new Map<number, number>();
    let pending = partitions.length;
    let failed = false;
    if (pending === 0) return done(ends);
    for (const p of partitions) {
      const leader = this.metadata.leaderOf(p);
      if (leader < 0) {
        failed = true;
        if (--pending === 0) done(null);
        continue;
      }
      this.channel.send<ListOffsetsResponse>(
        `b${leader}`,
        {
          type: 'ListOffsets',
          partition: p,
          currentLeaderEpoch: this.kip320 ? this.metadata.leaderEpochOf(p) : NO_EPOCH,
          timestamp: -1,
          ...(this.readCommitted ? { isolationLevel: 'read_committed' as const } : {}),
        },
        this.config['request.timeout.ms'],
        (r) => {
          if (r === null || r.error !== 'NONE') failed = true;
          else ends.set(p, r.offset);
          if (--pending === 0) done(failed ? null : ends);
        },
      );
    }
  }

  /** One poll: fetch what is available within timeoutMs. */
  poll(timeoutMs: number, done: (result: PollResult) => void): void {
    if (this.polling) throw new Error('poll while a poll is in progress');
    this.polling = true;
    const poll: PollInProgress = new PollInProgress(done, () => {
      this.polling = false;
      if (this.rebalanceEvents.length > 0) {
        poll.result.rebalances = this.rebalanceEvents;
        this.rebalanceEvents = [];
      }
    });
    poll.timer = this.setTimer(timeoutMs, () => poll.finish());
    const open = () => !poll.finished;
    const result = poll.result;
    if (this.pendingException !== null) {
      result.exception = this.pendingException;
      this.pendingException = null;
      return poll.finish();
    }
    if (this.group !== null) {
      // KafkaConsumer.updateAssignmentMetadataIfNeeded: the group first, then the committed offsets.
      this.group.poll(() => this.refreshCommittedOffsets(() => this.positionsAndFetch(poll, timeoutMs), open), open);
      return;
    }
    this.positionsAndFetch(poll, timeoutMs);
  }

  /**
   * ConsumerCoordinator.refreshCommittedOffsetsIfNeeded: an initializing partition starts at its committed offset
   * (validated against its leader epoch, KIP-320), or where auto.offset.reset says if none was committed.
   */
  private refreshCommittedOffsets(then: () => void, open: () => boolean): void {
    const group = this.group as ConsumerCoordinator;
    const due = [...this.initializing];
    if (due.length === 0) return then();
    group.fetchCommitted(due, (committed) => {
      if (!open()) return;
      if (committed !== null) {
        for (const p of due) {
          if (!this.initializing.delete(p)) continue;
          const c = committed.get(p);
          this.positions.set(
            p,
            c === undefined
              ? initialPosition(this.strategy)
              : { offset: c.offset, lastEpoch: c.leaderEpoch, validatedEpoch: -1, awaitingReset: false },
          );
        }
      }
      then();
    });
  }

  private positionsAndFetch(poll: PollInProgress, timeoutMs: number): void {
    const result = poll.result;
    const open = () => !poll.finished;
    // KafkaConsumer.updateFetchPositions: validate positions after leader changes, then reset those awaiting it.
    this.validatePositions(
      result,
      () => {
        if (poll.finished) return;
        if (result.exception !== undefined) return poll.finish();
        this.resetPositions(
          result,
          () => {
            if (poll.finished) return;
            if (result.exception !== undefined) return poll.finish();
            this.fetch(result, timeoutMs, () => poll.finish(), open);
          },
          open,
        );
      },
      open,
    );
  }

  /**
   * KIP-320 (Fetcher.validateOffsetsIfNeeded, validateOffsetsAsync): after a leader change, ask the new leader where
   * the epoch of the last record consumed ends, and act on it as SubscriptionState.maybeCompleteValidation does.
   * Truncations raised (auto.offset.reset=none) make one LogTruncationException; the partition stays unvalidated,
   * so the next poll raises it again unless the application seeks.
   */
  private validatePositions(result: PollResult, then: () => void, open: () => boolean): void {
    if (!this.kip320) return then();
    let stale: number[] | null = null;
    for (const p of this.positioned()) {
      const pos = this.positions.get(p) as Position;
      if (pos.awaitingReset || pos.lastEpoch < 0 || this.metadata.leaderOf(p) < 0) continue;
      if (this.metadata.leaderEpochOf(p) > pos.validatedEpoch) (stale ??= []).push(p);
    }
    if (stale === null) return then();
    let pending = stale.length;
    const raised: ConsumerException['partitions'] = [];
    for (const p of stale) {
      const pos = this.positions.get(p) as Position;
      const sentOffset = pos.offset;
      const leaderEpoch = this.metadata.leaderEpochOf(p);
      this.channel.send<OffsetsForLeaderEpochResponse>(
        `b${this.metadata.leaderOf(p)}`,
        {
          type: 'OffsetsForLeaderEpoch',
          replicaId: CONSUMER_REPLICA_ID,
          partitions: [{ partition: p, currentLeaderEpoch: leaderEpoch, leaderEpoch: pos.lastEpoch }],
        },
        this.config['request.timeout.ms'],
        (r) => {
          if (!open()) return;
          const answer = r?.partitions[0];
          if (answer !== undefined && answer.error === 'NONE') {
            this.completeValidation(p, pos, sentOffset, leaderEpoch, answer, result, raised);
          } else if (answer !== undefined) {
            result.errors.push(`${answer.error} validating partition ${p}`);
            this.metadata.refresh();
          }
          if (--pending > 0) return;
          if (raised.length > 0) result.exception = { name: 'LogTruncationException', partitions: raised };
          then();
        },
      );
    }
  }

  private completeValidation(
    p: number,
    requested: Position,
    sentOffset: number,
    leaderEpoch: number,
    answer: { leaderEpoch: number; endOffset: number },
    result: PollResult,
    raised: ConsumerException['partitions'],
  ): void {
    const current = this.positions.get(p);
    // The position moved while the request was out: the answer no longer applies.
    if (current !== requested || current.offset !== sentOffset || current.awaitingReset) return;
    const v = maybeCompleteValidation(current, answer, this.strategy, this.behaviours.kafka9840);
    if (v.kind === 'raise' || v.kind === 'seek') probe(P.consumerTruncationDetected);
    if (v.kind === 'raise') {
      raised.push({ partition: p, fetchOffset: current.offset, divergentOffset: v.divergentOffset });
      return;
    }
    if (v.kind === 'reset') {
      current.awaitingReset = true;
      return;
    }
    if (v.kind === 'seek') {
      result.truncations.push({ partition: p, from: current.offset, to: v.offset, cause: 'truncation' });
      current.offset = v.offset;
      current.lastEpoch = v.epoch;
    }
    current.validatedEpoch = leaderEpoch;
  }

  /**
   * Fetcher.resetPositionsIfNeeded: a position awaiting a reset asks the leader for the log start offset (earliest)
   * or the high watermark (latest) with ListOffsets; with auto.offset.reset=none there is nothing to reset to, and
   * the poll raises NoOffsetForPartitionException.
   */
  private resetPositions(result: PollResult, then: () => void, open: () => boolean): void {
    const due = this.positioned().filter((p) => (this.positions.get(p) as Position).awaitingReset);
    if (due.length === 0) return then();
    const strategy = this.strategy;
    if (strategy === 'none') {
      const partitions = due.map((p) => ({ partition: p, fetchOffset: this.position(p), divergentOffset: null }));
      result.exception = { name: 'NoOffsetForPartitionException', partitions };
      return then();
    }
    let pending = due.length;
    for (const p of due) {
      const pos = this.positions.get(p) as Position;
      const leader = this.metadata.leaderOf(p);
      const answered = (): void => {
        if (--pending === 0) then();
      };
      if (leader < 0) {
        this.metadata.refresh();
        answered();
        continue;
      }
      const currentLeaderEpoch = this.kip320 ? this.metadata.leaderEpochOf(p) : NO_EPOCH;
      const request = {
        type: 'ListOffsets' as const,
        partition: p,
        currentLeaderEpoch,
        timestamp: resetTimestamp(strategy),
      };
      this.channel.send<ListOffsetsResponse>(`b${leader}`, request, this.config['request.timeout.ms'], (r) => {
        if (!open()) return;
        if (r !== null && r.error === 'NONE' && this.positions.get(p) === pos && pos.awaitingReset) {
          probe(P.consumerOffsetReset);
          result.truncations.push({ partition: p, from: pos.offset, to: r.offset, cause: 'reset' });
          pos.offset = r.offset;
          pos.lastEpoch = r.leaderEpoch;
          pos.validatedEpoch = r.leaderEpoch;
          pos.awaitingReset = false;
        } else if (r === null || r.error !== 'NONE') {
          result.errors.push(`${r?.error ?? 'timeout'} resetting partition ${p}`);
          this.metadata.refresh();
        }
        answered();
      });
    }
  }

  /** Where to fetch partition p from: a live replica in our rack (KIP-392), else the leader. */
  private sourceOf(p: number): number {
    const leader = this.metadata.leaderOf(p);
    const rack = this.config['client.rack'];
    const state = this.metadata.partition(p);
    if (rack === null || state === undefined || leader < 0) return leader;
    if (this.metadata.brokers.find((b) => b.id === leader)?.rack === rack) return leader;
    const local = state.replicas.find(
      (r) => state.isr.includes(r) && this.metadata.brokers.find((b) => b.id === r)?.rack === rack,
    );
    return local ?? leader;
  }

  private fetch(result: PollResult, maxWaitMs: number, finish: () => void, open: () => boolean): void {
    // The assigned partitions grouped by the broker to fetch from, brokers in id order (every poll does
    // this, so by hand rather than with a Map and a sort).
    const sources: number[] = [];
    const groups: number[][] = [];
    for (const p of this.positioned()) {
      const src = this.sourceOf(p);
      if (src < 0 || (this.positions.get(p) as Position).awaitingReset) continue;
      let i = 0;
      while (i < sources.length && sources[i] < src) i++;
      if (sources[i] !== src) {
        sources.splice(i, 0, src);
        groups.splice(i, 0, []);
      }
      groups[i].push(p);
    }
    if (sources.length === 0) {
      if (this.positioned().some((p) => this.sourceOf(p) < 0)) this.metadata.refresh();
      return;
    }
    let pending = sources.length;
    for (let g = 0; g < sources.length; g++) {
      const src = sources[g];
      const parts = groups[g];
      const offsets = new Map<number, number>();
      for (const p of parts) offsets.set(p, (this.positions.get(p) as Position).offset);
      this.channel.send<FetchResponse>(
        `b${src}`,
        {
          type: 'Fetch',
          replicaId: CONSUMER_REPLICA_ID,
          maxWaitMs: Math.max(0, maxWaitMs - 1),
          rackId: this.config['client.rack'],
          ...(this.readCommitted ? { isolationLevel: 'read_committed' as const } : {}),
          partitions: parts.map((p) => ({
            partition: p,
            fetchOffset: offsets.get(p) as number,
            currentLeaderEpoch: this.kip320 ? this.metadata.leaderEpochOf(p) : NO_EPOCH,
          })),
        },
        this.config['request.timeout.ms'],
        (r) => {
          if (!open()) return;
          if (r !== null) this.absorb(r, src, offsets, result);
          else {
            result.errors.push(`fetch from broker ${src} timed out`);
            this.metadata.refresh();
          }
          if (--pending === 0 || result.exception !== undefined) finish();
        },
      );
    }
  }

  private absorb(r: FetchResponse, src: number, sentOffsets: Map<number, number>, result: PollResult): void {
    for (const d of r.partitions) {
      const pos = this.positions.get(d.partition);
      if (pos === undefined || pos.awaitingReset || pos.offset !== sentOffsets.get(d.partition)) continue;
      if (d.error === 'OFFSET_OUT_OF_RANGE') {
        result.errors.push(`OFFSET_OUT_OF_RANGE at ${pos.offset} on partition ${d.partition}`);
        // Fetcher (2.4+ clearPreferredReadReplica): from a follower the consumer goes back to the leader.
        if (src !== this.metadata.leaderOf(d.partition)) continue;
        // Fetcher.handleOffsetOutOfRange: reset by auto.offset.reset (requestOffsetReset), or raise.
        if (this.strategy !== 'none') {
          pos.awaitingReset = true;
          continue;
        }
        const exception: ConsumerException = {
          name: 'OffsetOutOfRangeException',
          partitions: [{ partition: d.partition, fetchOffset: pos.offset, divergentOffset: null }],
        };
        // Fetcher.fetchedRecords: records already collected are returned, the exception comes with the next poll.
        if (result.records.size > 0) this.pendingException = exception;
        else result.exception = exception;
        return;
      }
      if (d.error !== 'NONE') {
        result.errors.push(`${d.error} on partition ${d.partition}`);
        this.metadata.refresh();
        continue;
      }
      const out = result.records.get(d.partition) ?? [];
      let count = 0;
      const skip = this.readCommitted ? new AbortedFilter(d.abortedTransactions ?? []) : null;
      for (const b of d.batches) {
        // Control batches, and under read_committed aborted transactions' batches, are stepped over, never returned
        // (Fetcher's CompletedFetch.nextFetchedRecord); a poll that is full steps over nothing more.
        const dropped = skip !== null && skip.aborted(b);
        if (b.control !== undefined || dropped) {
          if (count >= this.config['max.poll.records']) break;
          const next = b.baseOffset + b.values.length;
          if (next > pos.offset) {
            pos.offset = next;
            pos.lastEpoch = b.epoch;
          }
          continue;
        }
        for (let i = 0; i < b.values.length; i++) {
          const offset = b.baseOffset + i;
          if (offset < pos.offset || count >= this.config['max.poll.records']) continue;
          out.push([offset, b.values[i]]);
          pos.offset = offset + 1;
          pos.lastEpoch = b.epoch;
          count++;
        }
      }
      if (pos.validatedEpoch < 0) pos.validatedEpoch = d.leaderEpoch;
      if (out.length > 0) result.records.set(d.partition, out);
    }
  }
}

/**
 * CompletedFetch's aborted-transaction bookkeeping (3.9): the fetch's aborted transactions by first offset; a
 * producer joins the aborted set once a batch reaches its aborted transaction's first offset
 * (consumeAbortedTransactionsUpTo), its transactional batches are then dropped, and its ABORT marker ends that.
 */
class AbortedFilter {
  private readonly queue: { producerId: number; firstOffset: number }[];
  private readonly producers = new Set<number>();

  constructor(aborted: readonly { producerId: number; firstOffset: number }[]) {
    this.queue = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Whether `b` is a batch of an aborted transaction (control batches are the caller's). */
  aborted(b: RecordBatch): boolean {
    const last = b.baseOffset + b.values.length - 1;
    while (this.queue.length > 0 && this.queue[0].firstOffset <= last) {
      this.producers.add((this.queue.shift() as { producerId: number }).producerId);
    }
    if (b.control !== undefined) {
      if (b.control.type === 'ABORT') this.producers.delete(b.producerId);
      return false;
    }
    return b.isTransactional === true && this.producers.has(b.producerId);
  }
}
