// A broker crash as the world saw it. A crashed broker cannot report its own death as an event, so the
// harness notices it (the world's node counters) and reports it beside the cluster's events.

export interface BrokerCrash {
  broker: number;
  /** World time (ms) of the crash. */
  time: number;
  /** The crash came with a blank disk (a disk failure the broker came back from on a new one): nothing survived. */
  diskReplaced?: boolean;
}
