// Worker-thread entry for reading a large KEV catalogue off the request thread (src/services/kev-parse.ts). Plain
// JavaScript for the reason given in sbom-parse.worker.mjs: the worker registers tsx itself before importing TypeScript.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { parseKevCatalogue } = await import('../../formats/kev.ts');
try {
  parentPort.postMessage({ ok: parseKevCatalogue(Buffer.from(workerData.body)) });
} catch (err) {
  parentPort.postMessage({ error: { message: err instanceof Error ? err.message : String(err), details: err?.details ?? {}, invalid: err?.code === 'invalid-input' } });
}
