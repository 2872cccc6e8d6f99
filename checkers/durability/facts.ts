// What the simulator knows about why records vanished, as plain data the durability checker can use to
// attribute a lost acknowledged write. The checker never imports the simulator; it only reads these.

/** Why a broker removed records from the end of its log. */
export type Cause =
  | { kind: 'unclean-election'; leader: number; leaderEpoch: number; time: number; note?: string }
  | { kind: 'clean-election'; leader: number; leaderEpoch: number; time: number; note?: string }
  | { kind: 'crash'; broker: number; time: number; note?: string }
  | { kind: 'disk-replaced'; broker: number; time: number; note?: string }
  | { kind: 'hw-truncation'; broker: number; time: number; note?: string }
  | { kind: 'divergence'; broker: number; time: number; note?: string };

/** One broker cutting the tail off one partition's log. */
export interface Truncation {
  /** Simulated time (ms) at which the records were removed. */
  time: number;
  broker: number;
  /** The partition (a queue key). */
  key: number;
  /** First offset removed. */
  fromOffset: number;
  /** Log end offset before the truncation: offsets [fromOffset, toOffset) were removed. */
  toOffset: number;
  cause: Cause;
}

/** One replica's log when the run ended: which value sits at each offset, and its high watermark. */
export interface FinalLog {
  broker: number;
  key: number;
  highWatermark: number;
  /** Offset of values[0] (the log start offset). */
  startOffset: number;
  values: number[];
}

export interface DurabilityFacts {
  truncations: Truncation[];
  /**
   * The replicas' logs at the end of the run. An acknowledged record the final reads missed but some
   * replica still holds at its offset is unreadable (the partition had no leader, or its high watermark
   * stayed below it), not lost.
   */
  finalLogs?: FinalLog[];
}

/** One plain clause saying why the truncation happened, for example descriptions. */
export function describeCause(cause: Cause): string {
  const note = cause.note === undefined ? '' : ` (${cause.note})`;
  switch (cause.kind) {
    case 'unclean-election':
      return (
        `an unclean leader election made broker ${cause.leader} leader in epoch ${cause.leaderEpoch} at ` +
        `t=${cause.time}${note}`
      );
    case 'clean-election':
      return (
        `a clean leader election made broker ${cause.leader} leader in epoch ${cause.leaderEpoch} at ` +
        `t=${cause.time}${note}`
      );
    case 'crash':
      return `broker ${cause.broker} crashed at t=${cause.time} and lost unflushed records${note}`;
    case 'disk-replaced':
      return `broker ${cause.broker}'s disk was replaced at t=${cause.time}, so it came back with an empty log${note}`;
    case 'hw-truncation':
      return `broker ${cause.broker} truncated to its high watermark at t=${cause.time}${note}`;
    case 'divergence':
      return `broker ${cause.broker} found its log diverged from the leader's at t=${cause.time}${note}`;
  }
}
