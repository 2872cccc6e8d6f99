// The entry of a fuzz worker process when its bundle cannot be built (worker-bundle.ts): registers tsx's
// loader, as bin/kafkasim.js does, then loads the TypeScript worker. Plain JavaScript because nothing can
// load TypeScript before this runs.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
