// Typed client for the Clearinghouse HTTP API v1 (docs/API.md). Every call goes through `request`, which adds the
// session's CSRF token on writes and turns problem+json answers into one error type the pages can show.

export const API_BASE = '/api/v1';

// The vocabularies come from the server's policy module itself, so the UI can never offer a value the API rejects.
export { CI_SECTORS as SECTORS, ORGANISATION_KINDS, SCOPES as TOKEN_SCOPES, TLP_LEVELS } from '../../src/domain/policy/access-label.ts';
export type { CiSector as Sector, OrganisationKind, Scope as TokenScope, Tlp } from '../../src/domain/policy/access-label.ts';
import type { CiSector as Sector, OrganisationKind, Scope as TokenScope, Tlp } from '../../src/domain/policy/access-label.ts';

export const KIND_LABELS: Record<OrganisationKind, string> = {
  government: 'Government',
  'ai-developer': 'AI developer',
  'infrastructure-operator': 'Infrastructure operator',
  vendor: 'Vendor',
  evaluator: 'Evaluator',
  researcher: 'Researcher',
};

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  siteAdmin: boolean;
  mustChangePassword: boolean;
}

export interface Membership {
  organisationId: string;
  organisationName: string;
  kind: OrganisationKind;
  roles: string[];
}

export interface Session {
  user: SessionUser;
  memberships: Membership[];
  csrfToken: string;
}

// Record shapes are the server's own types (type-only imports: nothing of the server is bundled).
export type { AccessLabel } from '../../src/domain/policy/access-label.ts';
export type { Organisation } from '../../src/store/organisation.repository.ts';
export type { Member } from '../../src/services/organisation.service.ts';
export type { User } from '../../src/services/user.service.ts';
export type { ApiToken as Token } from '../../src/services/token.service.ts';
export type { AuditEntry } from '../../src/services/audit.service.ts';
export type { MyInvitation, OrganisationInvitation } from '../../src/services/invitation.service.ts';
import type { MyInvitation, OrganisationInvitation } from '../../src/services/invitation.service.ts';
export type { Inventory, StoredComponent as Component } from '../../src/services/inventory.service.ts';
export type { AffectedReport, AffectedComponent } from '../../src/services/affected.service.ts';
import type { Inventory, StoredComponent as Component } from '../../src/services/inventory.service.ts';
import type { AffectedReport } from '../../src/services/affected.service.ts';
import type { Organisation } from '../../src/store/organisation.repository.ts';
import type { Member } from '../../src/services/organisation.service.ts';
import type { User } from '../../src/services/user.service.ts';
import type { ApiToken as Token } from '../../src/services/token.service.ts';
import type { AuditEntry } from '../../src/services/audit.service.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** RFC 9457 problem document, as the server sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

/** The one error every API call throws: carries the problem document so pages can show its detail. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds from `Retry-After`, when the server sent one (429 back-off). */
  readonly retryAfter: number | null;

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The last path segment of the problem type, e.g. `password-change-required`. */
  get code(): string {
    const slash = this.problem.type.lastIndexOf('/');
    return slash >= 0 ? this.problem.type.slice(slash + 1) : this.problem.type;
  }
}

let csrfToken: string | null = null;

/** Remember the CSRF token from the latest session answer; writes send it back. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

// Observers learn that the session ended underneath them (expired, revoked elsewhere) so the shell can go to sign-in.
const unauthenticatedListeners = new Set<() => void>();
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function problemFrom(response: Response): Promise<Problem> {
  const fallback: Problem = {
    type: 'about:blank',
    title: response.statusText || 'Request failed',
    status: response.status,
    detail: `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
  };
  const text = await response.text().catch(() => '');
  if (!text) return fallback;
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object') {
      const doc = body as Partial<Problem>;
      return {
        ...doc,
        type: typeof doc.type === 'string' ? doc.type : fallback.type,
        title: typeof doc.title === 'string' ? doc.title : fallback.title,
        status: typeof doc.status === 'number' ? doc.status : response.status,
        detail: typeof doc.detail === 'string' ? doc.detail : (doc.title ?? fallback.detail),
      };
    }
  } catch {
    // Not JSON (a proxy error page, say): fall through to the generic problem.
  }
  return fallback;
}

interface RequestOptions {
  body?: unknown;
  /** A document sent as it is (an SBOM file), with its own content type, instead of a JSON body. */
  raw?: { data: Blob | ArrayBuffer | string; contentType: string };
  headers?: Record<string, string>;
  /** Do not broadcast a 401 (used by the session probe and sign-in, where 401 is an expected answer). */
  quiet401?: boolean;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.raw) headers['Content-Type'] = options.raw.contentType;
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(API_BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.raw ? options.raw.data : options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: 'The Clearinghouse server could not be reached. Check your connection and try again.',
    });
  }
  if (!response.ok) {
    const problem = await problemFrom(response);
    if (response.status === 401 && !options.quiet401) for (const listener of unauthenticatedListeners) listener();
    throw new ApiError(problem, parseRetryAfter(response.headers.get('Retry-After')));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const id = (value: string) => encodeURIComponent(value);

/** `If-Match` for a record at the version the page last read: the server refuses the write if it changed since. */
const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

/** Inventory as the API sends it: the stored record plus its owner's id. */
export type InventoryView = Inventory & { organisationId: string };

/** The reverse query's answer; `nextCursor` appears once the route is paged (absent means: everything is here). */
export type AffectedPage = AffectedReport & { nextCursor?: string | null };

/** Label fields an inventory or organisation write may change (null clears embargo or restriction). */
export interface LabelPatch {
  tlp?: Tlp;
  embargoUntil?: string | null;
  restricted?: string | null;
}

export interface SbomFile {
  data: Blob | ArrayBuffer | string;
  contentType: string;
}

export interface PageParams {
  limit?: number;
  cursor?: string | null;
}

export const api = {
  // Session
  async getSession(): Promise<Session> {
    const session = await request<Session>('GET', '/session', { quiet401: true });
    setCsrfToken(session.csrfToken);
    return session;
  },
  async signIn(email: string, password: string): Promise<Session> {
    const session = await request<Session>('POST', '/session', { body: { email, password }, quiet401: true });
    setCsrfToken(session.csrfToken);
    return session;
  },
  async signOut(): Promise<void> {
    await request<void>('DELETE', '/session', { quiet401: true });
    setCsrfToken(null);
  },
  async signOutEverywhere(): Promise<void> {
    await request<void>('POST', '/session/revoke-all', { quiet401: true });
    setCsrfToken(null);
  },
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return request('POST', '/me/password', { body: { currentPassword, newPassword } });
  },

  // Organisations
  listOrganisations(params: PageParams = {}): Promise<Page<Organisation>> {
    return request('GET', `/organisations${query({ limit: params.limit, cursor: params.cursor })}`);
  },
  createOrganisation(input: { name: string; kind: OrganisationKind; sectors?: Sector[]; label?: { tlp: Tlp } }): Promise<Organisation> {
    return request('POST', '/organisations', { body: input });
  },
  getOrganisation(orgId: string): Promise<Organisation> {
    return request('GET', `/organisations/${id(orgId)}`);
  },
  listMembers(orgId: string): Promise<Member[]> {
    // The contract shows a bare array; tolerate a page shape too so a server change does not blank the table.
    return request<Member[] | Page<Member>>('GET', `/organisations/${id(orgId)}/members`).then((body) =>
      Array.isArray(body) ? body : body.items,
    );
  },
  setMember(orgId: string, userId: string, roles: string[]): Promise<unknown> {
    return request('PUT', `/organisations/${id(orgId)}/members/${id(userId)}`, { body: { roles } });
  },
  removeMember(orgId: string, userId: string): Promise<void> {
    return request('DELETE', `/organisations/${id(orgId)}/members/${id(userId)}`);
  },

  updateOrganisation(orgId: string, version: number, patch: { name?: string; sectors?: Sector[]; label?: LabelPatch }): Promise<Organisation> {
    return request('PATCH', `/organisations/${id(orgId)}`, { body: patch, headers: ifMatch(version) });
  },

  // Users
  listUsers(params: PageParams = {}): Promise<Page<User>> {
    return request('GET', `/users${query({ limit: params.limit, cursor: params.cursor })}`);
  },
  /** Site administrators get the account (201); organisation administrators an invitation by e-mail (202). */
  createUser(input: {
    email: string;
    name: string;
    siteAdmin?: boolean;
    memberships?: { organisationId: string; roles: string[] }[];
  }): Promise<{ user: User; oneTimePassword: string } | { email: string; invitations: OrganisationInvitation[] }> {
    return request('POST', '/users', { body: input });
  },

  // Invitations
  myInvitations(): Promise<MyInvitation[]> {
    return request<{ items: MyInvitation[] }>('GET', '/me/invitations').then((b) => b.items);
  },
  acceptInvitation(invitationId: string): Promise<void> {
    return request('POST', `/me/invitations/${id(invitationId)}/accept`);
  },
  declineInvitation(invitationId: string): Promise<void> {
    return request('POST', `/me/invitations/${id(invitationId)}/decline`);
  },
  organisationInvitations(orgId: string): Promise<OrganisationInvitation[]> {
    return request<{ items: OrganisationInvitation[] }>('GET', `/organisations/${id(orgId)}/invitations`).then((b) => b.items);
  },
  withdrawInvitation(orgId: string, invitationId: string): Promise<void> {
    return request('DELETE', `/organisations/${id(orgId)}/invitations/${id(invitationId)}`);
  },
  updateUser(userId: string, version: number, patch: { name?: string; disabled?: boolean; siteAdmin?: boolean }): Promise<User> {
    return request('PATCH', `/users/${id(userId)}`, { body: patch, headers: ifMatch(version) });
  },
  resetPassword(userId: string): Promise<{ oneTimePassword: string }> {
    return request('POST', `/users/${id(userId)}/reset-password`);
  },

  // Inventories
  listInventories(params: PageParams & { organisationId?: string } = {}): Promise<Page<InventoryView>> {
    return request('GET', `/inventories${query({ limit: params.limit, cursor: params.cursor, organisationId: params.organisationId })}`);
  },
  uploadInventory(
    input: { name: string; organisationId?: string; tlp?: Tlp; embargoUntil?: string; restricted?: string },
    file: SbomFile,
  ): Promise<InventoryView> {
    return request('POST', `/inventories${query(input)}`, { raw: file });
  },
  getInventory(inventoryId: string): Promise<InventoryView> {
    return request('GET', `/inventories/${id(inventoryId)}`);
  },
  listComponents(inventoryId: string, params: PageParams = {}): Promise<Page<Component>> {
    return request('GET', `/inventories/${id(inventoryId)}/components${query({ limit: params.limit, cursor: params.cursor })}`);
  },
  replaceSbom(inventoryId: string, version: number, file: SbomFile, name?: string): Promise<InventoryView> {
    return request('PUT', `/inventories/${id(inventoryId)}/sbom${query({ name })}`, { raw: file, headers: ifMatch(version) });
  },
  updateInventory(inventoryId: string, version: number, patch: { name?: string; label?: LabelPatch }): Promise<InventoryView> {
    return request('PATCH', `/inventories/${id(inventoryId)}`, { body: patch, headers: ifMatch(version) });
  },
  deleteInventory(inventoryId: string, version: number): Promise<void> {
    return request('DELETE', `/inventories/${id(inventoryId)}`, { headers: ifMatch(version) });
  },

  // The reverse query: the advisory is sent as the user pasted it, so the server judges it (and names its problems).
  affectedBy(osvText: string, params: PageParams = {}): Promise<AffectedPage> {
    return request('POST', `/advisories/affected${query({ limit: params.limit, cursor: params.cursor })}`, {
      raw: { data: osvText, contentType: 'application/json' },
    });
  },

  // API tokens
  listTokens(): Promise<Token[]> {
    return request<Token[] | Page<Token>>('GET', '/tokens').then((body) => (Array.isArray(body) ? body : body.items));
  },
  createToken(input: { name: string; scopes: TokenScope[]; expiresInDays?: number }): Promise<{ token: Token; secret: string }> {
    return request('POST', '/tokens', { body: input });
  },
  revokeToken(tokenId: string): Promise<void> {
    return request('DELETE', `/tokens/${id(tokenId)}`);
  },

  // Audit trail
  listAudit(params: PageParams & { recordType?: string; recordId?: string } = {}): Promise<Page<AuditEntry>> {
    return request(
      'GET',
      `/audit${query({ limit: params.limit, cursor: params.cursor, recordType: params.recordType, recordId: params.recordId })}`,
    );
  },
};

/** The content type an SBOM file is sent as: XML by its name or declared type, JSON otherwise (the server checks). */
export function sbomContentType(file: { name: string; type: string }): string {
  if (/\.xml$/i.test(file.name) || /xml/i.test(file.type)) return 'application/vnd.cyclonedx+xml';
  return 'application/json';
}

/** A user-facing sentence for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const fieldErrors = error.problem.errors?.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`) ?? [];
    const detail = error.problem.detail ?? error.problem.title;
    return fieldErrors.length > 0 ? `${detail} ${fieldErrors.join('; ')}` : detail;
  }
  return error instanceof Error ? error.message : String(error);
}

