/**
 * `clearinghouse csaf export <dir>`: writes the public CSAF 2.0 tree (what the server serves under
 * `/.well-known/csaf/`: provider-metadata.json, the TLP:WHITE documents with .sha256, .sha512 and .asc, index.txt,
 * changes.csv, the white ROLIE feed and the public key) into <dir>, for a static mirror. Read as the anonymous
 * public, so nothing beyond TLP:CLEAR can end up on disk. Prints `{ "documents": n, "dir": "..." }` on stdout.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Container } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { ANONYMOUS } from '../domain/policy/access-label.ts';
import { DomainError } from '../domain/errors.ts';
import { feedFile } from '../formats/csaf-provider.ts';

export type ContainerRunner = (opts: { data?: string }, fn: (c: Container) => Promise<void>) => Promise<void>;

/** Writes through a temporary name so a mirror being served never shows a half-written file. */
async function put(root: string, rel: string, body: string): Promise<void> {
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, body);
  await rename(`${path}.tmp`, path);
}

export async function exportCsafTree(c: Container, dir: string): Promise<{ documents: number; dir: string }> {
  const csaf = c.services.csaf;
  const root = resolve(dir);
  let documents = 0;
  for await (const f of csaf.exportDocuments(ANONYMOUS, 'white')) {
    const rel = join('white', ...f.entry.path.split('/'));
    await put(root, rel, f.json);
    await put(root, `${rel}.sha256`, f.sha256);
    await put(root, `${rel}.sha512`, f.sha512);
    await put(root, `${rel}.asc`, f.asc);
    documents++;
  }
  await put(root, join('white', 'index.txt'), await csaf.indexTxt(ANONYMOUS, 'white'));
  await put(root, join('white', 'changes.csv'), await csaf.changesCsv(ANONYMOUS, 'white'));
  await put(root, feedFile('white'), JSON.stringify(await csaf.feed(ANONYMOUS, 'white'), null, 2) + '\n');
  const key = await csaf.publicKey();
  await put(root, join('openpgp', `${key.fingerprint}.asc`), key.armored);
  await put(root, 'provider-metadata.json', JSON.stringify(await csaf.providerMetadata(ANONYMOUS), null, 2) + '\n');
  return { documents, dir: root };
}

/** Without a runner from the caller: open the configured database (no migrations: export never creates one). */
const defaultRunner: ContainerRunner = async (opts, fn) => {
  const { createContainer } = await import('../composition.ts');
  const c = await createContainer(loadConfig(process.env, opts.data ? { data: opts.data } : {}), { migrate: false, sbomWorkers: false });
  try {
    await fn(c);
  } finally {
    await c.close();
  }
};

export function registerCsafCommand(program: Command, run: ContainerRunner = defaultRunner): void {
  const csaf = program.command('csaf').description('CSAF 2.0 provider');
  csaf
    .command('export')
    .description('write the public (TLP:WHITE) CSAF tree, as served under /.well-known/csaf/, into <dir>')
    .argument('<dir>', 'target directory (created when missing)')
    .option('--data <dir>', 'data directory (SQLite); DATABASE_URL for PostgreSQL')
    .action(async (dir: string, opts: { data?: string }) => {
      try {
        await run(opts, async (c) => {
          process.stdout.write(JSON.stringify(await exportCsafTree(c, dir)) + '\n');
        });
      } catch (err) {
        if (err instanceof DomainError) {
          process.stderr.write(`clearinghouse csaf export: ${err.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    });
}
