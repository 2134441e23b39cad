/**
 * Findings: intake by form and API, de-duplication decisions, evidence attachments (issue 9; docs/findings.md).
 * The triage queue (`GET /findings`) and triage writes live in triage.routes.ts.
 */
import { Type, type FastifyPluginAsyncTypebox, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { FINDING_LIMITS } from '../domain/intake/finding-input.ts';
import { guardFor } from '../domain/policy/authorize.ts';
import { Attachment, UploadQuery, acceptRawUploads, sendAttachment, uploadMeta } from './attachment.routes.ts';
import { problem, sendProblem, toProblem } from './problem.ts';
import { Id, IdParams, Nullable, RoleName, StringEnum, Timestamp, Tlp, errorResponses } from './schemas.ts';

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
  { $id: 'Finding' },
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
      summary: 'Every report on a finding: who reported it (credited), when, and why it was linked',
      params: IdParams,
      response: { 200: Type.Object({ items: Type.Array(Report) }), ...errorResponses(404) },
    },
  }, async (request) => ({ items: await findings.reports(request.principal, request.params.id) }));

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

  void problem;
};
