// A client's metadata cache: which broker leads each partition, in which leader epoch, and which
// brokers are alive (with their racks). Refreshed with Metadata requests to the bootstrap brokers in turn.
import type { MetadataResponse, PartitionState } from '../messages.ts';
import type { RequestChannel } from '../request-channel.ts';

export class ClientMetadata {
  private partitions = new Map<number, PartitionState>();
  brokers: { id: number; rack: string | null }[] = [];
  private refreshing = false;
  private waiters: (() => void)[] = [];
  private nextBootstrap = 0;

  constructor(
    private readonly channel: RequestChannel,
    private readonly bootstrap: string[],
    private readonly timeoutMs: number,
  ) {}

  partition(p: number): PartitionState | undefined {
    return this.partitions.get(p);
  }

  /** The leader's broker id, or -1 when unknown or offline. */
  leaderOf(p: number): number {
    return this.partitions.get(p)?.leader ?? -1;
  }

  leaderEpochOf(p: number): number {
    return this.partitions.get(p)?.leaderEpoch ?? -1;
  }

  /** Asks one bootstrap broker (rotating), then calls `then` (whether or not it answered). */
  refresh(then: () => void = () => {}): void {
    this.waiters.push(then);
    if (this.refreshing) return;
    this.refreshing = true;
    const target = this.bootstrap[this.nextBootstrap++ % this.bootstrap.length];
    this.channel.send<MetadataResponse>(target, { type: 'Metadata' }, this.timeoutMs, (response) => {
      this.refreshing = false;
      if (response !== null) {
        this.brokers = response.brokers;
        for (const s of response.partitions) {
          const old = this.partitions.get(s.partition);
          // Never go back to an older leader epoch (KIP-320's metadata epoch check).
          if (old === undefined || s.leaderEpoch >= old.leaderEpoch) this.partitions.set(s.partition, s);
        }
      }
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    });
  }
}
