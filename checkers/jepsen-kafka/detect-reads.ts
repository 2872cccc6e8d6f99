// Anomalies about which records were read (jepsen.tests.kafka: g1a-cases, precommitted-read-cases,
// lost-write-cases, unseen): a failed send read, a transaction reading its own send, and committed sends
// that ok polls never returned.
import { AnomalyTally } from '../queue/tally.ts';
import { keyText, opPairOf, opPairsOf, opText, valueOf, versionText, type Analysis } from './analysis.ts';
import { JEPSEN_KAFKA_ANOMALIES } from './explanations.ts';
import { NO_VERSION, OK } from './txn-ops.ts';

/** G1a: an ok poll returned a record that a failed op sent. */
export function detectAbortedReads(a: Analysis): AnomalyTally {
  const tally = new AnomalyTally('G1a', JEPSEN_KAFKA_ANOMALIES.G1a);
  const { ops, commits } = a;
  for (let op = 0; op < ops.count; op++) {
    if (ops.type[op] !== OK) continue;
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
      const version = ops.readVersion[r];
      if (version === NO_VERSION || commits.failedSent[version] !== 1 || !tally.record()) continue;
      const writer = commits.writer[version];
      tally.examples.push({
        description: `${opText(a, op)} polled ${versionText(a, version)}, which ${opText(a, writer)} sent.`,
        ops: opPairsOf(a, [writer, op]),
        detail: { key: a.ops.versions.key(version), value: valueOf(a, version) },
      });
    }
  }
  return tally;
}

/** precommitted-read: an op (of any outcome) polled a record it sent itself. One case per op, as Jepsen. */
export function detectPrecommittedReads(a: Analysis): AnomalyTally {
  const tally = new AnomalyTally('precommitted-read', JEPSEN_KAFKA_ANOMALIES['precommitted-read']);
  const { ops } = a;
  const sentBy = a.arena.int32(ops.versions.count).fill(-1);
  for (let op = 0; op < ops.count; op++) {
    for (let w = ops.writeStart[op]; w < ops.writeStart[op + 1]; w++) sentBy[ops.writeVersion[w]] = op;
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
      const version = ops.readVersion[r];
      if (version === NO_VERSION || sentBy[version] !== op) continue;
      if (tally.record()) {
        tally.examples.push({
          description: `${opText(a, op)} sent ${versionText(a, version)} and polled it back in the same op.`,
          ops: opPairOf(a, op),
          detail: { key: a.ops.versions.key(version), value: valueOf(a, version) },
        });
      }
      break;
    }
  }
  return tally;
}

/**
 * lost-write: per key, ok polls reached dense index `bound` (the latest first appearance of anything they
 * returned); every record whose last appearance is at or before it should have been returned by some ok poll.
 * Those that never were, and that an op which must have committed sent, were lost.
 */
export function detectLostWrites(a: Analysis): AnomalyTally {
  const tally = new AnomalyTally('lost-write', JEPSEN_KAFKA_ANOMALIES['lost-write']);
  const { ops, commits, orders } = a;
  ops.versions.keys.forEach((_, keyId) => {
    const versions = ops.versions.ofKey(keyId);
    let bound = -1;
    let boundVersion = -1;
    for (const v of versions) {
      if (commits.okRead[v] === 1 && orders.firstIndex[v] > bound) {
        bound = orders.firstIndex[v];
        boundVersion = v;
      }
    }
    if (bound < 0) return;
    for (const v of versions) {
      const last = orders.lastIndex[v];
      const writer = commits.writer[v];
      if (last < 0 || last > bound || commits.okRead[v] === 1) continue;
      if (writer < 0 || commits.committed[writer] !== 1 || !tally.record()) continue;
      const reader = firstOkReader(a, boundVersion);
      tally.examples.push({
        description:
          `${versionText(a, v)} (index ${orders.firstIndex[v]} of the order), sent by ${opText(a, writer)}, ` +
          `was never polled by an ok op, although ok polls of key ${keyText(a, keyId)} reached index ${bound} ` +
          `(${versionText(a, boundVersion)}${reader < 0 ? '' : `, polled by ${opText(a, reader)}`}).`,
        ops: opPairsOf(a, [writer, reader]),
        detail: { key: ops.versions.keys[keyId], value: valueOf(a, v), index: orders.firstIndex[v], bound },
      });
    }
  });
  return tally;
}

function firstOkReader(a: Analysis, version: number): number {
  const { ops } = a;
  for (let op = 0; op < ops.count; op++) {
    if (ops.type[op] !== OK) continue;
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) if (ops.readVersion[r] === version) return op;
  }
  return -1;
}

/** unseen: a record an ok op sent that no ok poll ever returned (lost writes included). */
export function detectUnseen(a: Analysis): AnomalyTally {
  const tally = new AnomalyTally('unseen', JEPSEN_KAFKA_ANOMALIES.unseen);
  const { commits } = a;
  for (let v = 0; v < commits.okSent.length; v++) {
    if (commits.okSent[v] !== 1 || commits.okRead[v] === 1 || !tally.record()) continue;
    const writer = commits.writer[v];
    tally.examples.push({
      description: `${versionText(a, v)}, sent by ${opText(a, writer)}, was never returned by an ok poll.`,
      ops: opPairOf(a, writer),
      detail: { key: a.ops.versions.key(v), value: valueOf(a, v) },
    });
  }
  return tally;
}
