import { auditScope } from '../domain/policy/audit.policy.ts';
import { authorize } from '../domain/policy/authorize.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { listAuditEntries, verifyAuditChain, type AuditVerification } from '../store/audit.repository.ts';
import type { AuditLogTable } from '../store/schema.ts';
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

type AuditRow = Omit<AuditLogTable, 'seq' | 'label_owner' | 'label_tlp' | 'label_embargo_until' | 'label_restricted'> & { seq: number | bigint | string };

/** What an audit entry shows. The label columns stay inside: they decided who reads the entry, not what happened. */
export function presentAuditEntry(r: AuditRow): AuditEntry {
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

  /** Newest first, only the entries the policy lets this reader see (filtered in SQL, see audit.policy.ts). */
  async list(p: Principal, page: PageRequest & { recordType?: string; recordId?: string }): Promise<Page<AuditEntry>> {
    const now = this.deps.clock.now();
    authorize(p, 'audit.list', null, now);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 1);
    const rows = await listAuditEntries(this.deps.db, auditScope(p, now), { recordType: page.recordType, recordId: page.recordId }, after ? Number(after[0]) : null, limit + 1);
    return toPage(rows, limit, presentAuditEntry, (r) => [Number(r.seq)]);
  }

  /** The chain as a whole. Only the operator's CLI calls this (no route serves it). */
  verify(): Promise<AuditVerification> {
    return verifyAuditChain(this.deps.db);
  }
}
