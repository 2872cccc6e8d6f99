// The producer's retry backoff on a clock that keeps time in whole microseconds, as the world does: the retry
// timer set for retry.backoff.ms fires at `now + backoff` rounded, which can be a hair before the floating-point
// `retryAt` the producer compares against. Kafka's Sender never sleeps past a backoff (RecordAccumulator.ready's
// nextReadyCheckDelayMs bounds Sender.sendProducerData's poll timeout), so the batch is sent again.
// Found on swarm seed 15131 (newest Kafka, KRaft): the probe's send stayed unsent after 65.565 s.
import { describe, expect, it } from 'vitest';
import type { ClientMetadata } from '../../../sim/kafka/clients/metadata.ts';
import type { SendOutcome } from '../../../sim/kafka/clients/producer.ts';
import { Producer } from '../../../sim/kafka/clients/producer.ts';
import type { ProducerBehaviours } from '../../../sim/kafka/clients/producer-config.ts';
import { PRODUCER_DEFAULTS } from '../../../sim/kafka/config.ts';
import type { KafkaError, ProduceResponse } from '../../../sim/kafka/messages.ts';
import type { RequestChannel } from '../../../sim/kafka/request-channel.ts';

/** Timers on a microsecond clock, run in order. */
class MicrosClock {
  now: number;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(startMs: number) {
    this.now = startMs;
  }

  /** As the world's node timers: rounded to the microsecond, and a positive delay moves time (World.context). */
  setTimer(ms: number, fn: () => void): void {
    const rounded = Math.round((this.now + ms) * 1000) / 1000;
    const at = ms > 0 && rounded <= this.now ? Math.round((this.now + 0.001) * 1000) / 1000 : rounded;
    this.timers.push({ at, seq: this.seq++, fn });
  }

  runFor(ms: number): void {
    const end = this.now + ms;
    for (let steps = 0; steps < 10_000; steps++) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = this.timers[0];
      if (t === undefined || t.at > end) break;
      this.timers.shift();
      this.now = t.at;
      t.fn();
    }
    this.now = end;
  }
}

const BEHAVIOURS: ProducerBehaviours = {
  kafka5494: true,
  kafka5793: true,
  kip360: true,
  kip588: true,
  kafka12152: true,
};

describe('Producer retry backoff (Sender.sendProducerData polls until the backoff ends)', () => {
  it('sends a retried batch again when its retry timer fires a microsecond-rounding before retryAt', () => {
    // 65465.502 + 100 is 65565.50200000001 in floating point; the timer fires at 65565.502.
    const clock = new MicrosClock(65465.502 - 2);
    const errors: KafkaError[] = ['NOT_ENOUGH_REPLICAS', 'NONE'];
    const attempts: number[] = [];
    const channel = {
      send(_to: string, _request: unknown, _timeoutMs: number, resolve: (r: ProduceResponse) => void): number {
        attempts.push(clock.now);
        const error = errors.shift() ?? 'NONE';
        clock.setTimer(2, () =>
          resolve({ type: 'ProduceResponse', correlationId: 0, partition: 0, error, baseOffset: 7, logStartOffset: 0 }),
        );
        return attempts.length;
      },
    } as unknown as RequestChannel;
    const metadata = { leaderOf: () => 0, brokers: [], refresh: () => {} } as unknown as ClientMetadata;
    const config = { ...PRODUCER_DEFAULTS, 'enable.idempotence': false, 'delivery.timeout.ms': 10_000 };
    const producer = new Producer(
      channel,
      metadata,
      config,
      BEHAVIOURS,
      () => clock.now,
      (ms, fn) => clock.setTimer(ms, fn),
      ['b0'],
    );
    const outcomes: SendOutcome[] = [];
    producer.send(0, 42, (o) => outcomes.push(o));
    clock.runFor(20_000);
    // The failed attempt's response came at 65465.502, so its retry is due at 65565.50200000001.
    expect(attempts[0]).toBe(65463.502);
    expect(attempts.length).toBe(2);
    expect(attempts[1]).toBeGreaterThanOrEqual(65465.502 + 100);
    expect(attempts[1]).toBeLessThan(65565.51);
    expect(outcomes).toEqual([{ type: 'ok', offset: 7 }]);
  });
});
