// Bootstrap of the store writer thread: TypeScript sources run through tsx, as in bin/govsite.js.
import { register } from 'tsx/esm/api';

register();
await import('./writer-worker.ts');
