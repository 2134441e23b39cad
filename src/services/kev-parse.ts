/**
 * Where a KEV catalogue is parsed and validated. CISA's catalogue is ~1.3 MB today (JSON parse and schema check take
 * ~15 ms); a body near the 16 MiB cap would hold the event loop for a few hundred ms, stalling every other request.
 * Bodies above SMALL are read in a one-off worker thread (imports are rare: a pool would sit idle), with a time cap.
 */
import { Worker } from 'node:worker_threads';
import { InvalidInputError } from '../domain/errors.ts';
import { parseKevCatalogue, type KevCatalogue } from '../formats/kev.ts';

const SMALL = 256 * 1024;
const TIME_LIMIT_MS = 30_000;
const WORKER = new URL('./workers/kev-parse.worker.mjs', import.meta.url);

type Answer = { ok: KevCatalogue } | { error: { message: string; details: Record<string, unknown>; invalid: boolean } };

export async function readKevCatalogue(body: Buffer | string): Promise<KevCatalogue> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (bytes.length <= SMALL) return parseKevCatalogue(bytes);
  const answer = await new Promise<Answer>((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { body: bytes } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new InvalidInputError(`the KEV catalogue could not be read within ${TIME_LIMIT_MS / 1000} s`, { field: 'catalogue' }));
    }, TIME_LIMIT_MS);
    worker.once('message', (m: Answer) => {
      clearTimeout(timer);
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  if ('ok' in answer) return answer.ok;
  if (answer.error.invalid) throw new InvalidInputError(answer.error.message, answer.error.details);
  throw new Error(answer.error.message);
}
