/**
 * Findings: intake by form and API, de-duplication decisions, evidence attachments (issue 9; docs/findings.md).
 * The triage queue (`GET /findings`) and triage writes live in triage.routes.ts.
 */
import { Type, type FastifyPluginAsyncTypebox, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { FINDING_LIMITS } from '../domain/intake/finding-input.ts';
import { authorize, guardFor } from '../domain/policy/authorize.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { DEDUP_NOTE_MAX } from '../services/finding.service.ts';
import { UPLOAD_LIMITS } from '../services/workers/finding-parse.task.ts';
import { Attachment, UploadQuery, acceptRawUploads, sendAttachment, uploadMeta } from './attachment.routes.ts';
import { problem, sendProblem, toProblem } from './problem.ts';
import { Id, IdParams, Nullable, PageOf, PageQuery, RoleName, StringEnum, Timestamp, Tlp, errorResponses, expectedVersion, ifMatchHeaders } from './schemas.ts';

const L = FINDING_LIMITS;
const Text = (max: number, description?: string) => Type.String({ maxLength: max, ...(description ? { description } : {}) });
const Reason = StringEnum(['first', 'fingerprint', 'alias', 'product-cwe-location', 'merged', 'split'] as const, 'why this report is on this finding');

const Tool = Type.Object({ name: Text(200), version: Type.Optional(Nullable(Text(100))), model: Type.Optional(Nullable(Text(200))) }, { additionalProperties: false });

const FindingBody = Type.Object(
  {
    organisationId: Id,
    title: Text(L.title),
    description: Text(L.description),
    cwe: Type.Optional(Nullable(Text(40, 'CWE-79, or 79'))),
    product: Type.Object(
      {
        purl: Type.Optional(Nullable(Text(L.productField, 'a package URL; its version is dropped from the product key (put versions in versions)'))),
        versions: Type.Optional(Nullable(Text(L.productField, 'affected versions, free text (< 2.4.1)'))),
        cpe: Type.Optional(Nullable(Text(L.productField, 'cpe:2.3:a:vendor:product:...'))),
        name: Type.Optional(Nullable(Text(L.productField, 'a product name, when there is neither purl nor CPE'))),
        organisationId: Type.Optional(Nullable(Id)),
      },
      { additionalProperties: false, description: 'a purl, a CPE, or a name (with the maker organisation when known)' },
    ),
    location: Type.Optional(Nullable(Text(L.location, 'file:line, URL, endpoint, model layer...'))),
    aliases: Type.Optional(Type.Array(Text(L.alias), { maxItems: L.aliases, description: 'CVE, GHSA, OSV ids' })),
    fingerprints: Type.Optional(Type.Array(Text(L.fingerprint), { maxItems: L.fingerprints, description: 'tool fingerprints as name=value' })),
    tool: Type.Optional(Nullable(Tool)),
    label: Type.Optional(
      Type.Object(
        { tlp: Type.Optional(Tlp), embargoUntil: Type.Optional(Nullable(Timestamp)), restricted: Type.Optional(Nullable(RoleName)) },
        { additionalProperties: false, description: 'TLP defaults to AMBER: the reporter and the clearinghouse\'s coordinators' },
      ),
    ),
  },
  { additionalProperties: false },
);

const Org = Type.Object({ organisationId: Id, organisationName: Type.String() });

export const Finding = Type.Object(
  {
    id: Id,
    title: Type.String(),
    description: Type.String(),
    cwe: Nullable(Type.String()),
    product: Type.Object({
      purl: Nullable(Type.String()),
      versions: Nullable(Type.String()),
      cpe: Nullable(Type.String()),
      name: Nullable(Type.String()),
      organisationId: Nullable(Id),
      organisationName: Nullable(Type.String()),
    }),
    location: Nullable(Type.String()),
    aliases: Type.Array(Type.String()),
    source: Type.String({ description: 'form, api, sarif, osv, csaf or avid' }),
    state: Type.String(),
    reporter: Org,
    reports: Type.Integer({ description: 'reports on this finding, the first included' }),
    mergedInto: Nullable(Type.String({ description: 'the finding this one was merged into by a coordinator' })),
    label: Type.Object({ tlp: Tlp, embargoUntil: Nullable(Timestamp), owner: Id }),
    cvss4: Nullable(Type.Object({ vector: Type.String(), score: Nullable(Type.Number()) })),
    cvss3: Nullable(Type.Object({ vector: Type.String(), score: Nullable(Type.Number()) })),
    ssvc: Type.Unknown(),
    exploitation: StringEnum(['none', 'poc', 'active'] as const),
    kev: Nullable(Type.Object({ dateAdded: Nullable(Type.String()), dueDate: Nullable(Type.String()) })),
    version: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { description: 'a finding' },
);

const CreateResult = Type.Object({
  finding: Finding,
  created: Type.Boolean({ description: 'false when the submission was linked to an existing finding as a duplicate' }),
  duplicate: Nullable(Type.Object({ reason: Reason, matched: Type.String({ description: 'the key both share' }) })),
});

const Report = Type.Object({
  id: Id,
  reporter: Org,
  source: Type.String(),
  reason: Reason,
  matched: Nullable(Type.String({ description: 'the key that matched: tool|fingerprint, the alias, or product|CWE|location' })),
  note: Nullable(Type.String({ description: 'a coordinator\'s note on a merge or a split' })),
  receivedAt: Timestamp,
  title: Type.String(),
  tool: Nullable(Type.Object({ name: Type.String(), version: Nullable(Type.String()), model: Nullable(Type.String()) })),
});

const AttachmentParams = Type.Object({ id: Id, attachmentId: Id }, { additionalProperties: false });
const ReportParams = Type.Object({ id: Id, reportId: Id }, { additionalProperties: false });
const Note = Type.String({ minLength: 1, maxLength: DEDUP_NOTE_MAX, description: 'why: kept with the reports and in the audit trail' });

const Candidate = Type.Object({
  finding: Type.Object({ id: Id, title: Type.String(), state: Type.String(), reporter: Org, createdAt: Timestamp }),
  shared: Type.Array(Type.Object({ kind: StringEnum(['fingerprint', 'alias', 'locus'] as const), value: Type.String() }), { description: 'the keys both findings hold' }),
});

const ImportSummary = Type.Object(
  {
    received: Type.Integer({ description: 'entries read from the documents' }),
    created: Type.Integer({ description: 'new findings' }),
    duplicates: Type.Integer({ description: 'entries linked to a finding the reporter may read (as a new report on it)' }),
    rejected: Type.Array(Type.Object({ path: Type.String({ description: '`body`, `body#/runs/0/results/3`, or `body!member.json` in a ZIP' }), reason: Type.String() })),
  },
  { $id: 'FindingImportSummary', additionalProperties: false },
);

const ImportQuery = Type.Object(
  {
    organisationId: Id,
    tlp: Type.Optional(Tlp),
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'names the body in rejected paths instead of "body"' })),
  },
  { additionalProperties: false },
);

const JSON_TYPES = ['application/json', 'application/sarif+json'];
const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'];
const mediaOf = (request: { headers: { 'content-type'?: string | undefined } }) => (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

export const findingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const findings = services.findings;

  app.post('/findings', {
    schema: {
      tags: ['findings'],
      summary: 'Report one finding (form or API); a duplicate of a finding you may read is linked to it, saying why',
      description:
        'Answers 201 with `{ finding, created, duplicate }` either way: a new finding (`created: true`), or a new report on an existing one ' +
        '(`created: false`, `duplicate: { reason, matched }`). Only findings the reporter may read are matched (docs/findings.md).',
      body: FindingBody,
      response: { 201: CreateResult, ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const out = await findings.create(request.principal, { ...request.body, source: 'api' });
    reply.header('Location', `/api/v1/findings/${out.finding.id}`);
    return reply.code(201).send(out);
  });

  app.get('/findings/:id', {
    schema: { tags: ['findings'], summary: 'One finding', params: IdParams, response: { 200: Finding, ...errorResponses(404) } },
  }, async (request, reply) => {
    const f = await findings.get(request.principal, request.params.id);
    reply.header('ETag', `"${f.version}"`);
    return f;
  });

  app.get('/findings/:id/reports', {
    schema: {
      tags: ['findings'],
      summary: 'Every report on a finding, oldest first: who reported it (credited), when, why it was linked and the key that matched',
      params: IdParams,
      querystring: PageQuery,
      response: { 200: PageOf(Report), ...errorResponses(404) },
    },
  }, async (request) => findings.reports(request.principal, request.params.id, request.query));

  app.get('/findings/:id/candidates', {
    schema: {
      tags: ['findings'],
      summary: 'Possible duplicates: findings you may read that share a de-duplication key with this one',
      description: 'Intake links only within what the reporter may read; findings sharing keys across reporters and labels show here for coordinators to merge.',
      params: IdParams,
      querystring: PageQuery,
      response: { 200: PageOf(Candidate), ...errorResponses(404) },
    },
  }, async (request) => findings.candidates(request.principal, request.params.id, request.query));

  app.post('/findings/:id/merge', {
    schema: {
      tags: ['findings'],
      summary: 'Merge this finding into another (coordinators): its reports, keys and attachments move; it stays as a duplicate',
      description: 'The finding merged into is shared with the merged reporters\' organisations, so they keep reading what they reported. If-Match (this finding\'s version) is optional.',
      params: IdParams,
      headers: ifMatchHeaders,
      body: Type.Object({ into: Id, note: Note }, { additionalProperties: false }),
      response: { 200: Type.Object({ finding: Finding, into: Finding }), ...errorResponses(404, 409, 412) },
    },
  }, async (request) => {
    const ifMatch = request.headers['if-match'];
    const finding = await findings.merge(request.principal, request.params.id, request.body, ifMatch === undefined ? undefined : expectedVersion(ifMatch, undefined));
    return { finding, into: await findings.get(request.principal, request.body.into) };
  });

  app.post('/findings/:id/reports/:reportId/split', {
    schema: {
      tags: ['findings'],
      summary: 'Split a wrongly linked report back out into its own finding (coordinators); its keys move with it',
      description: 'A report a merge moved goes back to the finding it came from; one linked at intake becomes a finding under the label its reporter asked for.',
      params: ReportParams,
      body: Type.Object({ note: Note }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          findingId: Id,
          finding: Nullable(Finding),
          from: Finding,
        }),
        ...errorResponses(404, 409),
      },
    },
  }, async (request) => findings.split(request.principal, request.params.id, request.params.reportId, request.body));

  app.get('/findings/:id/attachments', {
    schema: {
      tags: ['findings'],
      summary: 'A finding\'s evidence attachments (metadata; content at each url)',
      params: IdParams,
      response: { 200: Type.Object({ items: Type.Array(Attachment) }), ...errorResponses(404) },
    },
  }, async (request) => ({ items: await findings.attachments(request.principal, request.params.id) }));

  app.get('/findings/:id/attachments/:attachmentId', {
    schema: {
      tags: ['findings'],
      summary: 'Download an attachment (as a file: Content-Disposition attachment, nosniff; ETag is its SHA-256)',
      params: AttachmentParams,
      response: { 200: Type.Unknown({ description: 'the content, with its stored media type' }), 304: Type.Null(), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const a = await findings.attachment(request.principal, request.params.id, request.params.attachmentId);
    return sendAttachment(request, reply, a.row, a.content);
  });

  // Attachment uploads take the file itself as the body, unread: the service streams it to a temporary file.
  await app.register(async (plain) => {
    const raw = plain.withTypeProvider<TypeBoxTypeProvider>();
    acceptRawUploads(raw);
    raw.addHook('onRequest', async (request) => guardFor(request.principal, 'finding.attach'));
    raw.setErrorHandler((err, request, reply) => {
      const { problem: p, unexpected } = toProblem(err as Error, request);
      if (unexpected) request.log.error({ err }, 'unhandled error');
      // The rest of a refused body is not read: the connection is not reused.
      if (p.status === 413) reply.header('Connection', 'close');
      return sendProblem(reply, p);
    });

    raw.post('/findings/:id/attachments', {
      schema: {
        tags: ['findings'],
        summary: 'Attach evidence to a finding (the body is the file; reporters and coordinators)',
        description:
          `The body is the file, any content type (stored as sent when on the safe list, else application/octet-stream), streamed; up to ` +
          `${services.attachments.maxBytes} bytes (CLEARINGHOUSE_ATTACHMENT_LIMIT), else 413. The name: query parameter filename, or the X-Filename header (percent-encoded).`,
        params: IdParams,
        querystring: UploadQuery,
        response: { 201: Attachment, ...errorResponses(404, 409, 413) },
      },
    }, async (request, reply) => {
      const meta = uploadMeta(request);
      const a = await findings.attach(request.principal, request.params.id, meta);
      reply.header('Location', a.url);
      return reply.code(201).send(a);
    });
  });

  // Document uploads take the document (or a ZIP of them) as the body, unparsed: a worker thread parses it.
  await app.register(async (plain) => {
    const raw = plain.withTypeProvider<TypeBoxTypeProvider>();
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser(ZIP_TYPES, { parseAs: 'buffer', bodyLimit: UPLOAD_LIMITS.zipBytes }, (_req, body, done) => done(null, body));
    // The route's limit is the ZIP one and Fastify applies it over a parser's own, so the document cap is enforced here.
    raw.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer', bodyLimit: UPLOAD_LIMITS.zipBytes }, (_req, body, done) => {
      if ((body as Buffer).length <= UPLOAD_LIMITS.documentBytes) return done(null, body);
      done(Object.assign(new Error('document too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), undefined);
    });
    // Refuse read-only tokens and non-members of the reporting organisation before reading up to 64 MiB of body.
    raw.addHook('onRequest', async (request) => {
      guardFor(request.principal, 'finding.create');
      const org = (request.query as { organisationId?: unknown }).organisationId;
      if (typeof org === 'string' && org !== '') authorize(request.principal, 'finding.create', { reporter: org }, new Date());
    });
    raw.setErrorHandler((err, request, reply) => {
      const code = (err as { code?: string }).code;
      const instance = request.url.split('?')[0]!;
      if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_TYPE') {
        return sendProblem(reply, problem('unsupported-media-type', `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted; send one document as application/json, or several in a ZIP archive as application/zip`, instance, { accepted: [...JSON_TYPES, ...ZIP_TYPES] }));
      }
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || (err as { statusCode?: number }).statusCode === 413) {
        const zip = ZIP_TYPES.includes(mediaOf(request));
        const limit = zip ? UPLOAD_LIMITS.zipBytes : UPLOAD_LIMITS.documentBytes;
        return sendProblem(reply, problem('payload-too-large', `the ${zip ? 'ZIP archive' : 'document'} is larger than ${limit / 1024 / 1024} MiB${zip ? '' : '; send several documents as a ZIP archive (application/zip)'}`, instance, { limit }));
      }
      const { problem: p, unexpected } = toProblem(err as Error, request);
      if (unexpected) request.log.error({ err }, 'unhandled error');
      return sendProblem(reply, p);
    });

    raw.post('/findings/import', {
      bodyLimit: UPLOAD_LIMITS.zipBytes,
      schema: {
        tags: ['findings'],
        summary: 'Upload documents of findings (SARIF 2.1.0, OSV, CSAF 2.0, AVID): the same documents and summary as `clearinghouse findings import`',
        description:
          `Body: one document as application/json (up to ${UPLOAD_LIMITS.documentBytes / 1024 / 1024} MiB), or several in a ZIP archive as application/zip (up to ` +
          `${UPLOAD_LIMITS.zipBytes / 1024 / 1024} MiB, ${UPLOAD_LIMITS.zip.maxEntries} members, ${UPLOAD_LIMITS.zip.maxTotalBytes / 1024 / 1024} MiB uncompressed; .json and .sarif members are read). ` +
          `At most ${FINDING_LIMITS.perRequest} findings per request (413). Answers exactly { received, created, duplicates, rejected: [{ path, reason }] }. ` +
          'A document that cannot be read (not JSON, no known format, fails its schema) is a 400 problem carrying the same summary, and nothing is written.',
        consumes: [...JSON_TYPES, ...ZIP_TYPES],
        querystring: ImportQuery,
        response: { 200: ImportSummary, ...errorResponses(413, 415) },
      },
    }, async (request) => {
      const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      const path = request.query.filename ?? 'body';
      const zip = ZIP_TYPES.includes(mediaOf(request));
      const out = await findings.importDocuments(request.principal, {
        organisationId: request.query.organisationId,
        ...(request.query.tlp ? { tlp: request.query.tlp } : {}),
        ...(zip ? { zip: { path, body } } : { files: [{ path, body }] }),
      });
      const summary = { received: out.received, created: out.created, duplicates: out.duplicates, rejected: out.rejected };
      if (out.unreadable.length) {
        throw new InvalidInputError(`${out.unreadable.length === 1 ? `${out.unreadable[0]} is` : `${out.unreadable.length} files are`} not a document of findings that can be read; nothing was written: ${out.rejected.find((r) => out.unreadable.includes(r.path))?.reason}`, { ...summary, field: out.unreadable[0] });
      }
      return summary;
    });
  });
};
