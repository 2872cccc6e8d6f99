// A client process on its own node: a request channel (Kafka's NetworkClient), a metadata cache
// (Metadata), and a producer (KafkaProducer) and/or a consumer (KafkaConsumer). The workload drives it;
// responses from brokers arrive through onMessage.
import type { NodeContext, Program } from '../../world/node.ts';
import type { ConsumerConfig, ProducerConfig } from '../config.ts';
import { CONSUMER_DEFAULTS, PRODUCER_DEFAULTS } from '../config.ts';
import type { KafkaResponse } from '../messages.ts';
import { isKafkaMessage } from '../messages.ts';
import type { KafkaBehaviours } from '../protocol.ts';
import { RequestChannel } from '../request-channel.ts';
import { Consumer } from './consumer.ts';
import { ClientMetadata } from './metadata.ts';
import { CONNECTION_SETUP_TIMEOUT_MS, Producer } from './producer.ts';
import type { TransactionalConfig } from './transactional-producer.ts';
import { TransactionalProducer } from './transactional-producer.ts';
import type { CoordinatorTransport, GroupConsumerConfig } from './consumer-coordinator.ts';
import { groupConsumerDefaults } from './consumer-coordinator.ts';
import type { FindCoordinatorResponse } from '../coordinator-messages.ts';
import type { GroupResponse } from '../group/group-messages.ts';
import { groupBehaviours } from '../group/group-behaviours.ts';
import { NEWEST_RELEASE } from '../releases.ts';

export interface ClientOptions {
  bootstrap: string[];
  producer?: Partial<ProducerConfig>;
  consumer?: Partial<ConsumerConfig>;
  /** The release's behaviours: the clients follow those of the producer and the consumer. */
  protocol: KafkaBehaviours;
  /** The release (its version), for the group protocol's changes (group-behaviours.ts). */
  kafka?: string;
  /** Group settings of a subscribing consumer, over the release's defaults. */
  group?: Partial<GroupConsumerConfig>;
}

export class KafkaClient implements Program {
  readonly channel: RequestChannel;
  readonly metadata: ClientMetadata;
  readonly producer: Producer;
  readonly consumer: Consumer;
  private readonly producerConfig: ProducerConfig;
  private readonly bootstrap: string[];

  private nextLookup = 0;

  constructor(
    readonly ctx: NodeContext,
    private readonly options: ClientOptions,
  ) {
    this.channel = new RequestChannel(ctx);
    const producerConfig = { ...PRODUCER_DEFAULTS, ...(options.producer ?? {}) };
    this.producerConfig = producerConfig;
    this.bootstrap = options.bootstrap;
    const consumerConfig = { ...CONSUMER_DEFAULTS, ...(options.consumer ?? {}) };
    this.metadata = new ClientMetadata(
      this.channel,
      options.bootstrap,
      Math.min(producerConfig['request.timeout.ms'], consumerConfig['request.timeout.ms'], CONNECTION_SETUP_TIMEOUT_MS),
    );
    const setTimer = (ms: number, fn: () => void) => ctx.setTimer(ms, fn);
    this.producer = new Producer(
      this.channel,
      this.metadata,
      producerConfig,
      options.protocol,
      () => ctx.now(),
      setTimer,
      options.bootstrap,
    );
    this.consumer = new Consumer(this.channel, this.metadata, consumerConfig, options.protocol, setTimer);
  }

  /**
   * A transactional producer on this client's connections (KafkaProducer with transactional.id): its producer settings
   * are this client's, and it replaces none of the others.
   */
  transactionalProducer(txn: TransactionalConfig): TransactionalProducer {
    return new TransactionalProducer(
      this.channel,
      this.metadata,
      this.producerConfig,
      txn,
      (ms, fn) => this.ctx.setTimer(ms, fn),
      this.bootstrap,
      () => this.ctx.now(),
      groupBehaviours(this.options.kafka ?? NEWEST_RELEASE).kip447,
      // transaction.version 2 (KIP-890 part 2), which the client learns from ApiVersions' finalized features.
      this.options.protocol.kip890p2 && this.options.protocol.kip890p2Add,
    );
  }

  /**
   * KafkaConsumer.subscribe to the partitions of the topic, in group `group.id`; the coordinator is found with
   * FindCoordinator (AbstractCoordinator.lookupCoordinator, to the bootstrap brokers in turn).
   */
  subscribe(partitions: number[]): void {
    const behaviours = groupBehaviours(this.options.kafka ?? NEWEST_RELEASE);
    // One request.timeout.ms and retry.backoff.ms for all the consumer's requests, group ones included.
    const consumer = { ...CONSUMER_DEFAULTS, ...(this.options.consumer ?? {}) };
    const config = {
      ...groupConsumerDefaults(behaviours, this.ctx.id),
      'request.timeout.ms': consumer['request.timeout.ms'],
      'retry.backoff.ms': consumer['retry.backoff.ms'],
      ...(this.options.group ?? {}),
    };
    const timeoutMs = config['request.timeout.ms'];
    const bootstrap = this.options.bootstrap;
    const transport: CoordinatorTransport = {
      findCoordinator: (groupId, done) => {
        const target = bootstrap[this.nextLookup++ % bootstrap.length];
        const body = { type: 'FindCoordinator' as const, keyType: 'GROUP' as const, key: groupId };
        this.channel.send<FindCoordinatorResponse>(target, body, timeoutMs, (r) =>
          done(r !== null && r.error === 'NONE' ? r.nodeId : null),
        );
      },
      send: (broker, body, ms, done) => this.channel.send<GroupResponse>(`b${broker}`, body, ms, done),
    };
    this.consumer.subscribe({ partitions, config, behaviours, transport, now: () => this.ctx.now() });
  }

  onMessage(_from: string, msg: unknown): void {
    if (isKafkaMessage(msg)) this.channel.complete(msg as KafkaResponse);
  }
}
