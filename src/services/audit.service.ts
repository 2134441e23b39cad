import type { Principal } from '../domain/policy/access-label.ts';
import { verifyAuditChain, type AuditVerification } from '../store/audit.repository.ts';
import type { Selectable } from 'kysely';
import type { AuditLogTable } from '../store/schema.ts';
import { ForbiddenError } from '../domain/errors.ts';
import { adminOrgIds, requireUser } from './access.ts';
import type { ServiceDeps } from './context.ts';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from './pagination.ts';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { userId: string; email: string | null } | null;
  organisationId: string | null;
  via: string;
  tokenId: string | null;
  action: string;
  recordType: string;
  recordId: string;
  beforeDigest: string | null;
  afterDigest: string | null;
  prevHash: string;
  hash: string;
}

function toEntry(r: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor_user_id ? { userId: r.actor_user_id, email: r.actor_email } : null,
    organisationId: r.organisation_id,
    via: r.via,
    tokenId: r.token_id,
    action: r.action,
    recordType: r.record_type,
    recordId: r.record_id,
    beforeDigest: r.before_digest,
    afterDigest: r.after_digest,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export class AuditService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Newest first. Site administrators read everything; organisation administrators their organisations' entries. */
  async list(p: Principal, page: PageRequest & { recordType?: string; recordId?: string }): Promise<Page<AuditEntry>> {
    requireUser(p);
    const orgs = adminOrgIds(p);
    if (!p.siteAdmin && orgs.length === 0) throw new ForbiddenError('the audit trail is for site and organisation administrators');
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 1);
    let q = this.deps.db.selectFrom('audit_log').selectAll();
    if (!p.siteAdmin) q = q.where('organisation_id', 'in', orgs);
    if (page.recordType) q = q.where('record_type', '=', page.recordType);
    if (page.recordId) q = q.where('record_id', '=', page.recordId);
    if (after) q = q.where('seq', '<', Number(after[0]));
    const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit, toEntry, (r) => [Number(r.seq)]);
  }

  verify(): Promise<AuditVerification> {
    return verifyAuditChain(this.deps.db);
  }
}
