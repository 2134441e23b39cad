import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';

/** Scanning campaigns, opt-outs and overlaps (issue 9). */
export const campaignRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (_app, { services: _services }) => {};
