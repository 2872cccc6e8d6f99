// The flags of fuzz worker processes (harness/fuzz/worker-flags.ts): V8's defaults while a core is idle, the
// busy-cores set when every core runs a worker, V8 11's tiering flags only on V8 11, and every flag one
// that this Node accepts (an unknown V8 flag makes `node` exit at once, which would fail every worker).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUSY_CORES_FLAGS, BUSY_CORES_V8_11_FLAGS, workerExecArgv } from '../../harness/fuzz/worker-flags.ts';

describe('fuzz worker flags', () => {
  it('keep V8 defaults while a core is idle', () => {
    expect(workerExecArgv(1, 2, '11.3.244.8')).toEqual(['--enable-source-maps']);
    expect(workerExecArgv(3, 4, '11.3.244.8')).toEqual(['--enable-source-maps']);
  });

  it('take the busy-cores set when every core runs a worker, tiering flags only on V8 11', () => {
    expect(workerExecArgv(2, 2, '11.3.244.8')).toEqual([
      '--enable-source-maps',
      ...BUSY_CORES_FLAGS,
      ...BUSY_CORES_V8_11_FLAGS,
    ]);
    expect(workerExecArgv(8, 2, '11.3.244.8')).toEqual([
      '--enable-source-maps',
      ...BUSY_CORES_FLAGS,
      ...BUSY_CORES_V8_11_FLAGS,
    ]);
    expect(workerExecArgv(2, 2, '12.4.254.21')).toEqual(['--enable-source-maps', ...BUSY_CORES_FLAGS]);
  });

  it('are all accepted by this Node', () => {
    const flags = workerExecArgv(64, 1);
    expect(flags).toContain('--single-threaded-gc');
    const r = spawnSync(process.execPath, [...flags, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
