// Power loss across the whole cluster: every broker's machine goes down at once, so each loses what it had
// not flushed (per the crash mode: all of it, a random part, or a torn last write), then comes back at stop
// together or one by one in an order with gaps (KIP-101's double power loss needs the replica that lost
// the most to come back first). With flush.messages at its default (never), Kafka acknowledges records
// no disk holds yet, so this fault can lose acknowledged writes by design; flush.messages=1 prevents it.
import fc from 'fast-check';
import { POWER_LOSS_MODES } from '../../sim/world/disk.ts';
import type { CrashMode } from '../../sim/world/disk.ts';
import type { FaultKindModule } from '../kind.ts';
import { orderArbitrary } from '../restart-order.ts';
import { killAllKind, type KillAllApplied, type KillAllParams } from './kill-all.ts';

export const powerLossKind: FaultKindModule<KillAllParams, KillAllApplied> = {
  ...killAllKind,
  kind: 'power-loss',
  summary: 'power loss on every broker (unflushed data lost per crash mode), restart them at stop in an order',
  generate: (random, shape, intensity) => ({
    ...killAllKind.generate(random, shape, intensity),
    mode: random.pick(POWER_LOSS_MODES),
  }),
  arbitrary: (shape) =>
    fc.record({
      mode: fc.constantFrom<CrashMode>(...POWER_LOSS_MODES),
      order: orderArbitrary(shape),
      gapMs: fc.integer({ min: 0, max: 20000 }),
    }),
};
