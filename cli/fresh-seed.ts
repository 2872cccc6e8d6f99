// A fresh seed when the user gives none. Real randomness is fine here: the cli is outside the world,
// and the seed is printed so the run can be replayed.
import { randomInt } from 'node:crypto';

export function freshSeed(): number {
  return randomInt(0, 2 ** 31);
}
