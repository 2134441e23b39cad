import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { DECLARATION_LIMITS } from '../domain/cases/product-match.ts';
import { STATUS_LIMITS, VENDOR_STATUSES } from '../domain/cases/vendor-status.ts';
import { PARTICIPANT_ROLES } from '../domain/policy/case.policy.ts';
import { CASE_LIMITS, CASE_STATES } from '../services/case.service.ts';
import { Advisory } from './advisory.routes.ts';
import { Id, Nullable, PageOf, RoleName, StringEnum, Timestamp, Tlp, errorResponses, expectedVersion, ifMatchHeaders } from './schemas.ts';

const Role = StringEnum(PARTICIPANT_ROLES, 'role on the case');
const Status = StringEnum(VENDOR_STATUSES, 'vendor status');
const CaseParams = Type.Object({ id: Id }, { additionalProperties: false });
const DateTime = Type.String({ maxLength: 40, description: 'RFC 3339 date-time with its time zone, e.g. 2027-03-01T09:00:00Z' });

const CaseLabel = Type.Object({
  owner: Id,
  tlp: Tlp,
  embargoUntil: Nullable(Timestamp),
  restricted: Nullable(Type.String()),
  sharedWith: Type.Array(Id, { description: 'the participant organisations' }),
});

const summaryProps = {
  id: Id,
  title: Type.String(),
  state: StringEnum(CASE_STATES),
  publicDate: Timestamp,
  activelyExploited: Type.Boolean(),
  owner: Type.Object({ organisationId: Id, name: Type.String() }),
  label: CaseLabel,
  participants: Type.Integer({ description: 'number of participant organisations' }),
  myRoles: Type.Array(Role),
  unread: Type.Object({ statuses: Type.Integer({ description: 'vendor statuses changed by others since you last marked the status table seen' }) }),
  advisoryId: Nullable(Type.String()),
  version: Type.Integer({ description: 'send as If-Match ("<version>") with a change' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  closedAt: Nullable(Timestamp),
};
const CaseSummary = Type.Object(summaryProps, { $id: 'CaseSummary' });

const FixedVersion = Type.Object({ purl: Type.String({ maxLength: STATUS_LIMITS.purl }), fixed: Type.String({ maxLength: STATUS_LIMITS.version }) }, { additionalProperties: false });

const VendorStatus = Type.Object({
  organisationId: Id,
  name: Type.String(),
  status: Status,
  statement: Type.String(),
  fixedVersions: Type.Array(FixedVersion),
  mitigations: Type.String(),
  updatedBy: Nullable(Type.String()),
  updatedAt: Nullable(Timestamp),
  version: Type.Integer({ description: '0 before any status was set' }),
  unread: Type.Boolean({ description: 'changed by someone else since you last marked the status table seen' }),
}, { $id: 'CaseVendorStatus' });

const StatusTable = Type.Object({ items: Type.Array(VendorStatus), seenAt: Nullable(Timestamp) });

const PublicDateChange = Type.Object({
  from: Nullable(Timestamp),
  to: Timestamp,
  kind: StringEnum(['opened', 'changed', 'extension'] as const),
  reason: Type.String(),
  actor: Type.String(),
  at: Timestamp,
});
const PublicDateInfo = Type.Object({ date: Timestamp, daysLeft: Type.Integer(), history: Type.Array(PublicDateChange, { description: 'newest first' }) });

const ExtensionRequest = Type.Object({
  id: Id,
  organisationId: Id,
  organisationName: Type.String(),
  publicDate: Timestamp,
  reason: Type.String(),
  state: StringEnum(['pending', 'accepted', 'refused'] as const),
  decisionNote: Nullable(Type.String()),
  requestedBy: Type.String(),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Timestamp),
  createdAt: Timestamp,
}, { $id: 'CaseExtensionRequest' });

const CaseFinding = Type.Object({
  id: Id,
  title: Type.String(),
  state: Type.String(),
  product: Type.Object({ purl: Nullable(Type.String()), cpe: Nullable(Type.String()), name: Nullable(Type.String()) }),
  aliases: Type.Array(Type.String()),
  reporter: Type.Object({ organisationId: Id, name: Type.String() }),
  exploitation: StringEnum(['none', 'poc', 'active'] as const),
});

const Case = Type.Object({
  ...summaryProps,
  summary: Type.String(),
  participantList: Type.Array(Type.Object({ organisationId: Id, name: Type.String(), kind: Type.String(), role: Role, addedAt: Timestamp })),
  findings: Type.Array(CaseFinding, { description: 'the case\'s findings you may read' }),
  statuses: StatusTable,
  publicDateInfo: PublicDateInfo,
  extensionRequests: Type.Array(ExtensionRequest),
  advisory: Nullable(Type.Object({ id: Type.String(), state: Type.String() }, { description: 'the advisory drafted from the case, when you may read it' })),
  permissions: Type.Object({ manage: Type.Boolean(), join: Type.Boolean(), requestExtension: Type.Boolean(), setStatusFor: Type.Array(Id) }),
}, { $id: 'Case' });

const LabelInput = Type.Object({ tlp: Type.Optional(Tlp), restricted: Type.Optional(Nullable(RoleName)) }, { additionalProperties: false });

const OpenBody = Type.Object({
  organisationId: Type.Optional(Id),
  title: Type.String({ minLength: 1, maxLength: CASE_LIMITS.title }),
  summary: Type.Optional(Type.String({ maxLength: CASE_LIMITS.summary })),
  findingIds: Type.Array(Id, { minItems: 1, maxItems: CASE_LIMITS.findings }),
  label: Type.Optional(LabelInput),
  publicDate: Type.Optional(DateTime),
  activelyExploited: Type.Optional(Type.Boolean({ description: 'default: whether a finding is known to be exploited (KEV or SSVC)' })),
  participants: Type.Optional(Type.Array(Type.Object({ organisationId: Id, role: Role }, { additionalProperties: false }), { maxItems: CASE_LIMITS.openingParticipants })),
}, { additionalProperties: false });

const UpdateBody = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: CASE_LIMITS.title })),
  summary: Type.Optional(Type.String({ maxLength: CASE_LIMITS.summary })),
  label: Type.Optional(LabelInput),
  addFindingIds: Type.Optional(Type.Array(Id, { maxItems: CASE_LIMITS.findings })),
  version: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });

const ListQuery = Type.Object({
  state: Type.Optional(StringEnum(CASE_STATES)),
  q: Type.Optional(Type.String({ maxLength: CASE_LIMITS.search, description: 'text in the title' })),
  participant: Type.Optional(Id),
  finding: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });

const Product = Type.Object({
  id: Id,
  organisationId: Id,
  kind: StringEnum(['purl', 'cpe'] as const),
  purlPrefix: Nullable(Type.String()),
  cpe: Nullable(Type.Object({ vendor: Type.String(), product: Nullable(Type.String()) })),
  createdBy: Type.String(),
  createdAt: Timestamp,
}, { $id: 'ProductDeclaration' });

const Suggestion = Type.Object({
  organisationId: Id,
  name: Type.String(),
  kind: Type.String(),
  reasons: Type.Array(Type.Object({ findingId: Id, match: StringEnum(['declared-product', 'product-organisation'] as const), declaration: Nullable(Type.String()) })),
});

/** Coordinated disclosure cases (issue 9; docs/cases.md). */
export const caseRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const cases = services.cases;
  const tags = ['cases'];
  const withEtag = <T extends { version: number }>(reply: { header(k: string, v: string): unknown }, view: T) => {
    reply.header('ETag', `"${view.version}"`);
    return view;
  };

  app.get('/cases', {
    schema: { tags, summary: 'The cases you may read, most recently changed first', querystring: ListQuery, response: { 200: PageOf(CaseSummary), ...errorResponses() } },
  }, async (request) => {
    const { finding, ...q } = request.query;
    return cases.list(request.principal, { ...q, findingId: finding });
  });

  app.post('/cases', {
    schema: {
      tags,
      summary: 'Open a case from findings you may read',
      description: 'Coordinators (government organisations) open cases; so do the findings\' reporters and vendors, choosing the audience (label TLP, participants). The findings\' reporters take part as reporters. The public date defaults to 90 days (7 when actively exploited).',
      body: OpenBody,
      response: { 201: Case, ...errorResponses(409) },
    },
  }, async (request, reply) => {
    const view = await cases.open(request.principal, request.body);
    reply.code(201).header('Location', `/api/v1/cases/${view.id}`);
    return withEtag(reply, view);
  });

  app.get('/cases/:id', {
    schema: { tags, summary: 'A case\'s whole state (participants, findings, statuses, public date and its history, extension requests, advisory) with its label', params: CaseParams, response: { 200: Case, ...errorResponses(404) } },
  }, async (request, reply) => withEtag(reply, await cases.get(request.principal, request.params.id)));

  app.patch('/cases/:id', {
    schema: {
      tags,
      summary: 'Change a case\'s title, summary, label or add findings (owner and coordinators; If-Match required)',
      params: CaseParams,
      headers: ifMatchHeaders,
      body: UpdateBody,
      response: { 200: Case, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const { version, ...input } = request.body;
    return withEtag(reply, await cases.update(request.principal, request.params.id, expectedVersion(request.headers['if-match'], version), input));
  });

  app.post('/cases/:id/participants', {
    schema: {
      tags,
      summary: 'Add a participant organisation with its role (owner and coordinators; a coordinator may join with their own government organisation); it is notified and reads the case and its findings',
      params: CaseParams,
      body: Type.Object({ organisationId: Id, role: Role }, { additionalProperties: false }),
      response: { 200: Case, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => withEtag(reply, await cases.addParticipant(request.principal, request.params.id, request.body)));

  app.delete('/cases/:id/participants/:organisationId', {
    schema: {
      tags,
      summary: 'Take a participant off the case (owner and coordinators; an organisation\'s members may leave); it no longer reads the case or its findings (unless through another case)',
      params: Type.Object({ id: Id, organisationId: Id }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    await cases.removeParticipant(request.principal, request.params.id, request.params.organisationId);
    return reply.code(204).send(null);
  });

  app.get('/cases/:id/statuses', {
    schema: { tags, summary: 'The vendor status table, each row marked unread when changed by someone else since you last looked', params: CaseParams, response: { 200: StatusTable, ...errorResponses(404) } },
  }, async (request) => cases.statuses(request.principal, request.params.id));

  app.get('/cases/:id/statuses/:organisationId', {
    schema: {
      tags,
      summary: 'One vendor\'s status with its history (newest first)',
      params: Type.Object({ id: Id, organisationId: Id }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          ...VendorStatus.properties,
          history: Type.Array(Type.Object({ status: Status, statement: Type.String(), fixedVersions: Type.Array(FixedVersion), mitigations: Type.String(), updatedBy: Nullable(Type.String()), updatedAt: Nullable(Timestamp) })),
        }),
        ...errorResponses(404),
      },
    },
  }, async (request) => cases.vendorStatus(request.principal, request.params.id, request.params.organisationId));

  app.put('/cases/:id/statuses/:organisationId', {
    schema: {
      tags,
      summary: 'Set a vendor\'s status with its statement, fixed versions and mitigations (the vendor\'s members; the case\'s coordinators)',
      params: Type.Object({ id: Id, organisationId: Id }, { additionalProperties: false }),
      body: Type.Object({
        status: Status,
        statement: Type.Optional(Type.String({ maxLength: STATUS_LIMITS.statement })),
        fixedVersions: Type.Optional(Type.Array(FixedVersion, { maxItems: STATUS_LIMITS.fixedVersions })),
        mitigations: Type.Optional(Type.String({ maxLength: STATUS_LIMITS.mitigations })),
        version: Type.Optional(Type.Integer({ minimum: 0, description: 'the status version you read (optional)' })),
      }, { additionalProperties: false }),
      response: { 200: VendorStatus, ...errorResponses(404, 409) },
    },
  }, async (request) => cases.setStatus(request.principal, request.params.id, request.params.organisationId, request.body));

  app.post('/cases/:id/seen', {
    schema: {
      tags,
      summary: 'Mark the vendor status table seen by you now (key `statuses`): its unread markers start from here (threads are marked through their own routes)',
      params: CaseParams,
      body: Type.Object({ key: StringEnum(['statuses'] as const) }, { additionalProperties: false }),
      response: { 200: Type.Object({ key: Type.String(), seenAt: Timestamp }), ...errorResponses(404) },
    },
  }, async (request) => cases.markSeen(request.principal, request.params.id, request.body.key));

  app.get('/cases/:id/public-date', {
    schema: { tags, summary: 'The public date, days left and every change to it', params: CaseParams, response: { 200: PublicDateInfo, ...errorResponses(404) } },
  }, async (request) => cases.publicDate(request.principal, request.params.id));

  app.put('/cases/:id/public-date', {
    schema: {
      tags,
      summary: 'Move the public date (owner and coordinators; If-Match required); participants are notified and reminders follow the new date',
      params: CaseParams,
      headers: ifMatchHeaders,
      body: Type.Object({ publicDate: DateTime, reason: Type.String({ minLength: 1, maxLength: CASE_LIMITS.reason }), version: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
      response: { 200: Case, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const { version, ...input } = request.body;
    return withEtag(reply, await cases.changePublicDate(request.principal, request.params.id, { ...input, version: expectedVersion(request.headers['if-match'], version) }));
  });

  app.get('/cases/:id/extension-requests', {
    schema: { tags, summary: 'Extension requests, newest first', params: CaseParams, response: { 200: Type.Object({ items: Type.Array(ExtensionRequest) }), ...errorResponses(404) } },
  }, async (request) => cases.extensionRequests(request.principal, request.params.id));

  app.post('/cases/:id/extension-requests', {
    schema: {
      tags,
      summary: 'Ask for a later public date (participants); the owner and coordinators accept or refuse',
      params: CaseParams,
      body: Type.Object({ publicDate: DateTime, reason: Type.String({ minLength: 1, maxLength: CASE_LIMITS.reason }), organisationId: Type.Optional(Id) }, { additionalProperties: false }),
      response: { 201: ExtensionRequest, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const view = await cases.requestExtension(request.principal, request.params.id, request.body);
    return reply.code(201).send(view);
  });

  app.post('/cases/:id/extension-requests/:requestId/decision', {
    schema: {
      tags,
      summary: 'Accept (the public date moves to the requested one) or refuse an extension request (owner and coordinators)',
      params: Type.Object({ id: Id, requestId: Id }, { additionalProperties: false }),
      body: Type.Object({ accept: Type.Boolean(), note: Type.Optional(Type.String({ maxLength: CASE_LIMITS.reason })) }, { additionalProperties: false }),
      response: { 200: ExtensionRequest, ...errorResponses(404, 409) },
    },
  }, async (request) => cases.decideExtension(request.principal, request.params.id, request.params.requestId, request.body));

  app.get('/cases/:id/suggestions', {
    schema: {
      tags,
      summary: 'Organisations that declared a product of the case\'s findings (those you may read), not yet taking part',
      params: CaseParams,
      response: { 200: Type.Object({ items: Type.Array(Suggestion) }), ...errorResponses(404) },
    },
  }, async (request) => cases.suggestions(request.principal, request.params.id));

  app.post('/cases/:id/advisory', {
    schema: {
      tags,
      summary: 'Draft the case\'s OSV advisory from the vendors\' statements, reporters and findings (owner and coordinators); it is published with the case\'s closing at the public date',
      params: CaseParams,
      body: Type.Object({ organisationId: Type.Optional(Id), tlp: Type.Optional(Tlp) }, { additionalProperties: false }),
      response: { 201: Type.Object({ advisory: Advisory, case: Case }), ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const out = await cases.draftAdvisory(request.principal, request.params.id, request.body);
    return reply.code(201).header('Location', `/api/v1/advisories/${out.advisory.id}`).send(out);
  });

  // Product declarations: what an organisation answers for, so its cases find it.
  const OrgParams = Type.Object({ id: Id }, { additionalProperties: false });
  app.get('/organisations/:id/products', {
    schema: { tags, summary: 'The products an organisation declared it answers for (purl prefixes, CPE vendor/product)', params: OrgParams, response: { 200: Type.Object({ items: Type.Array(Product) }), ...errorResponses(404) } },
  }, async (request) => cases.products(request.principal, request.params.id));

  app.post('/organisations/:id/products', {
    schema: {
      tags,
      summary: 'Declare a product the organisation answers for (its administrators): a purl prefix (`pkg:npm/@acme/` for a namespace, `pkg:npm/acme` for one package) or a CPE vendor and product',
      params: OrgParams,
      body: Type.Object({
        purlPrefix: Type.Optional(Type.String({ maxLength: DECLARATION_LIMITS.prefix })),
        cpe: Type.Optional(Type.Object({ vendor: Type.String({ maxLength: DECLARATION_LIMITS.cpePart }), product: Type.Optional(Nullable(Type.String({ maxLength: DECLARATION_LIMITS.cpePart }))) }, { additionalProperties: false })),
      }, { additionalProperties: false }),
      response: { 201: Product, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await cases.declareProduct(request.principal, request.params.id, request.body)));

  app.delete('/organisations/:id/products/:productId', {
    schema: {
      tags,
      summary: 'Withdraw a product declaration (the organisation\'s administrators)',
      params: Type.Object({ id: Id, productId: Id }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    await cases.removeProduct(request.principal, request.params.id, request.params.productId);
    return reply.code(204).send(null);
  });
};
