import type { ContainerOptions } from '../../src/composition.ts';
import type { OsvApiService } from '../../src/services/osv-api.service.ts';
import type { Driver } from '../../src/store/db.ts';
import { startTestServer, type TestServer } from './server.ts';

/** startTestServer with the OSV API's index loaded, so a suite's first query does not also time the load. */
export async function startOsvTestServer(opts: { driver?: Driver; env?: Record<string, string>; listen?: boolean } & ContainerOptions = {}): Promise<TestServer & { osv: OsvApiService }> {
  const server = await startTestServer(opts);
  const osv = server.container.services.osvApi;
  await osv.start();
  return { ...server, osv };
}
