#!/usr/bin/env node
// Runs every *.test.ts under the given folders (default: src, web/src and test) with Node's test runner and tsx.
// Node 20's --test takes no globs, so the files are listed here.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.test\.tsx?$/.test(name)) files.push(path);
  }
}
for (const root of roots.length ? roots : ['src', 'web/src', 'test']) {
  if (statSync(root).isDirectory()) walk(root);
  else files.push(root);
}
files.sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The spec reporter prints as before (its summary lines are what CI reads); a second reporter collects the skips.
const recapDir = mkdtempSync(join(tmpdir(), 'clearinghouse-test-recap-'));
const recapFile = join(recapDir, 'skips.jsonl');
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${new URL('./skip-reporter.mjs', import.meta.url).href}`, `--test-reporter-destination=${recapFile}`,
    ...flags, ...files,
  ],
  { stdio: 'inherit' },
);
let entries = [];
try {
  entries = readFileSync(recapFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  // No file: the runner died before reporting; its own output says why.
}
rmSync(recapDir, { recursive: true, force: true });
// Printed last, after the runner's summary, so a skipped suite cannot scroll by unnoticed.
const skipped = entries.filter((e) => e.kind === 'skipped');
const todo = entries.filter((e) => e.kind === 'todo');
const line = (e) =>
  `#   ${e.file ? relative(process.cwd(), e.file) : '?'}: ${e.path.join(' > ')}${e.suite ? ' (whole suite)' : ''}${e.reason ? ` -- ${e.reason}` : ''}`;
console.log('');
if (skipped.length === 0 && todo.length === 0) console.log('# recap: nothing skipped');
else {
  if (skipped.length) console.log(`# recap: ${skipped.length} SKIPPED (did not run):\n${skipped.map(line).join('\n')}`);
  if (todo.length) console.log(`# recap: ${todo.length} todo:\n${todo.map(line).join('\n')}`);
}
process.exit(result.status ?? 1);
