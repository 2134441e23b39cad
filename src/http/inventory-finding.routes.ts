import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';

/** An inventory's findings, VEX analyses, VEX export and import (issue 10). */
export const inventoryFindingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (_app, { services: _services }) => {};
