import { Type, type FastifyPluginAsyncTypebox, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { guardFor } from '../domain/policy/authorize.ts';
import type { SbomMedia } from '../services/inventory.service.ts';
import { problem, sendProblem, toProblem } from './problem.ts';
import { AccessLabel, Id, IdParams, LabelInput, Nullable, PageOf, PageQuery, RoleName, Sector, StringEnum, Timestamp, Tlp, errorResponses, expectedVersion, ifMatchHeaders } from './schemas.ts';
import { CRITICALITIES, MAX_ENVIRONMENT } from '../domain/assets/asset-fields.ts';

/** SBOMs of large images run to tens of megabytes; every other route keeps the server-wide limit. */
export const SBOM_BODY_LIMIT = 50 * 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/vnd.cyclonedx+json', 'application/spdx+json'];
const XML_TYPES = ['application/xml', 'text/xml', 'application/vnd.cyclonedx+xml'];
const ACCEPTED = [...JSON_TYPES, ...XML_TYPES];

const Criticality = StringEnum(CRITICALITIES, 'how critical the asset is to its operator');
const Environment = Type.String({ minLength: 1, maxLength: MAX_ENVIRONMENT, description: 'where the asset runs: production, OT, lab...' });

const Inventory = Type.Object({
  id: Id,
  name: Type.String(),
  organisationId: Id,
  format: Type.String({ description: 'cyclonedx-json, cyclonedx-xml or spdx-json' }),
  componentCount: Type.Integer({ description: 'components stored with an OSV identity (duplicates merged)' }),
  unmatchedCount: Type.Integer({ description: 'components that could not be given an OSV identity' }),
  unmatched: Type.Array(Type.Object({ ref: Type.String(), reason: Type.String() }), { description: 'the first 200 unmatched components and why' }),
  sbomSha256: Type.String(),
  schema: Type.Union([
    Type.Object({ checked: Type.Literal(true), name: Type.String({ description: 'e.g. "CycloneDX 1.6"' }), firstFindingOnly: Type.Optional(Type.Literal(true, { description: 'a large SBOM was checked only up to its first finding' })) }),
    Type.Object({ checked: Type.Literal(false), reason: Type.String({ description: 'why the SBOM was not compared with a schema' }) }),
  ], { description: 'whether the SBOM was compared with its schema; findings are warnings, never a refusal' }),
  schemaWarnings: Type.Array(Type.Object({ path: Type.String({ description: 'JSON Pointer into the SBOM' }), message: Type.String() }), { description: 'the first 50 schema findings' }),
  schemaWarningCount: Type.Integer({ description: 'all schema findings, including those past the first 50' }),
  sector: Nullable(Sector),
  criticality: Nullable(Criticality),
  environment: Nullable(Type.String()),
  label: AccessLabel,
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { $id: 'Inventory' });

const Component = Type.Object({
  id: Type.Integer(),
  purl: Type.String(),
  ecosystem: Type.String(),
  release: Nullable(Type.String()),
  name: Type.String({ description: 'canonical name, as OSV advisories are matched by' }),
  sourceName: Nullable(Type.String()),
  version: Type.String(),
  bomRef: Nullable(Type.String()),
});

const UploadQuery = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  organisationId: Type.Optional(Id),
  tlp: Type.Optional(Tlp),
  embargoUntil: Type.Optional(Timestamp),
  restricted: Type.Optional(RoleName),
  sector: Type.Optional(Sector),
  criticality: Type.Optional(Criticality),
  environment: Type.Optional(Environment),
}, { additionalProperties: false });

function media(contentType: string | undefined): SbomMedia {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return XML_TYPES.includes(type) ? 'xml' : 'json';
}

function withOrganisation<T extends { label: { owner: string } }>(i: T): T & { organisationId: string } {
  return { ...i, organisationId: i.label.owner };
}

export const inventoryRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const inventories = services.inventories;

  // Uploads take the SBOM itself as the body, unparsed: parseSbom reads CycloneDX JSON/XML and SPDX from bytes.
  await app.register(async (plain) => {
    const raw = plain.withTypeProvider<TypeBoxTypeProvider>();
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser(ACCEPTED, { parseAs: 'buffer', bodyLimit: SBOM_BODY_LIMIT }, (_req, body, done) => done(null, body));
    // Refuse anonymous and read-only callers before reading up to 50 MiB of body.
    raw.addHook('onRequest', async (request) => guardFor(request.principal, 'inventory.write'));
    raw.setErrorHandler((err, request, reply) => {
      const code = (err as { code?: string }).code;
      if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_TYPE') {
        const sent = request.headers['content-type'];
        return sendProblem(reply, problem('unsupported-media-type', `content type ${JSON.stringify(sent ?? '')} is not an SBOM type; send CycloneDX or SPDX JSON as application/json, or CycloneDX XML as application/vnd.cyclonedx+xml`, request.url.split('?')[0]!, { accepted: ACCEPTED }));
      }
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || (err as { statusCode?: number }).statusCode === 413) {
        return sendProblem(reply, problem('payload-too-large', `the SBOM is larger than ${SBOM_BODY_LIMIT / 1024 / 1024} MiB`, request.url.split('?')[0]!, { limit: SBOM_BODY_LIMIT }));
      }
      const { problem: p, unexpected } = toProblem(err as Error, request);
      if (unexpected) request.log.error({ err }, 'unhandled error');
      return sendProblem(reply, p);
    });

    raw.post('/inventories', {
      bodyLimit: SBOM_BODY_LIMIT,
      schema: {
        tags: ['inventories'],
        summary: 'Upload an SBOM as a new inventory (the body is the SBOM document)',
        description: `CycloneDX 1.4-1.6 JSON or SPDX 2.x JSON as ${JSON_TYPES.join(', ')}; CycloneDX XML as ${XML_TYPES.join(', ')}. Up to 50 MiB. TLP defaults to AMBER.`,
        consumes: ACCEPTED,
        querystring: UploadQuery,
        response: { 201: Inventory, ...errorResponses(413, 415) },
      },
    }, async (request, reply) => {
      const q = request.query;
      const label = {
        ...(q.tlp !== undefined ? { tlp: q.tlp } : {}),
        ...(q.embargoUntil !== undefined ? { embargoUntil: q.embargoUntil } : {}),
        ...(q.restricted !== undefined ? { restricted: q.restricted } : {}),
      };
      const inv = await inventories.create(request.principal, {
        name: q.name,
        organisationId: q.organisationId,
        sector: q.sector,
        criticality: q.criticality,
        environment: q.environment,
        label,
        body: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
        media: media(request.headers['content-type']),
      });
      reply.header('ETag', `"${inv.version}"`).header('Location', `/api/v1/inventories/${inv.id}`);
      return reply.code(201).send(withOrganisation(inv));
    });

    raw.put('/inventories/:id/sbom', {
      bodyLimit: SBOM_BODY_LIMIT,
      schema: {
        tags: ['inventories'],
        summary: 'Replace an inventory\'s contents with a new SBOM (If-Match required)',
        consumes: ACCEPTED,
        params: IdParams,
        headers: ifMatchHeaders,
        querystring: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Inventory, ...errorResponses(404, 409, 412, 413, 415, 428) },
      },
    }, async (request, reply) => {
      const inv = await inventories.replaceSbom(request.principal, request.params.id, {
        name: request.query.name,
        body: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
        media: media(request.headers['content-type']),
      }, expectedVersion(request.headers['if-match'], undefined));
      reply.header('ETag', `"${inv.version}"`);
      return withOrganisation(inv);
    });
  });

  app.get('/inventories', {
    schema: {
      tags: ['inventories'],
      summary: 'List the inventories you can see, optionally only assets of one sector, criticality or environment',
      querystring: Type.Object({
        ...PageQuery.properties,
        organisationId: Type.Optional(Id),
        sector: Type.Optional(Sector),
        criticality: Type.Optional(Criticality),
        environment: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_ENVIRONMENT, description: 'exact environment, letters compared without regard to case' })),
      }, { additionalProperties: false }),
      response: { 200: PageOf(Inventory), ...errorResponses() },
    },
  }, async (request) => {
    const page = await inventories.list(request.principal, request.query);
    return { ...page, items: page.items.map(withOrganisation) };
  });

  app.get('/inventories/:id', {
    schema: { tags: ['inventories'], summary: 'One inventory', params: IdParams, response: { 200: Inventory, ...errorResponses(404) } },
  }, async (request, reply) => {
    const inv = await inventories.get(request.principal, request.params.id);
    reply.header('ETag', `"${inv.version}"`);
    return withOrganisation(inv);
  });

  app.get('/inventories/:id/components', {
    schema: { tags: ['inventories'], summary: 'An inventory\'s components, in upload order', params: IdParams, querystring: PageQuery, response: { 200: PageOf(Component), ...errorResponses(404) } },
  }, async (request) => inventories.components(request.principal, request.params.id, request.query));

  app.patch('/inventories/:id', {
    schema: {
      tags: ['inventories'],
      summary: 'Rename an inventory, change its label or describe its asset (If-Match required)',
      params: IdParams,
      headers: ifMatchHeaders,
      body: Type.Object({
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        label: Type.Optional(LabelInput),
        sector: Type.Optional(Nullable(Sector)),
        criticality: Type.Optional(Nullable(Criticality)),
        environment: Type.Optional(Nullable(Type.String({ maxLength: MAX_ENVIRONMENT, description: 'where the asset runs; null or "" clears it' }))),
        version: Type.Optional(Type.Integer({ minimum: 1 })),
      }, { additionalProperties: false }),
      response: { 200: Inventory, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const { version, ...patch } = request.body;
    const inv = await inventories.update(request.principal, request.params.id, patch, expectedVersion(request.headers['if-match'], version));
    reply.header('ETag', `"${inv.version}"`);
    return withOrganisation(inv);
  });

  app.delete('/inventories/:id', {
    schema: { tags: ['inventories'], summary: 'Delete an inventory and its components (If-Match optional)', params: IdParams, headers: ifMatchHeaders, response: { 204: Type.Null(), ...errorResponses(404, 409, 412) } },
  }, async (request, reply) => {
    const ifMatch = request.headers['if-match'];
    await inventories.remove(request.principal, request.params.id, ifMatch === undefined ? undefined : expectedVersion(ifMatch, undefined));
    return reply.code(204).send(null);
  });
};
