// A group coordinator on a hand-driven clock and an in-memory offsets log, for unit tests of the group protocol.
import type { KafkaError } from '../../sim/kafka/messages.ts';
import type { GroupObserver, SetTimer } from '../../sim/kafka/group/group-coordinator.ts';
import { GROUP_CONFIG_DEFAULTS, GroupCoordinator } from '../../sim/kafka/group/group-coordinator.ts';
import { groupBehaviours } from '../../sim/kafka/group/group-behaviours.ts';
import type { GroupLog } from '../../sim/kafka/group/group-metadata-manager.ts';
import { GroupMetadataManager } from '../../sim/kafka/group/group-metadata-manager.ts';
import type { GroupLogBatch, GroupRecord } from '../../sim/kafka/group/group-records.ts';
import type { GroupRequest } from '../../sim/kafka/group/group-messages.ts';
import { handleGroupRequest } from '../../sim/kafka/group/group-apis.ts';
import type {
  CoordinatorHost,
  CoordinatorTransport,
  RebalanceEvent,
} from '../../sim/kafka/clients/consumer-coordinator.ts';
import { ConsumerCoordinator, groupConsumerDefaults } from '../../sim/kafka/clients/consumer-coordinator.ts';

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

  append(
    _partition: number,
    records: GroupRecord[],
    _timeoutMs: number,
    done: (error: KafkaError, baseOffset: number) => void,
  ): void {
    const error = this.failWith;
    const base = this.records.length;
    if (error === null) this.records.push(...records);
    this.clock.setTimer(this.ackMs, () => done(error ?? 'NONE', error === null ? base : -1));
  }

  verify(_p: number, _id: string, _pid: number, _epoch: number, done: (e: KafkaError, g: number | null) => void): void {
    done('NONE', null);
  }

  /** One plain batch per record, at its index. */
  read(): GroupLogBatch[] {
    return this.records.map((r, i) => ({
      kind: 'records',
      baseOffset: i,
      producerId: -1,
      transactional: false,
      records: [r],
    }));
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

/** A consumer's group member talking to `coordinator` with 1 ms each way; `paused` drops its requests. */
export class TestMember {
  owned: number[] = [];
  positions = new Map<number, number>();
  paused = false;
  readonly events: RebalanceEvent[] = [];
  readonly member: ConsumerCoordinator;

  constructor(
    clock: ManualClock,
    coordinator: () => GroupCoordinator,
    clientId: string,
    strategy: string[],
    partitions = [0, 1, 2, 3],
    version = '3.9',
  ) {
    const behaviours = groupBehaviours(version);
    const config = { ...groupConsumerDefaults(behaviours, clientId), 'partition.assignment.strategy': strategy };
    const transport: CoordinatorTransport = {
      findCoordinator: (_g, done) => clock.setTimer(2, () => done(0)),
      send: (_broker, body, timeoutMs, done) => {
        if (this.paused) return void clock.setTimer(timeoutMs, () => done(null));
        const req = { ...body, correlationId: 0 } as GroupRequest;
        clock.setTimer(1, () => handleGroupRequest(coordinator(), req, (r) => clock.setTimer(1, () => done(r))));
      },
    };
    const host: CoordinatorHost = {
      assignedPartitions: () => [...this.owned],
      assignFromSubscribed: (ps) => {
        this.owned = [...ps];
        for (const p of [...this.positions.keys()]) if (!ps.includes(p)) this.positions.delete(p);
      },
      consumed: () => [...this.positions].map(([partition, offset]) => ({ partition, offset, leaderEpoch: 0 })),
      subscribedPartitions: () => partitions,
    };
    this.member = new ConsumerCoordinator(
      config,
      behaviours,
      transport,
      host,
      () => clock.now,
      clock.setTimer,
      (e) => this.events.push(e),
    );
  }

  /** A poll that waits up to timeoutMs for the member to be Stable; true if it got there. */
  poll(clock: ManualClock, timeoutMs = 100): boolean {
    let ok = false;
    const deadline = clock.now + timeoutMs;
    this.member.poll(
      () => (ok = true),
      () => clock.now < deadline,
    );
    clock.advance(timeoutMs);
    return ok;
  }
}
