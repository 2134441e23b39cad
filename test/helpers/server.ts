import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.ts';
import { bootstrapIfEmpty } from '../../src/services/bootstrap.service.ts';
import type { Driver } from '../../src/store/db.ts';
import type { ContainerOptions } from '../../src/composition.ts';
import { testContainer, type TestContainer } from './db.ts';

export interface TestServer {
  url: string;
  admin: { email: string; oneTimePassword: string };
  app: FastifyInstance;
  container: TestContainer;
  close(): Promise<void>;
}

/** A real server on a free loopback port over a fresh database, with the first administrator bootstrapped. */
export async function startTestServer(opts: { driver?: Driver; env?: Record<string, string>; listen?: boolean } & ContainerOptions = {}): Promise<TestServer> {
  const { driver = 'sqlite', listen = true, ...rest } = opts;
  const container = await testContainer(driver, rest);
  const app = await buildApp(container, { logger: false });
  const first = await bootstrapIfEmpty(container, { adminEmail: container.config.adminEmail, organisationName: container.config.adminOrganisation });
  let url = '';
  if (listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
  } else {
    await app.ready();
  }
  return {
    url,
    admin: { email: first!.email, oneTimePassword: first!.oneTimePassword },
    app,
    container,
    async close() {
      await app.close();
      await container.destroy();
    },
  };
}
