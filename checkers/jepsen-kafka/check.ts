// Jepsen's Kafka checker (jepsen.tests.kafka/checker) over one history: the version orders, the anomalies
// they show, and the cycles of the dependency graph. Anomalies the configuration allows are reported apart
// (`allowed`), as Jepsen lists them in :error-types but not in :bad-error-types.
import type { History } from '../../workloads/history/format.ts';
import { reportedAnomalies, AnomalyTally } from '../queue/tally.ts';
import type { CheckResult } from '../result.ts';
import { analyse } from './analysis.ts';
import { searchCycles } from './cycles.ts';
import { dependencyGraph } from './dependencies.ts';
import { detectInternalPolls, detectInternalSends } from './detect-internal.ts';
import { detectDuplicates, detectInconsistentOffsets } from './detect-log.ts';
import { detectProcessOrder } from './detect-process.ts';
import { detectAbortedReads, detectLostWrites, detectPrecommittedReads, detectUnseen } from './detect-reads.ts';
import { explainCycle } from './explain-cycle.ts';
import { JEPSEN_KAFKA_ANOMALIES } from './explanations.ts';
import { allowedKinds, resolveOptions, type JepsenKafkaOptions } from './options.ts';

export function checkJepsenKafka(history: History, options: JepsenKafkaOptions = {}): CheckResult {
  const resolved = resolveOptions(options);
  const a = analyse(history);
  const polls = detectInternalPolls(a);
  const sends = detectInternalSends(a);
  const order = detectProcessOrder(a);
  const tallies: AnomalyTally[] = [
    detectInconsistentOffsets(a),
    detectDuplicates(a),
    detectAbortedReads(a),
    detectPrecommittedReads(a),
    detectLostWrites(a),
    detectUnseen(a),
    polls.skip,
    polls.nonmonotonic,
    sends.skip,
    sends.nonmonotonic,
    order.pollSkip,
    order.nonmonotonicPoll,
    order.nonmonotonicSend,
  ];
  const graph = dependencyGraph(a, resolved);
  const search = searchCycles(graph, resolved.rwDeps, resolved.cycleSearchBudget, a.arena);
  const cycles = new Map<string, AnomalyTally>();
  for (const found of search.found) {
    let tally = cycles.get(found.kind);
    if (tally === undefined)
      cycles.set(found.kind, (tally = new AnomalyTally(found.kind, JEPSEN_KAFKA_ANOMALIES[found.kind])));
    if (tally.record()) tally.examples.push(explainCycle(a, graph, found));
  }
  tallies.push(...cycles.values());
  const allowed = allowedKinds(resolved);
  const findings = reportedAnomalies(tallies.filter((t) => !allowed.has(t.name)));
  const allowedFound = reportedAnomalies(tallies.filter((t) => allowed.has(t.name)));
  const timeouts = timeoutNote(search.timeouts);
  return {
    checker: 'jepsen-kafka',
    valid: findings.length > 0 ? false : timeouts.count > 0 ? 'unknown' : true,
    anomalies: findings,
    ...(allowedFound.length > 0 ? { allowed: allowedFound } : {}),
    ...(timeouts.count > 0 ? { notes: [timeouts.toAnomaly()] } : {}),
    stats: {
      ops: a.ops.count,
      keys: a.ops.versions.keys.length,
      versions: a.ops.versions.count,
      sends: a.ops.writeVersion.length,
      recordsPolled: a.ops.readVersion.length,
      edges: graph.target.length,
      components: search.components,
      largestComponent: search.largest,
      arrayMiB: Math.round(a.arena.allocated / 2 ** 20),
    },
  };
}

function timeoutNote(sizes: number[]): AnomalyTally {
  const tally = new AnomalyTally('cycle-search-timeout', JEPSEN_KAFKA_ANOMALIES['cycle-search-timeout']);
  for (const size of sizes) {
    if (tally.record()) {
      tally.examples.push({
        description: `A component of ${size} ops was not searched for every kind of cycle.`,
        ops: [],
        detail: { size },
      });
    }
  }
  return tally;
}
