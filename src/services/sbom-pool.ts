/**
 * Where SBOM parsing runs. Parsing and purl mapping of a large SBOM take seconds of CPU (100,000 components: 2.5 s
 * JSON, 5 s XML), and on the request thread they stalled every other request, /healthz and sign-in included. The
 * server parses in worker threads (piscina); the CLI and tests may parse in-process.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { DomainError, RateLimitedError, type ErrorCode } from '../domain/errors.ts';
import type { SbomUpload } from './inventory.service.ts';
import { prepareColumns, type PreparedColumns } from './workers/sbom-parse.task.ts';

export type { PreparedColumns } from './workers/sbom-parse.task.ts';

export interface SbomParser {
  prepare(upload: SbomUpload): Promise<PreparedColumns>;
  close(): Promise<void>;
}

/** Parses on the calling thread: for the CLI (nothing else is waiting) and for code that has no pool. */
export const inProcessSbomParser: SbomParser = {
  async prepare(upload) {
    return prepareColumns(upload);
  },
  async close() {},
};

const WORKER = new URL('./workers/sbom-parse.worker.mjs', import.meta.url);

/** A pool of worker threads; threads start on the first upload and end when idle, so an idle server holds none. */
export class SbomWorkerPool implements SbomParser {
  private readonly pool: Piscina;

  constructor(opts: { threads?: number } = {}) {
    // One core is left to the event loop and the database; at least one worker.
    const threads = opts.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    // A bounded queue: each waiting upload holds its body (up to 50 MiB) in memory, so past a few per thread the next
    // one is told to come back rather than queued without end.
    this.pool = new Piscina({ filename: WORKER.href, minThreads: 0, maxThreads: threads, idleTimeout: 30_000, maxQueue: threads * 4 });
  }

  async prepare(upload: SbomUpload): Promise<PreparedColumns> {
    let out: { ok: PreparedColumns } | { error: { code: string; message: string; details: Record<string, unknown> } };
    try {
      out = await this.pool.run(upload);
    } catch (err) {
      if ((err as Error).message === 'Task queue is at limit') throw new RateLimitedError(10, 'the server is parsing as many SBOMs as it can hold; retry the upload shortly');
      throw err;
    }
    if ('error' in out) throw new DomainError(out.error.code as ErrorCode, out.error.message, out.error.details);
    return out.ok;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
