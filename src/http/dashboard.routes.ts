import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';

/** The coordinator's and the operator's dashboards (issue 10). */
export const dashboardRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (_app, { services: _services }) => {};
