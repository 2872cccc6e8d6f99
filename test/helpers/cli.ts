// The real kafkasim binary, spawned as a user runs it: a few at a time side by side (each start loads
// tsx, about a second), and the README's promise for bad input checked in one place.
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { kafkasimBin } from './paths.ts';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Where the command runs: a scratch directory, so that a wrongly accepted case cannot write into the repository. */
  cwd?: string;
  /** Wall milliseconds before the command is killed (a hang then shows as status null). */
  timeoutMs?: number;
}

export function kafkasimAsync(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [kafkasimBin, ...args], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

/** Runs every argument vector, `parallel` at a time; results in the order given. */
export async function kafkasimAll(argvs: string[][], options: CliOptions = {}, parallel = 3): Promise<CliResult[]> {
  const results: CliResult[] = new Array<CliResult>(argvs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < argvs.length; i = next++) results[i] = await kafkasimAsync(argvs[i], options);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, argvs.length) }, worker));
  return results;
}

/** A stack trace's frame line, as Node prints one. */
export const STACK_FRAME = /\n\s+at /;

/** Bad input, as the README promises it: exit code 2 and one line on stderr naming the problem, no stack. */
export function expectUsageError(r: CliResult, message?: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  if (message !== undefined) expect(r.stderr).toMatch(message);
}
