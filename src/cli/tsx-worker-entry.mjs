// Worker threads started from the TypeScript sources (npm start, the tests) load the CLI through tsx
// again: Node 20 does not carry `--import tsx` loader hooks into worker threads. The bundle
// (npm run build) never uses this file; its workers start from the bundle itself.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
