// A group coordinator on a hand-driven clock and an in-memory offsets log, for unit tests of the group protocol.
import type { KafkaError } from '../../sim/kafka/messages.ts';
import type { GroupObserver, SetTimer } from '../../sim/kafka/group/group-coordinator.ts';
import { GROUP_CONFIG_DEFAULTS, GroupCoordinator } from '../../sim/kafka/group/group-coordinator.ts';
import { groupBehaviours } from '../../sim/kafka/group/group-behaviours.ts';
import type { GroupLog } from '../../sim/kafka/group/group-metadata-manager.ts';
import { GroupMetadataManager } from '../../sim/kafka/group/group-metadata-manager.ts';
import type { GroupRecord } from '../../sim/kafka/group/group-records.ts';

/** Timers fired in time order (ties in the order set), advanced by hand. */
export class ManualClock {
  now = 0;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];

  readonly setTimer: SetTimer = (ms, fn) => {
    const t = { at: this.now + ms, seq: this.seq++, fn, live: true };
    this.timers.push(t);
    return { cancel: () => void (t.live = false) };
  };

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      due.live = false;
      this.now = due.at;
      due.fn();
    }
    this.timers = this.timers.filter((t) => t.live);
    this.now = end;
  }
}

/** One offsets partition (0) shared by every coordinator; appends acknowledged after `ackMs`, or failed. */
export class MemoryGroupLog implements GroupLog {
  readonly records: GroupRecord[] = [];
  ackMs = 1;
  failWith: KafkaError | null = null;

  constructor(private readonly clock: ManualClock) {}

  partitionFor(): number {
    return 0;
  }

  append(_partition: number, records: GroupRecord[], _timeoutMs: number, done: (error: KafkaError) => void): void {
    const error = this.failWith;
    if (error === null) this.records.push(...records);
    this.clock.setTimer(this.ackMs, () => done(error ?? 'NONE'));
  }

  read(): GroupRecord[] {
    return [...this.records];
  }
}

export function coordinatorOn(
  clock: ManualClock,
  log: GroupLog,
  version = '3.9',
  observer: GroupObserver = {},
): GroupCoordinator {
  const manager = new GroupMetadataManager(log);
  return new GroupCoordinator(manager, GROUP_CONFIG_DEFAULTS, groupBehaviours(version), clock.setTimer, observer);
}
