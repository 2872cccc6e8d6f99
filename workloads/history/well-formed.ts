// The rules a history keeps, as Jepsen records one: a client process runs one op at a time, so each of
// its completions (ok, fail, info) answers the invocation before it and a second invocation waits for the
// first to complete; and a process's time never goes backwards. A history that breaks them was recorded
// wrongly or cut and pasted, and any verdict on it would be a verdict on something that never ran.
// Clients are the integer processes; the nemesis and other named actors record as they like (Jepsen's
// nemesis logs two infos per fault). Time is compared within a process only: Jepsen's worker threads
// stamp their own ops, so between processes the history's order and its times may disagree by a little
// (the Knossos corpus has such files, by up to a millisecond), and the order is what counts.
import { HistoryFormatError } from './errors.ts';
import { isClientProcess, type History, type ProcessId } from './format.ts';

/** Throws a HistoryFormatError naming the first op that breaks a rule. */
export function checkWellFormed(history: History): void {
  const open = new Map<number, number>();
  const lastOf = new Map<ProcessId, number>();
  for (let i = 0; i < history.length; i++) {
    const op = history[i];
    const at = `op ${i} (process ${JSON.stringify(op.process)}, ${op.type} ${op.f})`;
    const last = lastOf.get(op.process);
    if (last !== undefined && op.time < history[last].time) {
      throw new HistoryFormatError(
        `${at}: time goes backwards, ${op.time} ms after op ${last} of the same process at ${history[last].time} ms`,
      );
    }
    lastOf.set(op.process, i);
    if (!isClientProcess(op.process)) continue;
    const invoked = open.get(op.process);
    if (op.type === 'invoke') {
      if (invoked !== undefined)
        throw new HistoryFormatError(`${at}: a second invoke while op ${invoked} has not completed`);
      open.set(op.process, i);
    } else {
      if (invoked === undefined) throw new HistoryFormatError(`${at}: a completion with no invoke before it`);
      open.delete(op.process);
    }
  }
}
