// --kafka: a release sets its metadata modes, behaviours and defaults; --protocol overrides go on top;
// a mode the release lacks, a release kafkasim does not know and the idempotent producer before 0.11 are
// usage errors naming what exists.
import { describe, expect, it } from 'vitest';
import { testOf } from '../../harness/index.ts';
import { NEWEST_RELEASE, RELEASES, releaseOf } from '../../sim/kafka/releases.ts';

describe('Kafka releases', () => {
  it('default to the newest release in KRaft mode with its defaults', () => {
    const t = testOf({ seed: 1 });
    expect(t.cluster.kafka).toBe(NEWEST_RELEASE);
    expect(t.cluster.metadata).toBe('kraft');
    expect(t.cluster.protocol).toEqual(releaseOf(NEWEST_RELEASE).behaviours);
    expect(t.workload.producer.acks).toBe('all');
    expect(t.workload.producer['enable.idempotence']).toBe(true);
    expect(t.cluster.broker['unclean.leader.election.enable']).toBe(false);
  });

  it('take the defaults each release shipped', () => {
    const old = testOf({ seed: 1, kafka: '0.10.2' });
    expect(old.cluster.metadata).toBe('zk');
    expect(old.cluster.broker['unclean.leader.election.enable']).toBe(true);
    expect(old.workload.producer.acks).toBe(1);
    expect(old.workload.producer['enable.idempotence']).toBe(false);
    expect(old.cluster.protocol.kip101).toBe(false);
    const v29 = testOf({ seed: 1, kafka: '2.7' });
    expect([v29.cluster.protocol.kip101, v29.cluster.protocol.kip320, v29.cluster.protocol.strictMinIsr]).toEqual([
      true,
      true,
      false,
    ]);
    expect(v29.workload.producer.acks).toBe(1);
    // The run's own settings win over the release's defaults.
    expect(
      testOf({ seed: 1, kafka: '0.10.2', unclean: false, acks: 'all' }).cluster.broker[
        'unclean.leader.election.enable'
      ],
    ).toBe(false);
  });

  it('run only in the metadata modes the release has', () => {
    expect(testOf({ seed: 1, kafka: '3.9', metadata: 'zk' }).cluster.metadata).toBe('zk');
    expect(() => testOf({ seed: 1, kafka: '4.0', metadata: 'zk' })).toThrow(
      /Kafka 4\.0 has no ZooKeeper mode \(it runs on 0\.8\.2, .*3\.9\)/,
    );
    expect(() => testOf({ seed: 1, kafka: '2.7', metadata: 'kraft' })).toThrow(
      /no KRaft mode \(it runs on 3\.4, 3\.5, /,
    );
  });

  it('refuse what a release did not have, and releases kafkasim does not know', () => {
    expect(() => testOf({ seed: 1, kafka: '0.10.2', workload: { producer: { 'enable.idempotence': true } } })).toThrow(
      /no idempotent producer/,
    );
    expect(() => testOf({ seed: 1, kafka: '1.0' })).toThrow(/unknown release "1\.0" \(one of 0\.8\.2, /);
  });

  it('take --protocol overrides over the release', () => {
    const t = testOf({ seed: 1, kafka: '3.9', metadata: 'zk', protocol: '+elr,pre-kip-101' });
    // pre-kip-101 also takes the fetch path of releases without KIP-101: no KAFKA-7897, no truncation on fetch.
    expect(t.cluster.protocol).toEqual({
      ...releaseOf('3.9').behaviours,
      elr: true,
      kip101: false,
      kafka7897: false,
      truncateOnFetch: false,
    });
    expect(t.protocolOverrides).toEqual(['+elr', 'pre-kip-101']);
    expect(() => testOf({ seed: 1, protocol: '+nonsense' })).toThrow(/unknown override/);
  });

  it('name each release once, in order, each change with its KIP or JIRA', () => {
    const versions = RELEASES.map((r) => r.version);
    expect(new Set(versions).size).toBe(versions.length);
    for (const r of RELEASES) expect(r.changes.length).toBeGreaterThan(0);
    expect(releaseOf('3.9.0').version).toBe('3.9');
    expect(releaseOf('0.11').version).toBe('0.11.0');
  });
});

describe("The producer's settings as each release's KafkaProducer resolves them (producer-config.ts)", () => {
  const idempotent = (kafka: string, producer: Record<string, unknown> = {}) =>
    testOf({ seed: 1, kafka, workload: { producer: { 'enable.idempotence': true, ...producer } } }).workload.producer;

  it('KafkaProducer.configureInflightRequests: one request in flight on 0.11.0, five from 1.0 (KAFKA-5494)', () => {
    expect(idempotent('0.11')['max.in.flight.requests.per.connection']).toBe(1);
    expect(() => idempotent('0.11', { 'max.in.flight.requests.per.connection': 5 })).toThrow(/at most 1/);
    expect(idempotent('1.1')['max.in.flight.requests.per.connection']).toBe(5);
    expect(() => idempotent('1.1', { 'max.in.flight.requests.per.connection': 6 })).toThrow(/at most 5/);
  });

  it('KafkaProducer.configureAcks and configureRetries: idempotence takes acks=all and retries MAX_INT', () => {
    // 0.11-2.0 shipped acks=1 and retries=0; idempotence overrides both defaults and refuses them when set.
    expect(idempotent('2.0')).toMatchObject({ acks: 'all', retries: 2147483647 });
    expect(() => idempotent('2.0', { acks: 1 })).toThrow(/acks=all/);
    expect(() => idempotent('2.4', { retries: 0 })).toThrow(/retries/);
  });

  it('ProducerConfig.postProcessAndValidateIdempotenceConfigs (KAFKA-13673): conflicts switch the default off', () => {
    expect(testOf({ seed: 1, kafka: '3.9', metadata: 'zk' }).workload.producer['enable.idempotence']).toBe(true);
    const acksOne = testOf({ seed: 1, kafka: '3.9', acks: 1 }).workload.producer;
    expect(acksOne).toMatchObject({ acks: 1, 'enable.idempotence': false });
    expect(() => idempotent('3.9', { acks: 1 })).toThrow(/acks=all/);
    // On 3.0 the default had no effect (KAFKA-13598): acks=1 is no conflict there.
    expect(testOf({ seed: 1, kafka: '3.0', acks: 1 }).workload.producer['enable.idempotence']).toBe(false);
  });
});
