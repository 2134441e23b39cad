import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { AFFECTED_LIMITS } from '../services/affected.service.ts';
import { ADVISORY_LIMITS, ADVISORY_STATES, RATINGS } from '../services/advisory.service.ts';
import { Id, Nullable, PageOf, RoleName, StringEnum, Timestamp, Tlp, errorResponses, expectedVersion, ifMatchHeaders } from './schemas.ts';

/** One OSV record with every vulnerable version listed can run to a few megabytes (the kernel's do). */
const ADVISORY_BODY_LIMIT = 5 * 1024 * 1024;

const AffectedReport = Type.Object({
  advisory: Type.Object({
    id: Type.String(),
    aliases: Type.Array(Type.String()),
    summary: Nullable(Type.String()),
    modified: Nullable(Type.String()),
    withdrawn: Nullable(Type.String()),
  }),
  affected: Type.Array(Type.Object({
    organisationId: Id,
    inventoryId: Id,
    inventoryName: Type.String(),
    component: Type.Object({ purl: Type.String(), ecosystem: Type.String(), name: Type.String(), version: Type.String() }),
    fixed: Nullable(Type.String({ description: 'lowest fixed version above the installed one' })),
  })),
  problems: Type.Array(Type.String(), { description: 'parts of the advisory, or stored versions you may read, that could not be evaluated' }),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` (with the same advisory) for the next page; null on the last page' })),
}, { $id: 'AffectedReport' });

const AffectedQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AFFECTED_LIMITS.maxLimit, default: AFFECTED_LIMITS.defaultLimit })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

/** Advisory ids as OSV sources write them (GHSA-..., PYSEC-2021-1, ALSA-2022:0001, CHA-2026-0001): never a path. */
export const AdvisoryId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$', description: 'advisory id' });
const AdvisoryParams = Type.Object({ id: AdvisoryId }, { additionalProperties: false });

const AdvisoryLabel = Type.Object({
  tlp: Tlp,
  embargoUntil: Nullable(Timestamp),
  sharedWith: Type.Array(Id, { description: 'organisations that read it as the owner does (they cannot change it)' }),
  restricted: Nullable(Type.String()),
});

const AdvisoryLabelInput = Type.Object(
  {
    tlp: Type.Optional(Tlp),
    embargoUntil: Type.Optional(Nullable(Timestamp)),
    sharedWith: Type.Optional(Type.Array(Id, { maxItems: ADVISORY_LIMITS.sharedWith })),
    restricted: Type.Optional(Nullable(RoleName)),
  },
  { additionalProperties: false },
);

const OsvRecord = Type.Record(Type.String(), Type.Unknown(), { description: 'an OSV record (https://ossf.github.io/osv-schema/)' });

const Severity = Type.Object({
  type: Type.String(),
  vector: Type.String(),
  version: Type.String(),
  score: Type.Number(),
  baseScore: Type.Optional(Type.Number()),
  rating: StringEnum(RATINGS),
});

export const Advisory = Type.Object({
  id: AdvisoryId,
  state: StringEnum(ADVISORY_STATES),
  source: StringEnum(['authored', 'imported'] as const),
  organisationId: Id,
  organisationName: Type.String(),
  label: AdvisoryLabel,
  version: Type.Integer({ description: 'send as If-Match ("<version>") with a change' }),
  revision: Type.Integer({ description: '0 while a draft; every change after publication is a new revision' }),
  record: OsvRecord,
  severity: Type.Array(Severity, { description: 'every CVSS vector of the record, scored' }),
  rating: Nullable(StringEnum(RATINGS)),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  publishedAt: Nullable(Timestamp),
  withdrawnAt: Nullable(Timestamp),
}, { $id: 'Advisory' });

const CreateBody = Type.Object({
  record: Type.Unknown({ description: 'an OSV record; the server assigns its id when absent and sets modified, published and withdrawn' }),
  label: Type.Optional(AdvisoryLabelInput),
  organisationId: Type.Optional(Id),
}, { additionalProperties: false });

const UpdateBody = Type.Object({
  record: Type.Unknown({ description: 'the whole OSV record (its id cannot change)' }),
  label: Type.Optional(AdvisoryLabelInput),
}, { additionalProperties: false });

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: ADVISORY_LIMITS.search, description: 'id, alias, package or text' })),
  ecosystem: Type.Optional(Type.String({ maxLength: 100, description: 'OSV ecosystem (Debian matches Debian:12 too)' })),
  state: Type.Optional(StringEnum(ADVISORY_STATES)),
  severity: Type.Optional(StringEnum(RATINGS, 'highest CVSS rating')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });

const Revision = Type.Object({ revision: Type.Integer(), modified: Timestamp, createdAt: Timestamp, summary: Nullable(Type.String()) });
const FieldChange = Type.Object({
  path: Type.String({ description: 'JSON pointer into the record' }),
  kind: StringEnum(['added', 'removed', 'changed'] as const),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
});

export const advisoryRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const advisories = services.advisories;
  const tags = ['advisories'];

  app.post('/advisories', {
    bodyLimit: ADVISORY_BODY_LIMIT,
    schema: {
      tags,
      summary: 'Create a draft advisory',
      description: 'Members of the owning organisation (`organisationId`, or your only organisation) author advisories. The record is validated against the OSV schema (errors name the JSON path); CVSS vectors are parsed and scored. The default TLP is AMBER.',
      body: CreateBody,
      response: { 201: Advisory, ...errorResponses(404, 409, 413) },
    },
  }, async (request, reply) => {
    const view = await advisories.create(request.principal, request.body);
    reply.code(201).header('ETag', `"${view.version}"`).header('Location', `/api/v1/advisories/${view.id}`);
    return view;
  });

  app.get('/advisories', {
    schema: {
      tags,
      summary: 'List advisories you may read, newest change first',
      querystring: ListQuery,
      response: { 200: PageOf(Advisory), ...errorResponses() },
    },
  }, async (request) => advisories.list(request.principal, request.query));

  app.get('/advisories/:id', {
    schema: { tags, summary: 'One advisory (ETag carries its version)', params: AdvisoryParams, response: { 200: Advisory, ...errorResponses(404) } },
  }, async (request, reply) => {
    const view = await advisories.get(request.principal, request.params.id);
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.put('/advisories/:id', {
    bodyLimit: ADVISORY_BODY_LIMIT,
    schema: {
      tags,
      summary: 'Change an advisory (If-Match required); a change to a published advisory is a new revision',
      params: AdvisoryParams,
      headers: ifMatchHeaders,
      body: UpdateBody,
      response: { 200: Advisory, ...errorResponses(404, 409, 412, 413, 428) },
    },
  }, async (request, reply) => {
    const view = await advisories.update(request.principal, request.params.id, expectedVersion(request.headers['if-match'], undefined), request.body);
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.post('/advisories/:id/publish', {
    schema: {
      tags,
      summary: 'Publish a draft (If-Match required); while the label\'s embargo runs only the owner, coordinators and the organisations it is shared with read it',
      params: AdvisoryParams,
      headers: ifMatchHeaders,
      response: { 200: Advisory, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const view = await advisories.publish(request.principal, request.params.id, expectedVersion(request.headers['if-match'], undefined));
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.post('/advisories/:id/withdraw', {
    schema: {
      tags,
      summary: 'Withdraw a published advisory (If-Match required): it stays readable with `withdrawn` set and stops matching',
      params: AdvisoryParams,
      headers: ifMatchHeaders,
      body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false, description: 'optional: the request may have no body' }),
      response: { 200: Advisory, ...errorResponses(404, 409, 412, 428) },
    },
    // Scripts withdraw with If-Match and no body at all, like publish.
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {};
    },
  }, async (request, reply) => {
    const view = await advisories.withdraw(request.principal, request.params.id, expectedVersion(request.headers['if-match'], undefined), request.body.reason);
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.get('/advisories/:id/revisions', {
    schema: { tags, summary: 'The published revisions of an advisory, newest first', params: AdvisoryParams, response: { 200: Type.Object({ items: Type.Array(Revision) }), ...errorResponses(404) } },
  }, async (request) => advisories.revisions(request.principal, request.params.id));

  app.get('/advisories/:id/revisions/:revision', {
    schema: {
      tags,
      summary: 'One published revision (immutable)',
      params: Type.Object({ id: AdvisoryId, revision: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ revision: Type.Integer(), record: OsvRecord, modified: Timestamp, createdAt: Timestamp }), ...errorResponses(404) },
    },
  }, async (request) => advisories.revision(request.principal, request.params.id, request.params.revision));

  app.get('/advisories/:id/diff', {
    schema: {
      tags,
      summary: 'Field-level differences between two revisions',
      params: AdvisoryParams,
      querystring: Type.Object({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ from: Type.Integer(), to: Type.Integer(), changes: Type.Array(FieldChange) }), ...errorResponses(404) },
    },
  }, async (request) => advisories.diff(request.principal, request.params.id, request.query.from, request.query.to));

  app.post('/advisories/affected', {
    bodyLimit: ADVISORY_BODY_LIMIT,
    schema: {
      tags: ['advisories'],
      summary: 'Which stored components, in inventories you can read, does this OSV advisory affect?',
      description: 'The body is one OSV record (https://ossf.github.io/osv-schema/). Nothing is stored. A withdrawn advisory affects nothing. '
        + 'Requires sign-in. The answer is paged (`limit`, `cursor` from the previous page\'s `nextCursor`, sent with the same advisory). '
        + `One advisory may name at most ${AFFECTED_LIMITS.packages} packages, ${AFFECTED_LIMITS.repos} GIT repositories, ${AFFECTED_LIMITS.ranges} ranges, `
        + `${AFFECTED_LIMITS.events} range events and ${AFFECTED_LIMITS.events} listed versions, nested at most ${AFFECTED_LIMITS.depth} levels (413 / 400 otherwise).`,
      querystring: AffectedQuery,
      body: Type.Unknown({ description: 'one OSV record' }),
      response: { 200: AffectedReport, ...errorResponses(413) },
    },
  }, async (request) => services.affected.affectedBy(request.principal, request.body, { limit: request.query.limit, cursor: request.query.cursor }));
};
