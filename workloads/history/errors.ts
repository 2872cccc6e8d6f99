// The one error the history codecs throw, so callers can tell bad input from a bug.

/** A history text that cannot be read. The message is one line: `line N: what is wrong`. */
export class HistoryFormatError extends Error {
  /** 1-based line of the input where the problem was found, when known. */
  readonly line: number | undefined;

  constructor(problem: string, line?: number) {
    // Reports and CLI output print the message on one line, so newlines inside it are flattened.
    const flat = problem.replace(/\s*\n\s*/g, ' ');
    super(line === undefined ? flat : `line ${line}: ${flat}`);
    this.name = 'HistoryFormatError';
    this.line = line;
  }
}
