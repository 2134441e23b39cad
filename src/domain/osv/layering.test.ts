import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The domain is the innermost layer (docs/ARCHITECTURE.md): it may not depend on parsers, storage or transports.
test('no domain module imports from src/formats, src/store, src/services or src/http', () => {
  const root = new URL('..', import.meta.url).pathname;
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
          if (/(^|\/)\.\.\/(?:\.\.\/)*(formats|store|services|http|cli)\//.test(m[1]!)) offenders.push(`${relative(root, p)} -> ${m[1]}`);
        }
      }
    }
  };
  walk(root);
  assert.deepEqual(offenders, []);
});
