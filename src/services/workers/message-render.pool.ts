/**
 * Where case messages' Markdown is rendered (src/domain/case-threads/markdown.ts). A message of the maximum size
 * renders in under a millisecond when it is prose, but hostile input (thousands of unmatched emphasis markers or
 * brackets) takes tens of milliseconds warm and hundreds cold: on the request thread that would stall every other
 * request. So rendering runs in one worker thread, each batch capped in time; the thread starts on first use and ends
 * after ten idle minutes. Messages are rendered once, when posted (the HTML is stored), so the thread is rarely busy.
 */
import { Piscina } from 'piscina';
import { InvalidInputError, RateLimitedError } from '../../domain/errors.ts';

/** A batch (a post, a preview, or a page of messages stored by an older renderer) gets this long. */
export const RENDER_TIMEOUT_MS = 10_000;

let pool: Piscina | undefined;

function renderPool(): Piscina {
  pool ??= new Piscina({
    filename: new URL('./message-render.worker.mjs', import.meta.url).href,
    minThreads: 0,
    // One thread: rendering is short and rare; the other cores belong to requests and the database.
    maxThreads: 1,
    // Starting the thread (tsx, markdown-it, sanitize-html) takes a second or two on a busy machine: keep it while
    // people are talking; an idle thread does not keep the process alive.
    idleTimeout: 10 * 60_000,
    maxQueue: 64,
  });
  return pool;
}

/** Renders Markdown sources (already within the size cap) to sanitised HTML, off the request thread. */
export async function renderMessages(sources: string[], field = 'body'): Promise<string[]> {
  if (sources.length === 0) return [];
  try {
    return (await renderPool().run({ sources }, { signal: AbortSignal.timeout(RENDER_TIMEOUT_MS) })) as string[];
  } catch (err) {
    const e = err as Error;
    if (e.message === 'Task queue is at limit') throw new RateLimitedError(5, 'the server is rendering as many messages as it can hold; retry shortly');
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      throw new InvalidInputError(`the message's Markdown could not be rendered within ${RENDER_TIMEOUT_MS / 1000} s; simplify it`, { field });
    }
    throw err;
  }
}
