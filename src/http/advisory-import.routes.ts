/**
 * `POST /api/v1/advisories/import` (site administrators): the HTTP face of `clearinghouse advisories import`. The body
 * is a ZIP archive (osv.dev's all.zip layout) or JSON (one record, an array, or `{ records: [...] }`); the answer is
 * the same summary the CLI prints.
 *
 * Off the request thread, or in small slices of it: the body arrives as a buffer (no JSON parse by Fastify); a ZIP
 * is read one entry at a time through an async generator that yields to the event loop after each entry, and every
 * entry is capped at OSV's record size, so no slice holds the loop for longer than one record's inflate and parse.
 * The service writes 500 records per transaction, between which the loop runs again. A JSON body is one parse on the
 * thread, which is why its limit is the small one (10 MiB parses in tens of milliseconds); bulk data comes as a ZIP.
 */
import { Type, type FastifyPluginAsyncTypebox, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { authorize } from '../domain/policy/authorize.ts';
import { itemsOfJson, itemsOfZip, isZipBytes, type ImportProblem } from '../formats/advisory-import-source.ts';
import { OSV_CAPS } from '../formats/osv-schema.ts';
import type { ZipLimits } from '../formats/zip-reader.ts';
import { problem, sendProblem, toProblem } from './problem.ts';
import { errorResponses } from './schemas.ts';

export const IMPORT_LIMITS = {
  /** A ZIP body; the largest shared OSV archive is 7.5 MiB, osv.dev's biggest ecosystems a few tens of MiB. */
  zipBytes: 100 * 1024 * 1024,
  /** A JSON body, parsed in one go on the request thread. */
  jsonBytes: 10 * 1024 * 1024,
  zip: {
    maxEntries: 200_000,
    maxEntryBytes: OSV_CAPS.maxBytes,
    maxTotalBytes: 1024 * 1024 * 1024,
    maxRatio: 1000,
  } satisfies ZipLimits,
} as const;

const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'];
const JSON_TYPES = ['application/json'];

const ImportSummary = Type.Object({
  added: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Array(Type.Object({ path: Type.String({ description: '`body`, `body[3]`, `body/records[3]` or `body!entry/in/archive.json`' }), reason: Type.String() })),
}, { $id: 'AdvisoryImportSummary' });

export const advisoryImportRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  await app.register(async (plain) => {
    const raw = plain.withTypeProvider<TypeBoxTypeProvider>();
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser(ZIP_TYPES, { parseAs: 'buffer', bodyLimit: IMPORT_LIMITS.zipBytes }, (_req, body, done) => done(null, body));
    // The route's limit is the ZIP one and Fastify applies it over a parser's own, so the JSON cap is enforced here.
    raw.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (_req, body, done) => {
      if ((body as Buffer).length <= IMPORT_LIMITS.jsonBytes) return done(null, body);
      done(Object.assign(new Error('JSON body too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), undefined);
    });
    // Refuse everyone but site administrators before reading up to 100 MiB of body.
    raw.addHook('onRequest', async (request) => authorize(request.principal, 'advisory.import', null, new Date()));
    raw.setErrorHandler((err, request, reply) => {
      const code = (err as { code?: string }).code;
      const instance = request.url.split('?')[0]!;
      if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_TYPE') {
        return sendProblem(reply, problem('unsupported-media-type', `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted; send a ZIP archive of OSV records as application/zip, or OSV JSON as application/json`, instance, { accepted: [...ZIP_TYPES, ...JSON_TYPES] }));
      }
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || (err as { statusCode?: number }).statusCode === 413) {
        const zip = ZIP_TYPES.includes((request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase());
        const limit = zip ? IMPORT_LIMITS.zipBytes : IMPORT_LIMITS.jsonBytes;
        return sendProblem(reply, problem('payload-too-large', `the body is larger than ${limit / 1024 / 1024} MiB${zip ? '' : '; send large sets as a ZIP archive (application/zip)'}`, instance, { limit }));
      }
      const { problem: p, unexpected } = toProblem(err as Error, request);
      if (unexpected) request.log.error({ err }, 'unhandled error');
      return sendProblem(reply, p);
    });

    raw.post('/advisories/import', {
      bodyLimit: IMPORT_LIMITS.zipBytes,
      schema: {
        tags: ['advisories'],
        summary: 'Mirror public OSV records as published TLP:CLEAR advisories of "Public sources" (site administrators)',
        description:
          `Body: a ZIP archive of OSV JSON files (application/zip, up to ${IMPORT_LIMITS.zipBytes / 1024 / 1024} MiB, ${IMPORT_LIMITS.zip.maxEntries} entries, ` +
          `${IMPORT_LIMITS.zip.maxTotalBytes / 1024 / 1024} MiB uncompressed, ${OSV_CAPS.maxBytes / 1024 / 1024} MiB per entry) or application/json (up to ` +
          `${IMPORT_LIMITS.jsonBytes / 1024 / 1024} MiB): one record, an array of records, or { "records": [...] }. Idempotent: the same id and modified are ` +
          'unchanged, a newer modified is a new revision, withdrawn withdraws. Bad records are listed in rejected (path and reason) and the rest load.',
        consumes: [...ZIP_TYPES, ...JSON_TYPES],
        response: { 200: ImportSummary, ...errorResponses(413, 415) },
      },
    }, async (request) => {
      const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      const problems: ImportProblem[] = [];
      const zip = isZipBytes(body) || ZIP_TYPES.includes((request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase());
      const items = zip ? itemsOfZip(body, 'body', problems, IMPORT_LIMITS.zip) : itemsOfJson(body, 'body', problems);
      const summary = await services.advisories.importRecords(request.principal, items);
      return { added: summary.added, updated: summary.updated, unchanged: summary.unchanged, rejected: [...problems, ...summary.rejected] };
    });
  });
};
