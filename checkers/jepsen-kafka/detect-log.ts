// What the version orders alone show (jepsen.tests.kafka: version-orders :errors, duplicate-cases): offsets
// where two records were seen, and records seen at two offsets.
import { listWords } from '../queue/describe.ts';
import { AnomalyTally } from '../queue/tally.ts';
import { keyText, opPairsOf, valueOf, versionText, type Analysis } from './analysis.ts';
import { JEPSEN_KAFKA_ANOMALIES } from './explanations.ts';
import { NO_VERSION } from './txn-ops.ts';
import { versionsAt } from './version-orders.ts';

export function detectInconsistentOffsets(a: Analysis): AnomalyTally {
  const tally = new AnomalyTally('inconsistent-offsets', JEPSEN_KAFKA_ANOMALIES['inconsistent-offsets']);
  a.orders.logs.forEach((log, keyId) => {
    if (log.extra.size === 0) return;
    for (let index = 0; index < log.offsets.length; index++) {
      const offset = log.offsets[index];
      if (!log.extra.has(offset) || !tally.record()) continue;
      const versions = versionsAt(log, index);
      const values = versions.map((v) => valueOf(a, v));
      tally.examples.push({
        description:
          `Offset ${offset} of key ${keyText(a, keyId)} (index ${index} of its order) held ` +
          `${versions.length} different records: ${listWords(values)}.`,
        ops: opPairsOf(a, witnesses(a, versions, offset)),
        detail: { key: a.ops.versions.keys[keyId], offset, index, values },
      });
    }
  });
  return tally;
}

export function detectDuplicates(a: Analysis): AnomalyTally {
  const tally = new AnomalyTally('duplicate', JEPSEN_KAFKA_ANOMALIES.duplicate);
  const { offsetCount } = a.orders;
  for (let version = 0; version < offsetCount.length; version++) {
    if (offsetCount[version] < 2 || !tally.record()) continue;
    const keyId = a.ops.versions.keyOf[version];
    const log = a.orders.logs[keyId];
    const offsets: number[] = [];
    for (let i = a.orders.firstIndex[version]; i <= a.orders.lastIndex[version]; i++) {
      if (versionsAt(log, i).includes(version)) offsets.push(log.offsets[i]);
    }
    tally.examples.push({
      description: `Record ${versionText(a, version)} sits at ${offsets.length} offsets: ${offsets.join(', ')}.`,
      ops: opPairsOf(
        a,
        offsets.flatMap((offset) => witnesses(a, [version], offset)),
      ),
      detail: { key: a.ops.versions.key(version), value: valueOf(a, version), count: offsets.length, offsets },
    });
  }
  return tally;
}

/** For each version, the first op that saw it at `offset` (a poll, or a send that committed). */
function witnesses(a: Analysis, versions: readonly number[], offset: number): number[] {
  const { ops, commits } = a;
  const found: number[] = [];
  for (const version of versions) {
    for (let op = 0; op < ops.count; op++) {
      if (sawAt(a, op, version, offset, commits.committed[op] === 1)) {
        found.push(op);
        break;
      }
    }
  }
  return found;
}

function sawAt(a: Analysis, op: number, version: number, offset: number, committed: boolean): boolean {
  const { ops } = a;
  for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
    if (ops.readVersion[r] !== NO_VERSION && ops.readVersion[r] === version && ops.readOffset[r] === offset) {
      return true;
    }
  }
  if (!committed) return false;
  for (let w = ops.writeStart[op]; w < ops.writeStart[op + 1]; w++) {
    if (ops.writeVersion[w] === version && ops.writeOffset[w] === offset) return true;
  }
  return false;
}
