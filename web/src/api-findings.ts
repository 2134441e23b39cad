// Typed client for the findings intake routes (issue 9; docs/findings.md): report one finding, upload documents, a
// finding with its reports, candidates and evidence, and coordinators' merge and split. Requests go through
// api-session-client.ts: writes carry the session's CSRF token, and every failure is the ApiError the UI shows.
import { type Page, type Problem, type Tlp } from './api.ts';
import { enc, problemOf, query, sessionClient } from './api-session-client.ts';
// Record shapes are the server's own types (type-only imports: nothing of the server is bundled).
import type { AttachmentView } from '../../src/services/attachment.service.ts';
import type { CandidateView, CreateFindingResult, FindingImportSummary, FindingReportView, FindingView, SplitResult } from '../../src/services/finding.service.ts';

export type { AttachmentView, CandidateView, CreateFindingResult, FindingImportSummary, FindingReportView, FindingView, SplitResult };

/** What the form sends (POST /findings). */
export interface FindingSubmission {
  organisationId: string;
  title: string;
  description: string;
  cwe?: string | null;
  product: { purl?: string | null; versions?: string | null; cpe?: string | null; name?: string | null; organisationId?: string | null };
  location?: string | null;
  aliases?: string[];
  label?: { tlp?: Tlp; embargoUntil?: string | null; restricted?: string | null };
}

/** One uploaded file's answer: the summary, or the problem that refused it (which still carries the summary when the file was unreadable). */
export type UploadOutcome = { ok: true; summary: FindingImportSummary } | { ok: false; problem: Problem; summary: FindingImportSummary | null };


/** The content type a document is sent as: a ZIP by its name or type, JSON otherwise (the server reads the content). */
export function documentContentType(file: { name: string; type: string }): string {
  return /\.zip$/i.test(file.name) || /zip/i.test(file.type) ? 'application/zip' : 'application/json';
}

function summaryOf(problem: Problem): FindingImportSummary | null {
  const p = problem as Problem & Partial<FindingImportSummary>;
  return typeof p.received === 'number' && Array.isArray(p.rejected)
    ? { received: p.received, created: p.created ?? 0, duplicates: p.duplicates ?? 0, rejected: p.rejected }
    : null;
}

/** The findings calls; `csrfToken` is the signed-in session's. */
export function findingsApi(csrfToken: string | null) {
  const { send, request } = sessionClient(csrfToken);

  return {
    create(submission: FindingSubmission): Promise<CreateFindingResult> {
      return request('POST', '/findings', { json: submission });
    },
    /** One file, one request, so every file has its own answer. */
    async upload(file: File, params: { organisationId: string; tlp?: Tlp }): Promise<UploadOutcome> {
      const response = await send('POST', `/findings/import${query({ organisationId: params.organisationId, tlp: params.tlp, filename: file.name.slice(0, 200) })}`, { raw: file, contentType: documentContentType(file) });
      if (response.ok) return { ok: true, summary: (await response.json()) as FindingImportSummary };
      const problem = await problemOf(response);
      return { ok: false, problem, summary: summaryOf(problem) };
    },
    get(findingId: string): Promise<FindingView> {
      return request('GET', `/findings/${enc(findingId)}`);
    },
    reports(findingId: string, cursor: string | null = null): Promise<Page<FindingReportView>> {
      return request('GET', `/findings/${enc(findingId)}/reports${query({ limit: 50, cursor })}`);
    },
    candidates(findingId: string, cursor: string | null = null): Promise<Page<CandidateView>> {
      return request('GET', `/findings/${enc(findingId)}/candidates${query({ limit: 50, cursor })}`);
    },
    attachments(findingId: string): Promise<{ items: AttachmentView[] }> {
      return request('GET', `/findings/${enc(findingId)}/attachments`);
    },
    attach(findingId: string, file: File): Promise<AttachmentView> {
      return request('POST', `/findings/${enc(findingId)}/attachments${query({ filename: file.name.slice(0, 1000) })}`, { raw: file, contentType: file.type || 'application/octet-stream' });
    },
    merge(findingId: string, into: string, note: string): Promise<{ finding: FindingView; into: FindingView }> {
      return request('POST', `/findings/${enc(findingId)}/merge`, { json: { into, note } });
    },
    split(findingId: string, reportId: string, note: string): Promise<SplitResult> {
      return request('POST', `/findings/${enc(findingId)}/reports/${enc(reportId)}/split`, { json: { note } });
    },
  };
}

export type FindingsApi = ReturnType<typeof findingsApi>;
