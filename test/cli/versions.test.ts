// The `clearinghouse versions` CLI contract (docs/versions.md). Each spawn of the binary costs about two seconds
// (it loads the whole CLI), so the binary is exercised for the contract's main paths and the finer points of line
// handling are checked in-process on the same functions the command uses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sortVersions, splitLines } from '../../src/cli/versions.command.ts';
import { requireVersionScheme } from '../../src/domain/versions/index.ts';

const bin = fileURLToPath(new URL('../../bin/clearinghouse.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('clearinghouse versions sort', { concurrency: true }, () => {
  it('prints unsorted PyPI versions in ascending PEP 440 order', async () => {
    const r = await run(['versions', 'sort', '--ecosystem', 'PyPI'], '1.10\n1.2\n1.2rc1\n1!0.1\n1.2.post1\n1.2.dev0\n');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '1.2.dev0\n1.2rc1\n1.2\n1.2.post1\n1.10\n1!0.1\n');
  });

  it('uses the suffixed ecosystem\'s base rules and trims CRLF line ends', async () => {
    const r = await run(['versions', 'sort', '--ecosystem', 'Debian:12'], '1.0-1\r\n1.0~rc1-1\r\n1:0.9-1\r\n1.0-1+deb12u1\r\n');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '1.0~rc1-1\n1.0-1\n1.0-1+deb12u1\n1:0.9-1\n');
  });

  it('exits 2 naming the line number and the version that does not parse', async () => {
    const r = await run(['versions', 'sort', '--ecosystem', 'npm'], '1.0.0\n2.0.0\nnot-a-version\n3.0.0\n');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /line 3/);
    assert.match(r.stderr, /not-a-version/);
  });

  it('exits 2 for an unknown ecosystem, listing the known ones', async () => {
    const r = await run(['versions', 'sort', '--ecosystem', 'pypi'], '1.0\n');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown ecosystem "pypi"/);
    assert.match(r.stderr, /PyPI/);
    assert.match(r.stderr, /crates\.io/);
  });

});

describe('clearinghouse versions compare', { concurrency: true }, () => {
  it('prints <, = or > and exits 0', async () => {
    const r = await run(['versions', 'compare', '--ecosystem', 'Red Hat', '1.0~rc1', '1.0']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '<\n');
  });

  it('exits 2 for a version the ecosystem rejects', async () => {
    const r = await run(['versions', 'compare', '--ecosystem', 'Hackage', '1.0', '1.0-beta']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /1\.0-beta/);
  });
});

describe('versions sort line handling (in-process)', () => {
  it('splits on LF and CRLF and ignores only a final empty line', () => {
    assert.deepEqual(splitLines('a\r\nb\nc\n'), ['a', 'b', 'c']);
    assert.deepEqual(splitLines('a\nb'), ['a', 'b']);
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('a\n\nb\n'), ['a', '', 'b']);
  });

  it('keeps equal versions in input order (stable)', () => {
    const maven = requireVersionScheme('Maven');
    assert.deepEqual(sortVersions(maven, ['1.0.0', '1-ga', '0.9', '1', '1.0']), ['0.9', '1.0.0', '1-ga', '1', '1.0']);
    const nuget = requireVersionScheme('NuGet');
    assert.deepEqual(sortVersions(nuget, ['1.0.0-beta', '1.0.0-BETA', '1.0']), ['1.0.0-beta', '1.0.0-BETA', '1.0']);
  });

  it('names the first line that does not parse', () => {
    const pypi = requireVersionScheme('PyPI');
    assert.throws(() => sortVersions(pypi, ['1.0', '2.0', '', '3.0']), (err: Error & { line?: number }) => err.line === 3 && /line 3/.test(err.message));
  });
});
