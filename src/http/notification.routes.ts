import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';

/** The notification inbox (issue 9; issue 10 adds advisory notifications). */
export const notificationRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (_app, { services: _services }) => {};
