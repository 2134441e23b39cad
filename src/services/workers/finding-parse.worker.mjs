// Worker-thread entry for the findings parse pool (finding-parse.pool.ts). Plain JavaScript for the reason given in
// sbom-parse.worker.mjs: a server started by bin/clearinghouse.mjs registers tsx in its main thread only, so the worker
// registers it itself before importing the TypeScript task.
import { register } from 'tsx/esm/api';

register();
const task = await import('./finding-parse.task.ts');
export default task.default;
