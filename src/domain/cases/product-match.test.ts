import assert from 'node:assert/strict';
import { it } from 'node:test';
import { cpeMatches, cpeParts, declarationMatches, DeclarationError, normaliseCpe, normalisePurlPrefix, purlMatches } from './product-match.ts';
import { productPurl } from '../intake/finding-input.ts';

it('normalises purl prefixes: namespaces end with /, whole packages print canonically, versions are refused', () => {
  assert.deepEqual(normalisePurlPrefix('pkg:npm/@acme/'), { prefix: 'pkg:npm/%40acme/', type: 'npm' });
  assert.deepEqual(normalisePurlPrefix('PKG:Maven/com.acme/'.replace('PKG', 'pkg')), { prefix: 'pkg:maven/com.acme/', type: 'maven' });
  assert.deepEqual(normalisePurlPrefix('pkg:npm/@acme/widget'), { prefix: 'pkg:npm/%40acme/widget', type: 'npm' });
  assert.deepEqual(normalisePurlPrefix('pkg:pypi/Acme_Widget'), { prefix: productPurl('pkg:pypi/Acme_Widget'), type: 'pypi' });
  for (const bad of ['', 'acme', 'pkg:npm/', 'pkg:npm/acme@1.0.0', 'pkg:npm/acme?x=1', 'pkg:npm//', 42]) {
    assert.throws(() => normalisePurlPrefix(bad), DeclarationError, String(bad));
  }
});

it('matches packages under a namespace prefix, and a package prefix only to itself', () => {
  const scoped = normalisePurlPrefix('pkg:npm/@acme/').prefix;
  assert.equal(purlMatches(productPurl('pkg:npm/@acme/widget@1.2.3'), scoped), true);
  assert.equal(purlMatches(productPurl('pkg:npm/@acme-evil/widget'), scoped), false);
  const one = normalisePurlPrefix('pkg:npm/acme').prefix;
  assert.equal(purlMatches('pkg:npm/acme', one), true);
  assert.equal(purlMatches('pkg:npm/acme@2.0.0', one), true, 'a version on the finding\'s purl does not matter');
  assert.equal(purlMatches('pkg:npm/acme-evil', one), false);
  assert.equal(purlMatches('pkg:pypi/acme', one), false, 'another ecosystem');
  assert.equal(purlMatches(productPurl('pkg:maven/com.acme/widget'), normalisePurlPrefix('pkg:maven/com.acme/').prefix), true);
  assert.equal(purlMatches(productPurl('pkg:maven/com.acmesoft/widget'), normalisePurlPrefix('pkg:maven/com.acme/').prefix), false);
});

it('reads CPE 2.3 vendor and product, and matches a vendor alone or with its product', () => {
  assert.deepEqual(cpeParts('cpe:2.3:a:Acme:Widget:2.1:*:*:*:*:*:*:*'), { vendor: 'acme', product: 'widget' });
  assert.equal(cpeParts('cpe:2.3:a:*:widget'), null);
  assert.equal(cpeParts('cpe:/a:acme:widget'), null, 'CPE 2.2 URIs are not CPE 2.3 names');
  assert.deepEqual(normaliseCpe(' ACME ', '*'), { vendor: 'acme', product: null });
  assert.throws(() => normaliseCpe('', 'x'), DeclarationError);
  assert.throws(() => normaliseCpe('acme', 'has space'), DeclarationError);
  const cpe = 'cpe:2.3:a:acme:widget:2.1:*:*:*:*:*:*:*';
  assert.equal(cpeMatches(cpe, { kind: 'cpe', vendor: 'acme', product: null }), true);
  assert.equal(cpeMatches(cpe, { kind: 'cpe', vendor: 'acme', product: 'widget' }), true);
  assert.equal(cpeMatches(cpe, { kind: 'cpe', vendor: 'acme', product: 'gadget' }), false);
  assert.equal(declarationMatches({ purl: null, cpe }, { kind: 'purl', prefix: 'pkg:npm/acme' }), false);
  assert.equal(declarationMatches({ purl: 'pkg:npm/acme', cpe: null }, { kind: 'purl', prefix: 'pkg:npm/acme' }), true);
});
