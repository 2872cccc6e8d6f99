// The models Knossos's example histories are checked with, by the names its expected.tsv uses.
import type { AnyModel } from './model.ts';
import { casRegisterModel } from './models/register.ts';
import { multiRegisterModel } from './models/multi-register.ts';
import { mutexModel } from './models/mutex.ts';

export type KnossosModelName = 'cas-register' | 'multi-register' | 'mutex';

/** cas-register starts at 0, multi-register at {x: 0, y: 0}, the mutex free. */
export function knossosModel(name: KnossosModelName): AnyModel {
  switch (name) {
    case 'cas-register':
      return casRegisterModel(0);
    case 'multi-register':
      return multiRegisterModel({ x: 0, y: 0 });
    case 'mutex':
      return mutexModel(false);
  }
}

export function isKnossosModelName(name: string): name is KnossosModelName {
  return name === 'cas-register' || name === 'multi-register' || name === 'mutex';
}
