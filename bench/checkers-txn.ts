// Jepsen's Kafka checker on large transactional histories (issue 21): 100,000 and 1,000,000 transactions
// (each an invocation and a completion) of up to 4 sends and polls over 32 keys, from 10 concurrent clients,
// with aborted and crashed transactions, serializable by construction (test/helpers/txn-histories.ts), so
// the dependency graph has no cycle and the figures are those of the linear path: decoding, version orders,
// every detector, the graph and its strongly connected components. The -rw cases add rw edges; the
// -cycles case plants 1,000 future reads (test/helpers/txn-histories.ts), each closing a G1c-realtime
// cycle, so that the search meets many small components (without ww edges, so that each is a finding).
// Each case runs in its own process so its peak memory is its own.
// Run: npx tsx bench/checkers-txn.ts  (one case: npx tsx bench/checkers-txn.ts --case txn-1m)
import { pathToFileURL } from 'node:url';
import { checkJepsenKafka, type JepsenKafkaOptions } from '../checkers/jepsen-kafka/index.ts';
import { generateTxnHistory, plantFutureReads } from '../test/helpers/txn-histories.ts';
import type { History } from '../workloads/history/format.ts';
import { measure, runCases } from './each-case.ts';

const MIB = 1024 * 1024;

function txnHistory(ops: number): History {
  return generateTxnHistory({
    seed: `bench-txn-${ops}`,
    ops,
    clients: 10,
    keys: 32,
    maxTxnLength: 4,
    failRate: 0.01,
    infoRate: 0.005,
    meanThink: 2,
    meanDuration: 3,
  });
}

const CASES: Record<string, { history: () => History; options: JepsenKafkaOptions }> = {
  'txn-100k': { history: () => txnHistory(100_000), options: {} },
  'txn-1m': { history: () => txnHistory(1_000_000), options: {} },
  'txn-100k-rw': { history: () => txnHistory(100_000), options: { rwDeps: true } },
  'txn-1m-rw': { history: () => txnHistory(1_000_000), options: { rwDeps: true } },
  'txn-1m-cycles': { history: () => plantFutureReads(txnHistory(1_000_000), 1000), options: { wwDeps: false } },
};

async function runCase(name: string): Promise<void> {
  const c = CASES[name];
  const history = c.history();
  const { value: result, seconds, peak, before } = await measure(() => checkJepsenKafka(history, c.options));
  const found = [...result.anomalies, ...(result.allowed ?? [])].map((a) => `${a.name}×${a.count}`).join(' ');
  console.log(
    `${name.padEnd(14)} ${String(history.length).padStart(9)} events  ${seconds.toFixed(2).padStart(6)} s  ` +
      `valid=${String(result.valid).padEnd(7)} peak rss ${(peak / MIB).toFixed(0)} MiB ` +
      `(+${((peak - before) / MIB).toFixed(0)} MiB over the history)  ${found || 'nothing found'}`,
  );
  console.log(`${''.padEnd(14)} ${JSON.stringify(result.stats ?? {})}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCases(process.argv[1], Object.keys(CASES), runCase, 12288);
}
