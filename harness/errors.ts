// Bad input — an option, a repro file, a seed range — is the user's to fix: the CLI prints the message as
// one line and exits 2, never a stack trace.

/** A problem with what the user typed or gave us (option, file, repro). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
