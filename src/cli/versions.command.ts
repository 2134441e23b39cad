/**
 * `clearinghouse versions sort --ecosystem <E>` and `clearinghouse versions compare --ecosystem <E> <a> <b>`.
 * Outside scripts rely on this contract (docs/versions.md): sort reads one version per line on stdin and prints them
 * ascending (stable); a bad version or an unknown ecosystem exits 2 with the reason on stderr.
 */
import type { Command } from 'commander';
import { DomainError } from '../domain/errors.ts';
import { requireVersionScheme } from '../domain/versions/index.ts';
import type { VersionScheme } from '../domain/versions/version-scheme.ts';

function fail(sub: string, message: string): void {
  process.stderr.write(`clearinghouse versions ${sub}: ${message}\n`);
  process.exitCode = 2;
}

function schemeOrFail(sub: string, ecosystem: string): VersionScheme | undefined {
  try {
    return requireVersionScheme(ecosystem);
  } catch (err) {
    if (err instanceof DomainError) {
      fail(sub, err.message);
      return undefined;
    }
    throw err;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Splits input into lines: `\r\n` or `\n`, and a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * Sorts versions ascending under a scheme, stably; throws a message naming the 1-based line of the first version that
 * does not parse.
 */
export function sortVersions(scheme: VersionScheme, lines: readonly string[]): string[] {
  const parsed = lines.map((text, i) => {
    try {
      return { text, key: scheme.parse(text), i };
    } catch (err) {
      if (err instanceof DomainError) throw new LineError(i + 1, text, err.message);
      throw err;
    }
  });
  parsed.sort((a, b) => scheme.compare(a.key, b.key) || a.i - b.i);
  return parsed.map((p) => p.text);
}

export class LineError extends Error {
  constructor(
    readonly line: number,
    readonly version: string,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export function registerVersionsCommand(program: Command): void {
  const versions = program
    .command('versions')
    .description('order versions by an OSV ecosystem\'s own rules (see docs/versions.md)');

  versions
    .command('sort')
    .description('read one version per line on stdin and print them in ascending order')
    .requiredOption('-e, --ecosystem <name>', 'OSV ecosystem name, e.g. PyPI, npm, Debian:12, "Red Hat"')
    .action(async (opts: { ecosystem: string }) => {
      const scheme = schemeOrFail('sort', opts.ecosystem);
      if (!scheme) return;
      const lines = splitLines(await readStdin());
      let sorted: string[];
      try {
        sorted = sortVersions(scheme, lines);
      } catch (err) {
        if (err instanceof LineError) return fail('sort', err.message);
        throw err;
      }
      if (sorted.length > 0) process.stdout.write(sorted.join('\n') + '\n');
    });

  versions
    .command('compare')
    .description('compare two versions, printing <, = or >')
    .requiredOption('-e, --ecosystem <name>', 'OSV ecosystem name, e.g. PyPI, npm, Debian:12, "Red Hat"')
    .argument('<a>', 'first version (put -- before versions that start with "-")')
    .argument('<b>', 'second version')
    .action((a: string, b: string, opts: { ecosystem: string }) => {
      const scheme = schemeOrFail('compare', opts.ecosystem);
      if (!scheme) return;
      let d: number;
      try {
        d = scheme.compare(scheme.parse(a), scheme.parse(b));
      } catch (err) {
        if (err instanceof DomainError) return fail('compare', err.message);
        throw err;
      }
      process.stdout.write(`${d < 0 ? '<' : d > 0 ? '>' : '='}\n`);
    });
}
