// Jepsen's process discipline, checked over a recorded history: every client process runs one op at a time
// and is never heard from again once an op of its ended in info.
import { expect } from 'vitest';
import { isClientProcess, type History, type Op, type ProcessId } from '../../workloads/history/format.ts';

export function expectProcessDiscipline(history: History): void {
  const open = new Map<ProcessId, Op>();
  const retired = new Set<ProcessId>();
  for (const op of history) {
    if (!isClientProcess(op.process)) continue;
    expect(retired.has(op.process), `process ${op.process} acts after it was retired (op ${op.index})`).toBe(false);
    if (op.type === 'invoke') {
      expect(open.has(op.process), `process ${op.process} invokes twice (op ${op.index})`).toBe(false);
      open.set(op.process, op);
      continue;
    }
    expect(open.get(op.process)?.f).toBe(op.f);
    open.delete(op.process);
    if (op.type === 'info') retired.add(op.process);
  }
}
