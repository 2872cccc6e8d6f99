// Errors for bad input: the CLI turns these into one clear line and exit code 2, never a stack trace.

/** An invalid seed, configuration value or schedule: the message names the field and the problem. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A simulated I/O failure (EIO, ENOSPC): the system under test must handle it, as on a real disk. */
export class DiskError extends Error {
  constructor(
    readonly code: 'EIO' | 'ENOSPC',
    message: string,
  ) {
    super(message);
    this.name = 'DiskError';
  }
}
