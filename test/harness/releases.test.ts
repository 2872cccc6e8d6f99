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
