// Worker-thread entry for the SBOM pool. Plain JavaScript on purpose: a server started by bin/clearinghouse.mjs
// registers tsx in its main thread only (workers inherit execArgv, not in-process loader hooks), so the worker
// registers tsx itself before importing the TypeScript task. Under `node --import tsx` the task would load without
// it; registering again there is harmless.
import { register } from 'tsx/esm/api';

register();
const task = await import('./sbom-parse.task.ts');
export default task.default;
