// The anomalies of Jepsen's Kafka checker (jepsen.tests.kafka), each with the meaning its source gives it, in
// plain words for reports. Where kafkasim's queue checker means the same thing, its words are reused.
import { QUEUE_ANOMALIES } from '../queue/index.ts';

const CYCLE =
  'Transactions are ordered by their dependencies: T1 before T2 when T2 polled a record T1 sent (wr), when T1 ' +
  'sent a record that the log holds just before one T2 sent (ww), when T1 polled a key no further than the ' +
  'record just before one T2 sent (rw), and in the -realtime forms when T1 completed before T2 was invoked. ';

export const JEPSEN_KAFKA_ANOMALIES = {
  'inconsistent-offsets': QUEUE_ANOMALIES['inconsistent-offsets'],
  duplicate: QUEUE_ANOMALIES.duplicate,
  G1a: QUEUE_ANOMALIES.G1a,
  'precommitted-read':
    'A transaction polled a record it sent itself. A Kafka consumer must never see a record before the ' +
    'transaction that sent it commits, and a transaction cannot commit while it is still polling.',
  'lost-write':
    'A send that took effect (acknowledged, or crashed but with some send of its transaction read) was never ' +
    'polled by an ok operation, although ok polls returned records that the log holds after it: consumers ' +
    'passed over its place, so the log no longer holds it.',
  unseen:
    'A send acknowledged by an ok operation was never returned by any ok poll, lost writes included. Jepsen ' +
    "always counts it: its test polls every key to the end before it stops (kafkasim's queue checker only " +
    'counts what a final phase should have read and was not lost elsewhere).',
  'poll-skip':
    'One process polled a key, then polled it again while still assigned to it, and the second poll began ' +
    'past the record that follows where the first ended: the consumer never saw the records in between.',
  'nonmonotonic-poll':
    'One process polled a key, then polled it again while still assigned to it, and the second poll began at ' +
    'or before the record where the first ended.',
  'nonmonotonic-send':
    'One process sent to a key, then sent to it again in a later operation, and the later record sits at or ' +
    'before the earlier one in the log.',
  'int-poll-skip': QUEUE_ANOMALIES['int-poll-skip'] + ' Jepsen counts every poll of one transaction together.',
  'int-nonmonotonic-poll':
    QUEUE_ANOMALIES['int-nonmonotonic-poll'] + ' Jepsen counts every poll of one transaction together.',
  'int-send-skip':
    'Within one transaction, two successive sends to one key landed with other records between them. Normal ' +
    'in Kafka, whose transactions interleave their writes: Jepsen always allows it.',
  'int-nonmonotonic-send':
    'Within one transaction, a later send to a key landed at or before an earlier one in the log.',
  G0: CYCLE + 'G0 (write cycle): a cycle of ww edges only. Kafka never isolates writes, so Jepsen allows it.',
  G1c:
    CYCLE +
    'G1c (circular information flow): a cycle of ww and wr edges with at least one wr. Allowed when ww ' +
    'edges are inferred (the default), since writes are not isolated.',
  'G-single':
    CYCLE +
    'G-single (read skew): a cycle with exactly one rw edge. Needs --rw-deps (Jepsen never draws rw edges: ' +
    'a poll returns a bounded batch, so reading up to a record says nothing about the next). Elle names it ' +
    'G-single-item.',
  'G2-item': CYCLE + 'G2-item (anti-dependency cycle): a cycle with two or more rw edges. Needs --rw-deps.',
  'G0-realtime': CYCLE + 'G0 with at least one realtime edge. Always allowed, as G0 is.',
  'G1c-realtime': CYCLE + 'G1c with at least one realtime edge. Allowed when ww edges are inferred.',
  'G-single-realtime': CYCLE + 'G-single with at least one realtime edge. Needs --rw-deps.',
  'G2-item-realtime': CYCLE + 'G2-item with at least one realtime edge. Needs --rw-deps.',
  'cycle-search-timeout':
    'A strongly connected component of the dependency graph was too large to search for every kind of ' +
    'cycle within the budget: the kinds not yet searched may or may not be there (verdict unknown).',
} as const;

export type JepsenKafkaAnomaly = keyof typeof JEPSEN_KAFKA_ANOMALIES;
