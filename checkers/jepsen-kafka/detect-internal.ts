// Anomalies inside one op (jepsen.tests.kafka: int-poll-skip+nonmonotonic-cases,
// int-send-skip+nonmonotonic-cases): successive records one op polled from a key (across all its polls),
// or successive records it sent to a key, must be neighbours in the key's version order. Where the order
// does not place one of the two, nothing is claimed, as in Jepsen.
import { listWords } from '../queue/describe.ts';
import { AnomalyTally } from '../queue/tally.ts';
import { keyText, opPairOf, opText, valueOf, versionsBetween, type Analysis } from './analysis.ts';
import { JEPSEN_KAFKA_ANOMALIES } from './explanations.ts';
import { NO_VERSION } from './txn-ops.ts';

export interface InternalTallies {
  skip: AnomalyTally;
  nonmonotonic: AnomalyTally;
}

export function detectInternalPolls(a: Analysis): InternalTallies {
  const tallies = {
    skip: new AnomalyTally('int-poll-skip', JEPSEN_KAFKA_ANOMALIES['int-poll-skip']),
    nonmonotonic: new AnomalyTally('int-nonmonotonic-poll', JEPSEN_KAFKA_ANOMALIES['int-nonmonotonic-poll']),
  };
  const { ops } = a;
  const pairs = new PairWalker(a, tallies, 'polled');
  for (let op = 0; op < ops.count; op++) {
    // A consumer-group rebalance during the op may move its position on the keys it names.
    const rebalanced = ops.rebalanced.get(op);
    pairs.begin(op);
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
      const version = ops.readVersion[r];
      if (version === NO_VERSION || rebalanced?.has(ops.readKey[r]) === true) continue;
      pairs.next(ops.readKey[r], version);
    }
  }
  return tallies;
}

export function detectInternalSends(a: Analysis): InternalTallies {
  const tallies = {
    skip: new AnomalyTally('int-send-skip', JEPSEN_KAFKA_ANOMALIES['int-send-skip']),
    nonmonotonic: new AnomalyTally('int-nonmonotonic-send', JEPSEN_KAFKA_ANOMALIES['int-nonmonotonic-send']),
  };
  const { ops } = a;
  const { keyOf } = ops.versions;
  const pairs = new PairWalker(a, tallies, 'sent');
  for (let op = 0; op < ops.count; op++) {
    pairs.begin(op);
    for (let w = ops.writeStart[op]; w < ops.writeStart[op + 1]; w++) {
      pairs.next(keyOf[ops.writeVersion[w]], ops.writeVersion[w]);
    }
  }
  return tallies;
}

/** Walks one op's versions key by key, comparing each with the previous one of the same key. */
class PairWalker {
  /** keyId → the op that last touched it (so arrays are never cleared between ops), and its last version. */
  private readonly stamp: Int32Array;
  private readonly previous: Int32Array;
  private op = -1;

  constructor(
    private readonly a: Analysis,
    private readonly tallies: InternalTallies,
    private readonly verb: string,
  ) {
    this.stamp = new Int32Array(a.ops.versions.keys.length).fill(-1);
    this.previous = new Int32Array(a.ops.versions.keys.length);
  }

  begin(op: number): void {
    this.op = op;
  }

  next(keyId: number, version: number): void {
    const first = this.stamp[keyId] !== this.op;
    const previous = this.previous[keyId];
    this.stamp[keyId] = this.op;
    this.previous[keyId] = version;
    if (first) return;
    const { indexOf } = this.a.orders;
    const i1 = indexOf[previous];
    const i2 = indexOf[version];
    if (i1 < 0 || i2 < 0 || i2 - i1 === 1) return;
    const skip = i2 - i1 > 1;
    const tally = skip ? this.tallies.skip : this.tallies.nonmonotonic;
    if (!tally.record()) return;
    const values = [valueOf(this.a, previous), valueOf(this.a, version)];
    const skipped = skip ? versionsBetween(this.a, keyId, i1, i2).map((v) => valueOf(this.a, v)) : [];
    tally.examples.push({
      description:
        `${opText(this.a, this.op)} ${this.verb} ${listWords(values)} of key ${keyText(this.a, keyId)} one after ` +
        `the other, at indices ${i1} and ${i2} of its order` +
        (skip ? `, skipping ${listWords(skipped)}${i2 - i1 - 1 > skipped.length ? ' and more' : ''}.` : '.'),
      ops: opPairOf(this.a, this.op),
      detail: { key: this.a.ops.versions.keys[keyId], values, delta: i2 - i1, ...(skip ? { skipped } : {}) },
    });
  }
}
