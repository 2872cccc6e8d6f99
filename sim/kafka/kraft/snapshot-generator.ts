// When a controller snapshots its committed metadata, as Kafka's SnapshotGenerator decides: once
// metadata.log.max.record.bytes.between.snapshots bytes of records were committed since its last
// snapshot, or once metadata.log.max.snapshot.interval.ms has passed since then and something new came.
import type { KraftConfig } from './config.ts';

export class SnapshotGenerator {
  private bytesSince = 0;
  private lastAt: number;

  constructor(
    private readonly config: KraftConfig,
    now: number,
  ) {
    this.lastAt = now;
  }

  /** `bytes` of records were committed at `now`: whether a snapshot is due. */
  committed(bytes: number, now: number): boolean {
    this.bytesSince += bytes;
    if (this.bytesSince === 0) return false;
    return (
      this.bytesSince >= this.config['metadata.log.max.record.bytes.between.snapshots'] ||
      now - this.lastAt >= this.config['metadata.log.max.snapshot.interval.ms']
    );
  }

  taken(now: number): void {
    this.bytesSince = 0;
    this.lastAt = now;
  }
}
