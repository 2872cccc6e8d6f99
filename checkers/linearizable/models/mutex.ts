// A lock: acquire is legal only when it is free, release only when it is held (by anyone: Knossos's
// mutex does not track owners).
import type { Op } from '../../../workloads/history/format.ts';
import { MalformedOperationError } from '../errors.ts';
import { ILLEGAL, type Illegal, type Model, type ModelCall } from '../model.ts';

export type MutexInput = 'acquire' | 'release';

function interpretMutexOp(invoke: Op): ModelCall<MutexInput, null> {
  if (invoke.f !== 'acquire' && invoke.f !== 'release') {
    throw new MalformedOperationError('mutex', invoke, 'an f of acquire or release');
  }
  return { input: invoke.f, output: null };
}

/** State: true while the lock is held. */
export function mutexModel(initiallyHeld = false): Model<boolean, MutexInput, null> {
  return {
    name: 'mutex',
    init: () => initiallyHeld,
    interpret: (invoke) => interpretMutexOp(invoke),
    step: (held: boolean, input: MutexInput): boolean | Illegal => {
      if (input === 'acquire') return held ? ILLEGAL : true;
      return held ? false : ILLEGAL;
    },
    hash: (held) => (held ? 1 : 2),
    equal: (a, b) => a === b,
    describeOperation: (input) => input,
    describeState: (held) => (held ? 'held' : 'free'),
  };
}
