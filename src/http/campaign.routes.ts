import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { SCOPE_LIMITS, TARGET_KINDS } from '../domain/campaigns/scope.ts';
import { CAMPAIGN_LIMITS } from '../services/campaign.service.ts';
import { Id, Nullable, PageOf, RoleName, Sector, StringEnum, Timestamp, Tlp, errorResponses, expectedVersion, ifMatchHeaders } from './schemas.ts';

/** Scanning campaigns, operators' named assets, opt-outs and overlaps (issue 9; docs/campaigns.md). */

const PHASES = ['scheduled', 'active', 'ended', 'cancelled'] as const;
const Instant = Type.String({ maxLength: 40, description: 'RFC 3339 date-time with its zone, e.g. 2026-12-01T22:00:00+01:00' });
const Cidr = Type.String({ maxLength: 64, description: 'a network in CIDR notation, IPv4 or IPv6, without host bits (192.0.2.0/24, 2001:db8::/32)' });

const WindowView = Type.Object({
  start: Type.String({ description: 'as registered, in the registrant\'s own offset' }),
  end: Type.String(),
  startUtc: Timestamp,
  endUtc: Timestamp,
});

const ScopeView = Type.Object({
  organisations: Type.Array(Type.Object({ id: Id, name: Type.String() })),
  inventories: Type.Array(Type.Object({ id: Id, name: Type.String(), organisationId: Id })),
  assets: Type.Array(Type.Object({ id: Id, name: Type.String(), organisationId: Id })),
  purls: Type.Array(Type.String()),
  cidrs: Type.Array(Type.String()),
  sectors: Type.Array(Type.String()),
});

const Concern = Type.Object({
  kind: StringEnum(TARGET_KINDS),
  value: Type.String({ description: 'the target as the campaign names it' }),
  assets: Type.Array(Type.Object({ id: Id, name: Type.String() }), { description: 'your named assets it reaches' }),
  inventories: Type.Array(Type.Object({ id: Id, name: Type.String() }), { description: 'your inventories it reaches' }),
});

const Campaign = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  organisationId: Id,
  organisationName: Type.String(),
  label: Type.Object({ tlp: Tlp, embargoUntil: Nullable(Timestamp), restricted: Nullable(Type.String()) }),
  state: StringEnum(PHASES),
  window: WindowView,
  tool: Type.String(),
  model: Type.String(),
  contact: Type.String(),
  access: StringEnum(['full', 'touched'] as const, 'full: read through its label; touched: read because it touches your organisation, with only what concerns you'),
  scope: ScopeView,
  touches: Type.Array(Type.Object({ organisationId: Id, organisationName: Type.String(), concerns: Type.Array(Concern) }), { description: 'your organisations it touches, and how' }),
  version: Type.Integer({ description: 'send as If-Match ("<version>") with a change' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  cancelledAt: Nullable(Timestamp),
  cancelReason: Nullable(Type.String()),
}, { $id: 'Campaign' });

const ScopeInput = Type.Object({
  organisations: Type.Optional(Type.Array(Id, { maxItems: SCOPE_LIMITS.organisations, description: 'organisations scanned as a whole' })),
  inventories: Type.Optional(Type.Array(Id, { maxItems: SCOPE_LIMITS.inventories, description: 'inventories you can read' })),
  assets: Type.Optional(Type.Array(Id, { maxItems: SCOPE_LIMITS.assets, description: 'named assets you can read' })),
  purls: Type.Optional(Type.Array(Type.String({ maxLength: SCOPE_LIMITS.purlLength }), { maxItems: SCOPE_LIMITS.purls, description: 'packages; without a version, every version' })),
  cidrs: Type.Optional(Type.Array(Cidr, { maxItems: SCOPE_LIMITS.cidrs })),
  sectors: Type.Optional(Type.Array(Sector, { maxItems: SCOPE_LIMITS.sectors })),
}, { additionalProperties: false });

const LabelInput = Type.Object({
  tlp: Type.Optional(Tlp),
  embargoUntil: Type.Optional(Nullable(Timestamp)),
  restricted: Type.Optional(Nullable(RoleName)),
}, { additionalProperties: false });

const campaignFields = {
  name: Type.String({ maxLength: CAMPAIGN_LIMITS.name }),
  description: Type.Optional(Type.String({ maxLength: CAMPAIGN_LIMITS.description })),
  scope: ScopeInput,
  window: Type.Object({ start: Instant, end: Instant }, { additionalProperties: false }),
  tool: Type.String({ maxLength: CAMPAIGN_LIMITS.tool, description: 'the scanner and its version' }),
  model: Type.String({ maxLength: CAMPAIGN_LIMITS.model, description: 'the AI model driving it' }),
  contact: Type.String({ maxLength: CAMPAIGN_LIMITS.contact, description: 'who to call when it misbehaves (e-mail, phone)' }),
  label: Type.Optional(LabelInput),
};

const CreateBody = Type.Object({ ...campaignFields, organisationId: Type.Optional(Id) }, { additionalProperties: false });
const UpdateBody = Type.Object(campaignFields, { additionalProperties: false });

const ListQuery = Type.Object({
  active: Type.Optional(Type.Boolean({ description: 'only campaigns running now' })),
  mine: Type.Optional(Type.Boolean({ description: 'only your organisations\' campaigns' })),
  touching: Type.Optional(Type.Boolean({ description: 'only campaigns touching your organisations' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });

const Summary = Type.Object({
  id: Id, name: Type.String(), organisationId: Id, organisationName: Type.String(), state: StringEnum(PHASES), window: WindowView,
  tool: Type.String(), model: Type.String(), contact: Type.String(),
});

const Overlap = Type.Object({
  a: Summary,
  b: Summary,
  overlap: Type.Object({ startUtc: Timestamp, endUtc: Timestamp }),
  shared: Type.Array(Type.Union([
    Type.Object({ kind: Type.Literal('organisation'), organisationId: Id, organisationName: Type.String() }),
    Type.Object({ kind: Type.Literal('sector'), sector: Type.String() }),
    Type.Object({ kind: Type.Literal('purl'), a: Type.String(), b: Type.String() }),
    Type.Object({ kind: Type.Literal('cidr'), a: Type.String(), b: Type.String() }),
  ]), { description: 'what both aim at' }),
}, { $id: 'CampaignOverlap' });

const OverlapQuery = Type.Object({
  campaignId: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });

const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });

const Asset = Type.Object({
  id: Id,
  organisationId: Id,
  organisationName: Type.String(),
  name: Type.String(),
  ranges: Type.Array(Type.String()),
  inventoryId: Nullable(Id),
  inventoryName: Nullable(Type.String({ description: 'when you may read the inventory' })),
  label: Type.Object({ tlp: Tlp }),
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { $id: 'Asset' });

const AssetBody = Type.Object({
  name: Type.String({ maxLength: CAMPAIGN_LIMITS.assetName }),
  ranges: Type.Array(Cidr, { maxItems: CAMPAIGN_LIMITS.rangesPerAsset }),
  inventoryId: Type.Optional(Nullable(Id)),
  label: Type.Optional(Type.Object({ tlp: Type.Optional(Tlp) }, { additionalProperties: false, description: 'who outside the organisation reads the asset (default AMBER: coordinators)' })),
}, { additionalProperties: false });

const OptOut = Type.Object({
  id: Id,
  organisationId: Id,
  organisationName: Type.String(),
  asset: Type.Object({ id: Id, name: Type.String(), ranges: Type.Array(Type.String()), inventoryId: Nullable(Id), inventoryName: Nullable(Type.String()) }),
  campaign: Type.Union([Type.Object({ id: Id, name: Type.String() }), Type.Null()], { description: 'null: out of every campaign' }),
  note: Nullable(Type.String()),
  createdAt: Timestamp,
}, { $id: 'CampaignOptOut' });

const OptOutBody = Type.Object({
  assetId: Id,
  campaignId: Type.Optional(Type.Union([Id, Type.Null()], { description: 'leave out (or null) to opt out of every campaign' })),
  note: Type.Optional(Type.String({ maxLength: CAMPAIGN_LIMITS.note })),
}, { additionalProperties: false });

const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
const AssetParams = Type.Object({ id: Id, assetId: Id }, { additionalProperties: false });
const OptOutParams = Type.Object({ id: Id, optOutId: Id }, { additionalProperties: false });

export const campaignRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const campaigns = services.campaigns;
  const tags = ['campaigns'];

  app.get('/campaigns', {
    schema: {
      tags,
      summary: 'Campaigns you may read (by label, or because they touch your organisation), latest start first',
      querystring: ListQuery,
      response: { 200: PageOf(Campaign), ...errorResponses() },
    },
  }, async (request) => campaigns.list(request.principal, request.query));

  app.post('/campaigns', {
    schema: {
      tags,
      summary: 'Register a scanning campaign',
      description: 'Members of an AI developer or researcher organisation (`organisationId`, or your only lab). The scope names organisations, '
        + 'inventories and named assets you can read, purls, CIDR ranges and sectors; the window is two RFC 3339 instants with their zone, '
        + `at most ${CAMPAIGN_LIMITS.windowDays} days long and not yet over. The default TLP is AMBER. Problems name the field at fault.`,
      body: CreateBody,
      response: { 201: Campaign, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const view = await campaigns.create(request.principal, request.body);
    reply.code(201).header('ETag', `"${view.version}"`).header('Location', `/api/v1/campaigns/${view.id}`);
    return view;
  });

  app.get('/campaigns/overlaps', {
    schema: {
      tags,
      summary: 'Coordinators: pairs of campaigns aiming at the same target in overlapping windows',
      description: 'Only campaigns you read through their label, neither cancelled. The same target: the same organisation (named, or through its inventories or assets), sector, package, or overlapping ranges.',
      querystring: OverlapQuery,
      response: { 200: PageOf(Overlap), ...errorResponses() },
    },
  }, async (request) => campaigns.overlaps(request.principal, request.query));

  app.get('/campaigns/:id', {
    schema: { tags, summary: 'One campaign (ETag carries its version)', params: IdParams, response: { 200: Campaign, ...errorResponses(404) } },
  }, async (request, reply) => {
    const view = await campaigns.get(request.principal, request.params.id);
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.put('/campaigns/:id', {
    schema: {
      tags,
      summary: 'Change a campaign (If-Match required): the whole registration is replaced, and who it touches follows',
      params: IdParams,
      headers: ifMatchHeaders,
      body: UpdateBody,
      response: { 200: Campaign, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const view = await campaigns.update(request.principal, request.params.id, expectedVersion(request.headers['if-match'], undefined), request.body);
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.post('/campaigns/:id/cancel', {
    schema: {
      tags,
      summary: 'Cancel a campaign (If-Match required); it stays readable, marked cancelled',
      params: IdParams,
      headers: ifMatchHeaders,
      body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: CAMPAIGN_LIMITS.cancelReason })) }, { additionalProperties: false, description: 'optional: the request may have no body' }),
      response: { 200: Campaign, ...errorResponses(404, 409, 412, 428) },
    },
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {};
    },
  }, async (request, reply) => {
    const view = await campaigns.cancel(request.principal, request.params.id, expectedVersion(request.headers['if-match'], undefined), request.body.reason);
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.get('/campaigns/:id/opt-outs', {
    schema: {
      tags,
      summary: 'Opt-outs that apply to a campaign: all of them for its owner, your own for an operator it touches',
      params: IdParams,
      querystring: PageQuery,
      response: { 200: PageOf(OptOut), ...errorResponses(404) },
    },
  }, async (request) => campaigns.campaignOptOuts(request.principal, request.params.id, request.query));

  app.get('/organisations/:id/assets', {
    schema: {
      tags,
      summary: 'An organisation\'s named assets you may read (their network ranges, optionally the inventory each stands for)',
      params: IdParams,
      querystring: PageQuery,
      response: { 200: PageOf(Asset), ...errorResponses(404) },
    },
  }, async (request) => campaigns.listAssets(request.principal, request.params.id, request.query));

  app.post('/organisations/:id/assets', {
    schema: {
      tags,
      summary: 'Declare a named asset (the organisation\'s administrators)',
      description: `At most ${CAMPAIGN_LIMITS.assetsPerOrganisation} assets per organisation and ${CAMPAIGN_LIMITS.rangesPerAsset} ranges per asset.`,
      params: IdParams,
      body: AssetBody,
      response: { 201: Asset, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const view = await campaigns.createAsset(request.principal, request.params.id, request.body);
    reply.code(201).header('ETag', `"${view.version}"`).header('Location', `/api/v1/organisations/${view.organisationId}/assets/${view.id}`);
    return view;
  });

  app.get('/organisations/:id/assets/:assetId', {
    schema: { tags, summary: 'One named asset', params: AssetParams, response: { 200: Asset, ...errorResponses(404) } },
  }, async (request, reply) => {
    const view = await campaigns.getAsset(request.principal, request.params.id, request.params.assetId);
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.put('/organisations/:id/assets/:assetId', {
    schema: {
      tags,
      summary: 'Change a named asset (If-Match required); which campaigns touch the organisation follows',
      params: AssetParams,
      headers: ifMatchHeaders,
      body: AssetBody,
      response: { 200: Asset, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const view = await campaigns.updateAsset(request.principal, request.params.id, request.params.assetId, expectedVersion(request.headers['if-match'], undefined), request.body);
    reply.header('ETag', `"${view.version}"`);
    return view;
  });

  app.delete('/organisations/:id/assets/:assetId', {
    schema: { tags, summary: 'Remove a named asset with its opt-outs', params: AssetParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    await campaigns.removeAsset(request.principal, request.params.id, request.params.assetId);
    reply.code(204);
  });

  app.get('/organisations/:id/opt-outs', {
    schema: {
      tags,
      summary: 'The organisation\'s opt-outs (its members)',
      params: IdParams,
      querystring: PageQuery,
      response: { 200: PageOf(OptOut), ...errorResponses(404) },
    },
  }, async (request) => campaigns.organisationOptOuts(request.principal, request.params.id, request.query));

  app.post('/organisations/:id/opt-outs', {
    schema: {
      tags,
      summary: 'Opt a named asset out of one campaign, or out of every campaign (the organisation\'s administrators)',
      description: 'The owners of the campaigns it applies to then see the asset\'s name, ranges and inventory, and your organisation: which targets to leave alone.',
      params: IdParams,
      body: OptOutBody,
      response: { 201: OptOut, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const view = await campaigns.optOut(request.principal, request.params.id, request.body);
    reply.code(201);
    return view;
  });

  app.delete('/organisations/:id/opt-outs/:optOutId', {
    schema: { tags, summary: 'Withdraw an opt-out', params: OptOutParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    await campaigns.withdrawOptOut(request.principal, request.params.id, request.params.optOutId);
    reply.code(204);
  });
};
