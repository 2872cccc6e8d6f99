// Jepsen's names for Kafka queue anomalies, with what each means in plain words for reports.

export const QUEUE_ANOMALIES = {
  'inconsistent-offsets':
    'Two different values were seen at the same offset of the same partition (by polls, or by a poll and a ' +
    'committed send). A partition is one log, so each offset holds exactly one record: replicas disagreed ' +
    'about the log, typically after a truncation followed by new writes at the same offsets.',
  duplicate:
    'The same value appeared at two different offsets of one partition. Values are sent once, so the log ' +
    'holds a record twice (for example a retried send without idempotence).',
  'lost-write':
    'An acknowledged send was never read, although reads of its partition reached offsets beyond it. ' +
    'Consumers passed over the place it was written, so the log no longer holds it: the write was lost.',
  unseen:
    'An acknowledged send was never read, and no read of its partition reached past its offset. The test ' +
    'claimed to read every partition to its end in a final phase, so the write is missing from the log.',
  G1a:
    'A value was read although the send that wrote it failed (aborted read): the client was told the ' +
    'record was not written, yet consumers saw it.',
  'poll-skip':
    'Between two successive polls of one consumer, with no reassignment or seek in between, its position ' +
    'jumped forward over offsets that hold records: the consumer never saw those records.',
  'nonmonotonic-poll':
    'Between two successive polls of one consumer, with no reassignment or seek in between, its position ' +
    'went backwards (or stood still on a record it had already received).',
  'int-poll-skip': 'Within a single poll, the records returned for one partition skip over offsets that hold records.',
  'int-nonmonotonic-poll': 'Within a single poll, the records returned for one partition go backwards in offset order.',
  'nonmonotonic-send':
    'One producer sent two records to the same partition, one after the other, and the later send was ' +
    "acknowledged at a lower offset than the earlier one: the log does not keep the producer's order.",
} as const;

export type QueueAnomalyName = keyof typeof QUEUE_ANOMALIES;
