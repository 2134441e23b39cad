import assert from 'node:assert/strict';
import { it } from 'node:test';
import { normaliseStatus, StatusInputError } from './vendor-status.ts';

const fails = (input: Parameters<typeof normaliseStatus>[0], field: string) =>
  assert.throws(() => normaliseStatus(input), (e: unknown) => e instanceof StatusInputError && e.field === field, `${JSON.stringify(input)} -> ${field}`);

it('takes the five statuses with a statement, canonical fixed-version purls and mitigations', () => {
  assert.deepEqual(normaliseStatus({ status: 'fixed', statement: ' Fixed in 2.1. ', fixedVersions: [{ purl: 'pkg:npm/@acme/widget@2.0.0', fixed: '2.1.0' }] }), {
    status: 'fixed', statement: 'Fixed in 2.1.', fixedVersions: [{ purl: 'pkg:npm/%40acme/widget', fixed: '2.1.0' }], mitigations: '',
  });
  assert.equal(normaliseStatus({ status: 'not-affected', statement: 'We do not ship the module.' }).status, 'not-affected');
  assert.equal(normaliseStatus({ status: 'fixed', mitigations: 'Patched the hosted service.' }).fixedVersions.length, 0);
});

it('names the field at fault', () => {
  fails({ status: 'patched' }, 'status');
  fails({ status: 'affected', statement: 'x'.repeat(10_001) }, 'statement');
  fails({ status: 'fixed', fixedVersions: [{ purl: 'not a purl', fixed: '1' }] }, 'fixedVersions[0].purl');
  fails({ status: 'fixed', fixedVersions: [{ purl: 'pkg:npm/a', fixed: '' }] }, 'fixedVersions[0].fixed');
  fails({ status: 'fixed', fixedVersions: 'pkg:npm/a' }, 'fixedVersions');
  fails({ status: 'not-affected', fixedVersions: [{ purl: 'pkg:npm/a', fixed: '1.0.1' }] }, 'fixedVersions');
  fails({ status: 'fixed' }, 'fixedVersions');
});
