// The txn workload (workloads/txn) under broker crashes (process or power loss, one every 8 s for 40 s), each seed
// alternating ZooKeeper and KRaft mode, judged by Jepsen's Kafka checker and the invariant monitor:
//   npx tsx bench/txn.ts <first seed> <count> [read_committed|read_uncommitted]
// read_committed must come out clean; read_uncommitted shows what isolation buys (G1a, precommitted-read).
import { checkJepsenKafka } from '../checkers/jepsen-kafka/index.ts';
import { InvariantMonitor } from '../checkers/invariants/index.ts';
import { KafkaCluster } from '../sim/kafka/cluster.ts';
import { clusterConfig } from '../sim/kafka/config.ts';
import { effectiveMinIsrOf } from '../sim/kafka/topics.ts';
import { HistoryRecorder } from '../workloads/history-recorder.ts';
import { TxnWorkload } from '../workloads/txn/index.ts';
const from = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 20);
const isolation = (process.argv[4] ?? 'read_committed') as 'read_committed' | 'read_uncommitted';
let bad = 0;
const totals = { ok: 0, fail: 0, info: 0 };
for (let seed = from; seed < from + count; seed++) {
  const metadata = seed % 2 === 0 ? 'kraft' : 'zk';
  const config = clusterConfig({
    partitions: 3,
    metadata,
    broker: { 'zookeeper.session.timeout.ms': 6000, 'replica.lag.time.max.ms': 10000, 'min.insync.replicas': 2 },
    kraft: { 'broker.heartbeat.interval.ms': 1000, 'broker.session.timeout.ms': 6000 },
    internalTopics: { enabled: ['__transaction_state'], 'transaction.state.log.num.partitions': 3 },
  });
  const cluster = new KafkaCluster({ seed, config });
  const world = cluster.world;
  const monitor = new InvariantMonitor(() => world.events + 1, {
    minInsyncReplicas: 2,
    replicationFactor: 3,
    effectiveMinIsrOf: (p) => effectiveMinIsrOf(config, p),
  });
  cluster.observe((e) => monitor.observe(e));
  const recorder = new HistoryRecorder(() => world.now);
  const rnd = world.stream('faults');
  const workload = new TxnWorkload(cluster, recorder, world.stream('txn-workload'), {
    isolation,
    transactionTimeoutMs: 10000,
  });
  cluster.start();
  world.runUntil(8000);
  workload.start();
  for (let t = 10_000; t < 50_000; t += 8000) {
    const b = rnd.int(0, 2);
    const at = t + rnd.int(0, 3000);
    world.at(at, () => world.crash(cluster.nodeOf(b), rnd.chance(0.5) ? 'lose-unsynced' : 'process'));
    world.at(at + rnd.int(2000, 7000), () => world.start(cluster.nodeOf(b)));
  }
  world.runUntil(60_000);
  workload.stop();
  world.runUntil(120_000);
  let complete: boolean | null = null;
  workload.finalReads(100, (c) => (complete = c));
  world.runUntil((w) => complete !== null || w.now > 200_000, { maxEvents: 20_000_000 });
  const r = checkJepsenKafka(recorder.history);
  totals.ok += workload.stats.ok;
  totals.fail += workload.stats.fail;
  totals.info += workload.stats.info;
  const v = monitor.violations.filter((x) => x.causedBy === null);
  if (r.anomalies.length > 0 || v.length > 0 || complete !== true) {
    bad++;
    console.log(
      seed,
      metadata,
      JSON.stringify(workload.stats),
      'final',
      complete,
      r.anomalies.map((a) => `${a.name}:${a.count}`).join(' '),
      v
        .slice(0, 3)
        .map((x) => `${x.invariant}: ${x.description}`)
        .join(' | '),
    );
  }
}
console.log(`seeds ${from}..${from + count - 1} (${isolation}): ${bad} bad; txns ${JSON.stringify(totals)}`);
