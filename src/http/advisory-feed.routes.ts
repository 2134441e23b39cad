import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../composition.ts';
import type { Config } from '../config.ts';
import { ANONYMOUS } from '../domain/policy/access-label.ts';
import type { AdvisoryView } from '../services/advisory.service.ts';
import { advisoryToCycloneDxVex, advisoryToOpenVex } from '../formats/advisory-vex.ts';
import { atomFeed } from '../formats/atom-feed.ts';
import { AdvisoryId } from './advisory.routes.ts';
import { errorResponses } from './schemas.ts';

export interface AdvisoryFeedOptions {
  services: Services;
  /** `publicUrl` names the origin in documents; without it each request's own origin is used. */
  config?: Pick<Config, 'publicUrl'>;
}

/** The public feed is a window on recent work, not an archive: the OSV API and CSAF serve the full history. */
export const FEED_SIZE = 100;
const FEED_PAGES = 3;

const CYCLONEDX_TYPE = 'application/vnd.cyclonedx+json; version=1.6';

const VexQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('cyclonedx'), Type.Literal('openvex')], { default: 'cyclonedx' })),
}, { additionalProperties: false });

function baseUrl(config: AdvisoryFeedOptions['config'], request: FastifyRequest): string {
  return config?.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** `GET /advisories/:id/vex`; register under /api/v1. */
export const advisoryVexRoutes: FastifyPluginAsyncTypebox<AdvisoryFeedOptions> = async (app, { services, config }) => {
  app.get('/advisories/:id/vex', {
    schema: {
      tags: ['advisories'],
      summary: 'One published or withdrawn advisory as a VEX document (CycloneDX 1.6 or OpenVEX 0.2.0)',
      description: 'Readable by whoever may read the advisory (its access label); drafts are 404. A withdrawn advisory is stated as '
        + '`false_positive` (CycloneDX) / `not_affected` (OpenVEX).',
      params: Type.Object({ id: AdvisoryId }, { additionalProperties: false }),
      querystring: VexQuery,
      response: { 200: Type.Unknown({ description: 'the VEX document' }), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const view = await services.advisories.distributableOne(request.principal, request.params.id);
    const opts = { now: new Date(), publisherName: view.organisationName, baseUrl: baseUrl(config, request) };
    if (request.query.format === 'openvex') {
      reply.type('application/json');
      return advisoryToOpenVex(view, opts);
    }
    reply.type(CYCLONEDX_TYPE);
    return advisoryToCycloneDxVex(view, opts);
  });
};

/** `GET /feeds/advisories.atom`; register at the root. */
export const advisoryAtomRoutes: FastifyPluginAsyncTypebox<AdvisoryFeedOptions> = async (app, { services, config }) => {
  app.get('/feeds/advisories.atom', {
    schema: {
      tags: ['advisories'],
      summary: `Atom feed of the ${FEED_SIZE} most recently changed published TLP:CLEAR advisories`,
      description: 'Public: the same for every caller, whoever is signed in, so a feed URL shared onward never carries more than TLP:CLEAR.',
      response: { 200: Type.String({ description: 'Atom 1.0 XML' }), ...errorResponses() },
    },
  }, async (request, reply) => {
    // ANONYMOUS, not the caller: the feed is public by construction, and a signed-in reader's GREEN/AMBER
    // advisories must not reach a feed reader or a cache that shares it.
    // Withdrawn advisories are distributable too but stay out of the feed; a few pages past them fill it, and the
    // page cap bounds the work whatever the mix.
    const items: AdvisoryView[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < FEED_PAGES && items.length < FEED_SIZE; pages++) {
      const page = await services.advisories.distributable(ANONYMOUS, { limit: FEED_SIZE, tlp: ['CLEAR'], ...(after ? { after } : {}) });
      items.push(...page.items.filter((v) => v.state === 'published' && v.label.tlp === 'CLEAR').slice(0, FEED_SIZE - items.length));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    const updated = items.reduce((max, v) => (v.record.modified > max ? v.record.modified : max), '');
    reply.type('application/atom+xml; charset=utf-8').header('Cache-Control', 'public, max-age=300');
    return atomFeed(items, { baseUrl: baseUrl(config, request), updated: updated ? new Date(updated) : new Date(), title: 'Clearinghouse advisories' });
  });
};

/** Both routes in one plugin, for a caller that registers them at the root with the VEX route under its full path. */
export const advisoryFeedRoutes: FastifyPluginAsyncTypebox<AdvisoryFeedOptions> = async (app, opts) => {
  await app.register(advisoryVexRoutes, { ...opts, prefix: '/api/v1' });
  await app.register(advisoryAtomRoutes, opts);
};
