// All checker benchmarks: linearizability over the Knossos histories, and the queue and durability
// checkers on a generated 1-million-op history.
import { benchLinearizable } from './checkers-linearizable.ts';
import { benchQueue } from './checkers-queue.ts';

await benchLinearizable();
await benchQueue();
