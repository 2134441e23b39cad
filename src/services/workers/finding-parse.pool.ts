/**
 * Where uploaded finding documents are parsed. JSON parse and schema validation of a 20 MiB SARIF log take seconds of
 * CPU; on the request thread they would stall every other request (sign-in and /healthz included). The server parses
 * in worker threads (piscina), each parse capped in time; the CLI parses in-process (nothing else is waiting).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { DomainError, InvalidInputError, RateLimitedError } from '../../domain/errors.ts';
import { CsafDeferredError } from '../../formats/finding-documents.ts';
import run, { parseFindingUpload, TooManyFindingsError, UPLOAD_LIMITS, type ParseInput, type ParseOutput } from './finding-parse.task.ts';

export interface FindingParser {
  parse(input: ParseInput): Promise<ParseOutput>;
  close(): Promise<void>;
}

function unwrap(answer: Awaited<ReturnType<typeof run>>): ParseOutput {
  if ('tooMany' in answer) {
    throw new DomainError('payload-too-large', `the upload holds more than ${answer.tooMany} findings, the most one request may carry; split it into several uploads`, { limit: answer.tooMany, field: 'findings' });
  }
  return answer.ok;
}

export const inProcessFindingParser: FindingParser = {
  async parse(input) {
    return unwrap(await run(input));
  },
  async close() {},
};

const WORKER = new URL('./finding-parse.worker.mjs', import.meta.url);

/**
 * Bodies up to this size are parsed on the calling thread: a 256 KiB document parses and validates in a few
 * milliseconds, while handing it to a worker costs a copy each way (and, the first time, seconds of thread start).
 */
export const IN_PROCESS_BYTES = 256 * 1024;
const bytesOf = (input: ParseInput) => (input.kind === 'zip' ? input.body.byteLength : input.files.reduce((n, f) => n + f.body.byteLength, 0));

/** Threads start on the first upload and end when idle, so an idle server holds none. */
export class FindingParsePool implements FindingParser {
  private readonly pool: Piscina;

  constructor(opts: { threads?: number } = {}) {
    const threads = opts.threads ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    // Each waiting upload holds its body (up to 64 MiB): past a few per thread the next is told to come back.
    this.pool = new Piscina({ filename: WORKER.href, minThreads: 0, maxThreads: threads, idleTimeout: 30_000, maxQueue: threads * 4 });
  }

  async parse(input: ParseInput): Promise<ParseOutput> {
    if (bytesOf(input) <= IN_PROCESS_BYTES) {
      try {
        return await parseFindingUpload(input, { deferCsaf: true });
      } catch (err) {
        if (err instanceof TooManyFindingsError) return unwrap({ tooMany: err.limit });
        // Loading the CSAF validator takes seconds: a CSAF document goes to a worker thread even when it is small.
        if (!(err instanceof CsafDeferredError)) throw err;
      }
    }
    try {
      return unwrap(await this.pool.run(input, { signal: AbortSignal.timeout(UPLOAD_LIMITS.parseMs) }));
    } catch (err) {
      if (err instanceof DomainError) throw err;
      const e = err as Error;
      if (e.message === 'Task queue is at limit') throw new RateLimitedError(10, 'the server is reading as many uploads as it can hold; retry shortly');
      if (e.name === 'AbortError' || e.name === 'TimeoutError') throw new InvalidInputError(`the upload could not be read within ${UPLOAD_LIMITS.parseMs / 1000} s; split it into smaller uploads`, { field: 'body' });
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
