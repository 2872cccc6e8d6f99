// Counting one anomaly kind while keeping only its first few examples.
import { MAX_EXAMPLES, type Anomaly, type AnomalyExample } from '../result.ts';

export class AnomalyTally {
  count = 0;
  readonly examples: AnomalyExample[] = [];

  constructor(
    readonly name: string,
    readonly explanation: string,
  ) {}

  /** Counts one occurrence; true when the caller should also build an example for it. */
  record(): boolean {
    this.count++;
    return this.examples.length < MAX_EXAMPLES;
  }

  /** Counts one occurrence with its cause (kept in byCause); true when the caller should build an example. */
  recordCause(cause: string | null): boolean {
    if (cause !== null) this.byCause.set(cause, (this.byCause.get(cause) ?? 0) + 1);
    return this.record();
  }

  readonly byCause = new Map<string, number>();

  toAnomaly(): Anomaly {
    const anomaly: Anomaly = {
      name: this.name,
      count: this.count,
      explanation: this.explanation,
      examples: this.examples,
    };
    if (this.byCause.size > 0)
      anomaly.byCause = Object.fromEntries([...this.byCause].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    return anomaly;
  }
}

/** The anomalies that occurred, ordered by name (code-unit order, independent of locale). */
export function reportedAnomalies(tallies: AnomalyTally[]): Anomaly[] {
  return tallies
    .filter((t) => t.count > 0)
    .map((t) => t.toAnomaly())
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
