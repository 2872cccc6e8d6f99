// Hand-written Kafka histories in Jepsen's EDN form, one op per line (a line not starting an op continues the
// one before): `process type f value`, e.g.
//   0 invoke send [[:send :x :a]]
//   0 ok     send [[:send :x [0 :a]]]
// The lines become op maps ({:process 0, :type :invoke, :f :send, :value [...]}) read by the real EDN
// reader, so tests see keys and values exactly as Jepsen writes them. A line may end with `| extra EDN`
// (e.g. `| :rebalance-log [{:keys [:x]}]`), added to the op map as it is.
import { checkJepsenKafka, type JepsenKafkaOptions } from '../../checkers/jepsen-kafka/index.ts';
import type { Anomaly, CheckResult } from '../../checkers/result.ts';
import { readEdnHistory } from '../../workloads/history/edn.ts';
import type { History } from '../../workloads/history/format.ts';

export function jepsenEdn(text: string): string {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    // A line that does not start an op (`process type f ...`) continues the one before.
    if (/^\S+\s+(invoke|ok|fail|info)\s/.test(line) || lines.length === 0) lines.push(line);
    else lines[lines.length - 1] += ` ${line}`;
  }
  const ops = lines.map((line, i) => {
    const [body, extra] = line.split('|');
    const match = /^(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(body.trim());
    if (match === null) throw new Error(`bad history line: ${line}`);
    const [, process, type, f, value] = match;
    const p = /^\d+$/.test(process) ? process : `:${process}`;
    const more = extra === undefined ? '' : `, ${extra.trim()}`;
    const head = `{:index ${i}, :time ${i * 1_000_000}, :process ${p}, :type :${type}, :f :${f}`;
    return `${head}, :value ${value || 'nil'}${more}}`;
  });
  return `[${ops.join('\n ')}]`;
}

export function jepsenHistory(text: string): History {
  return readEdnHistory(jepsenEdn(text));
}

export function checkEdn(text: string, options: JepsenKafkaOptions = {}): CheckResult {
  return checkJepsenKafka(jepsenHistory(text), options);
}

/** Every anomaly the check found, findings and allowed ones, by name. */
export function found(result: CheckResult): Map<string, Anomaly> {
  return new Map([...result.anomalies, ...(result.allowed ?? [])].map((a) => [a.name, a]));
}

/** name → count of everything found (findings and allowed), for asserting exactly what was and was not. */
export function counts(result: CheckResult): Record<string, number> {
  return Object.fromEntries([...found(result)].map(([name, a]) => [name, a.count]));
}
