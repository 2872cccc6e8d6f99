// Jepsen's Kafka checker (jepsen.tests.kafka), with Elle's cycle search, over histories written in its form.
export { checkJepsenKafka } from './check.ts';
export { JEPSEN_KAFKA_ANOMALIES, type JepsenKafkaAnomaly } from './explanations.ts';
export { allowedKinds, resolveOptions, type JepsenKafkaOptions, type SubscribeVia } from './options.ts';
export { isTxnOp } from './txn-ops.ts';
