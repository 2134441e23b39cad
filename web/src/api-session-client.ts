// The request helper every typed client of a workflow uses (api-advisories.ts, api-findings.ts, api-cases.ts ...):
// writes carry the signed-in session's CSRF token, a network failure and every error answer become the one ApiError
// the UI shows, with the server's problem document when there is one. api.ts keeps its own (it also drives sign-out).
import { API_BASE, ApiError, type Problem } from './api.ts';

/** A JSON body, or raw bytes (a file the browser streams) with their media type. */
export type RequestBody = { json: unknown } | { raw: BodyInit; contentType: string };

export async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object')
      return { ...body, type: body.type ?? 'about:blank', title: body.title ?? response.statusText, status: body.status ?? response.status, detail: body.detail ?? body.title ?? `The server answered ${response.status}.` };
  } catch {
    // Not JSON (a proxy's error page): the generic problem below.
  }
  return { type: 'about:blank', title: response.statusText || 'Request failed', status: response.status, detail: `The server answered ${response.status}.` };
}

/** `?a=1&b=x` from the parameters that have a value (empty strings, null and undefined are left out). */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;
export const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

/** The calls of one page's session; `csrfToken` is null for anonymous readers, who only read. */
export function sessionClient(csrfToken: string | null) {
  /** The answer as it came (for callers that read an error answer's body themselves); only a network failure throws. */
  async function send(method: string, path: string, body?: RequestBody, headers: Record<string, string> = {}): Promise<Response> {
    const all: Record<string, string> = { Accept: 'application/json, application/problem+json', ...headers };
    if (body) all['Content-Type'] = 'json' in body ? 'application/json' : body.contentType;
    if (method !== 'GET' && csrfToken) all['X-CSRF-Token'] = csrfToken;
    try {
      return await fetch(API_BASE + path, { method, headers: all, credentials: 'same-origin', body: body === undefined ? undefined : 'json' in body ? JSON.stringify(body.json) : body.raw });
    } catch {
      throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, detail: 'The Clearinghouse server could not be reached. Check your connection and try again.' });
    }
  }

  /** The parsed answer; an error answer throws ApiError with its problem. */
  async function request<T>(method: string, path: string, body?: RequestBody, headers: Record<string, string> = {}): Promise<T> {
    const response = await send(method, path, body, headers);
    if (!response.ok) throw new ApiError(await problemOf(response));
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** `request` with a JSON body (or none). */
  function json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return request<T>(method, path, body === undefined ? undefined : { json: body }, headers);
  }

  return { send, request, json };
}
