// Kafka's consumer with manual assignment: assign, seek, position, poll. Each poll fetches from the
// leader of each assigned partition (or, with client.rack, from a replica in the same rack: KIP-392)
// and returns what arrived within the poll timeout. With KIP-320 it sends its leader epoch and, after a
// leader change, validates its position with OffsetsForLeaderEpoch, rewinding if the log was truncated.
import type { ConsumerConfig } from '../config.ts';
import type { FetchResponse, ListOffsetsResponse, OffsetsForLeaderEpochResponse } from '../messages.ts';
import { CONSUMER_REPLICA_ID, NO_EPOCH } from '../messages.ts';
import type { RequestChannel } from '../request-channel.ts';
import type { ClientMetadata } from './metadata.ts';

export interface PollResult {
  /** partition → [offset, value] pairs, in offset order. */
  records: Map<number, [number, number][]>;
  /** Truncations detected this poll (KIP-320): the position moved back from `from` to `to`. */
  truncations: { partition: number; from: number; to: number }[];
  errors: string[];
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

interface Position {
  offset: number;
  /** Epoch of the last record consumed, for truncation detection. */
  lastEpoch: number;
  /** Leader epoch the position was last validated against. */
  validatedEpoch: number;
}

export class Consumer {
  private readonly positions = new Map<number, Position>();
  private assigned: number[] = [];
  private polling = false;

  constructor(
    private readonly channel: RequestChannel,
    private readonly metadata: ClientMetadata,
    private readonly config: ConsumerConfig,
    private readonly kip320: boolean,
    private readonly setTimer: (ms: number, fn: () => void) => { cancel(): void },
  ) {}

  assign(partitions: number[]): void {
    this.assigned = [...partitions].sort((a, b) => a - b);
    for (const p of [...this.positions.keys()]) if (!this.assigned.includes(p)) this.positions.delete(p);
    for (const p of this.assigned)
      if (!this.positions.has(p)) this.positions.set(p, { offset: 0, lastEpoch: -1, validatedEpoch: -1 });
  }

  assignment(): number[] {
    return [...this.assigned];
  }

  seek(partition: number, offset: number): void {
    this.positions.set(partition, { offset, lastEpoch: -1, validatedEpoch: this.metadata.leaderEpochOf(partition) });
  }

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
    const poll = new PollInProgress(done, () => {
      this.polling = false;
    });
    poll.timer = this.setTimer(timeoutMs, () => poll.finish());
    this.validatePositions(
      poll.result,
      () => {
        if (poll.finished) return;
        this.fetch(
          poll.result,
          timeoutMs,
          () => poll.finish(),
          () => !poll.finished,
        );
      },
      () => !poll.finished,
    );
  }

  /** KIP-320: after a leader change, ask the new leader where our last consumed epoch ends. */
  private validatePositions(result: PollResult, then: () => void, open: () => boolean): void {
    if (!this.kip320) return then();
    let stale: number[] | null = null;
    for (const p of this.assigned) {
      const pos = this.positions.get(p) as Position;
      if (pos.lastEpoch >= 0 && this.metadata.leaderEpochOf(p) > pos.validatedEpoch && this.metadata.leaderOf(p) >= 0)
        (stale ??= []).push(p);
    }
    if (stale === null) return then();
    let pending = stale.length;
    for (const p of stale) {
      const pos = this.positions.get(p) as Position;
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
            const current = this.positions.get(p);
            if (current !== undefined && current.offset === pos.offset) {
              if (answer.endOffset >= 0 && answer.endOffset < current.offset) {
                result.truncations.push({ partition: p, from: current.offset, to: answer.endOffset });
                current.offset = answer.endOffset;
              }
              current.validatedEpoch = leaderEpoch;
            }
          } else if (answer !== undefined) {
            result.errors.push(`${answer.error} validating partition ${p}`);
            this.metadata.refresh();
          }
          if (--pending === 0) then();
        },
      );
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
    for (const p of this.assigned) {
      const src = this.sourceOf(p);
      if (src < 0) continue;
      let i = 0;
      while (i < sources.length && sources[i] < src) i++;
      if (sources[i] !== src) {
        sources.splice(i, 0, src);
        groups.splice(i, 0, []);
      }
      groups[i].push(p);
    }
    if (sources.length === 0) {
      this.metadata.refresh();
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
          partitions: parts.map((p) => ({
            partition: p,
            fetchOffset: offsets.get(p) as number,
            currentLeaderEpoch: this.kip320 ? this.metadata.leaderEpochOf(p) : NO_EPOCH,
          })),
        },
        this.config['request.timeout.ms'],
        (r) => {
          if (!open()) return;
          if (r !== null) this.absorb(r, offsets, result);
          else {
            result.errors.push(`fetch from broker ${src} timed out`);
            this.metadata.refresh();
          }
          if (--pending === 0) finish();
        },
      );
    }
  }

  private absorb(r: FetchResponse, sentOffsets: Map<number, number>, result: PollResult): void {
    for (const d of r.partitions) {
      const pos = this.positions.get(d.partition);
      if (pos === undefined || pos.offset !== sentOffsets.get(d.partition)) continue;
      if (d.error === 'OFFSET_OUT_OF_RANGE') {
        // auto.offset.reset=earliest: the position no longer exists on the leader.
        result.errors.push(`OFFSET_OUT_OF_RANGE at ${pos.offset} on partition ${d.partition}`);
        result.truncations.push({ partition: d.partition, from: pos.offset, to: d.logStartOffset });
        pos.offset = d.logStartOffset;
        continue;
      }
      if (d.error !== 'NONE') {
        result.errors.push(`${d.error} on partition ${d.partition}`);
        this.metadata.refresh();
        continue;
      }
      const out = result.records.get(d.partition) ?? [];
      let count = 0;
      for (const b of d.batches) {
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
