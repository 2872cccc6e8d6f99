#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so there is no build step between an edit and a run.
import { spawn } from 'node:child_process';
import { register } from 'tsx/esm/api';

// `fuzz` keeps every core busy with its own worker thread, so V8's parallel and concurrent GC threads only
// contend with them: with single-threaded GC, --jobs 2 ran 99 steady seeds/s instead of 89 on 2 cores
// (bench/fuzz.ts). V8 flags are per process, so fuzz re-executes itself with the flag, passing signals on.
const SINGLE_THREADED_GC = '--single-threaded-gc';
if (process.argv[2] === 'fuzz' && !process.execArgv.includes(SINGLE_THREADED_GC)) {
  const child = spawn(process.execPath, [SINGLE_THREADED_GC, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
} else {
  register();
  await import('../cli/main.ts');
}
