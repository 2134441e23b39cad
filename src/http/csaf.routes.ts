import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Services } from '../composition.ts';
import { ANONYMOUS } from '../domain/policy/access-label.ts';
import { NotFoundError, UnauthenticatedError } from '../domain/errors.ts';
import { CSAF_TLP_DIRS, feedFile, type CsafTlpDir } from '../formats/csaf-provider.ts';
import { errorResponses } from './schemas.ts';

/**
 * The CSAF 2.0 trusted provider tree (CSAF 2.0 §7). Registered at the root. Everything is answered in place (no
 * redirects, §7.1.6). The TLP:WHITE tree is public and open to any origin (§7.1.4 wants aggregators and browser
 * tools to read it); GREEN and AMBER need a signed-in caller (bearer tokens, so aggregators can automate) and show
 * only what the label policy lets that caller read (404 otherwise, as for an absent document).
 */
const Year = Type.String({ pattern: '^[0-9]{4}$' });
const FileName = Type.String({ maxLength: 160, pattern: '^[a-z0-9][a-z0-9+_-]*\\.json(\\.sha256|\\.sha512|\\.asc)?$' });
const Text = Type.String();

function publicHeaders(reply: FastifyReply, dir: CsafTlpDir | 'meta'): void {
  if (dir === 'white' || dir === 'meta') {
    reply.header('Access-Control-Allow-Origin', '*').header('Cross-Origin-Resource-Policy', 'cross-origin').header('Cache-Control', 'public, max-age=300');
  } else {
    reply.header('Cache-Control', 'private, no-store').header('Vary', 'Authorization, Cookie');
  }
}

export const csafRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const csaf = services.csaf;
  const tags = ['csaf'];

  // The auth plugin resolves credentials under /api/ only; the GREEN and AMBER trees need the same bearer tokens
  // (aggregators automate with them), with the same rule: a token that is wrong in any way is a 401, never anonymous.
  app.addHook('onRequest', async (request) => {
    if (request.principal !== ANONYMOUS || !/^\/\.well-known\/csaf\/(green|amber|feed-tlp-green|feed-tlp-amber)\b/.test(request.url)) return;
    const header = request.headers.authorization;
    if (header === undefined) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = m ? await services.auth.fromToken(m[1]!) : null;
    if (!principal) throw new UnauthenticatedError();
    request.principal = principal;
  });

  app.get('/.well-known/csaf/provider-metadata.json', {
    schema: { tags, summary: 'CSAF 2.0 provider metadata (role csaf_trusted_provider)', response: { 200: Type.Unknown(), ...errorResponses() } },
  }, async (_request, reply) => {
    publicHeaders(reply, 'meta');
    reply.type('application/json');
    // ANONYMOUS: the metadata is one public file, whoever asks.
    return JSON.stringify(await csaf.providerMetadata(ANONYMOUS), null, 2) + '\n';
  });

  app.get('/.well-known/security.txt', {
    schema: { tags, summary: 'RFC 9116 security.txt with the CSAF field', response: { 200: Text, ...errorResponses() } },
  }, async (_request, reply) => {
    publicHeaders(reply, 'meta');
    reply.type('text/plain; charset=utf-8');
    return csaf.securityTxt();
  });

  app.get('/.well-known/csaf/openpgp/:file', {
    schema: {
      tags, summary: 'The public OpenPGP key the documents are signed with',
      params: Type.Object({ file: Type.String({ pattern: '^[0-9A-Fa-f]{16,64}\\.asc$' }) }, { additionalProperties: false }),
      response: { 200: Text, ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const key = await csaf.publicKey(request.params.file.slice(0, -4));
    publicHeaders(reply, 'meta');
    reply.type('application/pgp-keys');
    return key.armored;
  });

  for (const dir of CSAF_TLP_DIRS) {
    const tlp = dir.toUpperCase();
    const who = dir === 'white' ? 'Public.' : 'Requires sign-in (bearer token); lists what the caller may read.';

    app.get(`/.well-known/csaf/${feedFile(dir)}`, {
      schema: { tags, summary: `ROLIE feed of the TLP:${tlp} CSAF documents`, description: who, response: { 200: Type.Unknown(), ...errorResponses() } },
    }, async (request, reply) => {
      const feed = await csaf.feed(dir === 'white' ? ANONYMOUS : request.principal, dir);
      publicHeaders(reply, dir);
      reply.type('application/json');
      return JSON.stringify(feed, null, 2) + '\n';
    });

    app.get(`/.well-known/csaf/${dir}/index.txt`, {
      schema: { tags, summary: `Every TLP:${tlp} CSAF document path (CSAF 2.0 §7.1.13)`, description: who, response: { 200: Text, ...errorResponses() } },
    }, async (request, reply) => {
      const body = await csaf.indexTxt(dir === 'white' ? ANONYMOUS : request.principal, dir);
      publicHeaders(reply, dir);
      reply.type('text/plain; charset=utf-8');
      return body;
    });

    app.get(`/.well-known/csaf/${dir}/changes.csv`, {
      schema: { tags, summary: `TLP:${tlp} CSAF documents by last change, newest first (CSAF 2.0 §7.1.14)`, description: who, response: { 200: Text, ...errorResponses() } },
    }, async (request, reply) => {
      const body = await csaf.changesCsv(dir === 'white' ? ANONYMOUS : request.principal, dir);
      publicHeaders(reply, dir);
      reply.type('text/csv; charset=utf-8');
      return body;
    });

    app.get(`/.well-known/csaf/${dir}/:year/:file`, {
      schema: {
        tags, summary: `One TLP:${tlp} CSAF document, or its .sha256, .sha512 or OpenPGP .asc signature`, description: who,
        params: Type.Object({ year: Year, file: FileName }, { additionalProperties: false }),
        response: { 200: Text, ...errorResponses(404) },
      },
    }, async (request, reply) => {
      const { year, file } = request.params;
      const m = /^(.+\.json)(?:\.(sha256|sha512|asc))?$/.exec(file);
      if (!m) throw new NotFoundError('CSAF document');
      // The white tree is read as the public, so a signed-in reader never gets more there than anyone else.
      const files = await csaf.document(dir === 'white' ? ANONYMOUS : request.principal, dir, year, m[1]!);
      publicHeaders(reply, dir);
      switch (m[2]) {
        case 'sha256': reply.type('text/plain; charset=utf-8'); return files.sha256;
        case 'sha512': reply.type('text/plain; charset=utf-8'); return files.sha512;
        case 'asc': reply.type('application/pgp-signature'); return files.asc;
        default: reply.type('application/json'); return files.json;
      }
    });
  }
};
