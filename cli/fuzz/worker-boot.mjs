// The entry of a fuzz worker thread: registers tsx's loader, as bin/kafkasim.js does, then loads the
// TypeScript worker. Plain JavaScript because nothing can load TypeScript before this runs (on Node 20,
// `execArgv: ['--import', 'tsx']` does not apply to a worker's own entry file).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
