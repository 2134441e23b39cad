import assert from 'node:assert/strict';
import { it } from 'node:test';
import { contentDisposition, FILENAME_MAX, safeMediaType, sanitiseFilename } from './attachment-rules.ts';

it('keeps only the last path segment of a filename, without control, header-special or leading-dot characters', () => {
  const cases: [string | null | undefined, string][] = [
    ['poc.txt', 'poc.txt'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\dump.bin', 'dump.bin'],
    ['evil"; filename=x.html', 'evil__ filename=x.html'],
    ['.htaccess', 'htaccess'],
    ['line\nbreak\u0000.txt', 'linebreak.txt'],
    ['right\u202Eto-left.txt', 'rightto-left.txt'],
    ['  spaced   name .txt  ', 'spaced name .txt'],
    ['cafe\u0301.png', 'café.png'],
    ['', 'attachment'],
    [null, 'attachment'],
    ['...', 'attachment'],
  ];
  for (const [sent, want] of cases) assert.equal(sanitiseFilename(sent), want, JSON.stringify(sent));
});

it('shortens a long filename to the cap, keeping its extension', () => {
  const long = `${'a'.repeat(300)}.sarif`;
  const out = sanitiseFilename(long);
  assert.equal([...out].length, FILENAME_MAX);
  assert.ok(out.endsWith('.sarif'));
});

it('keeps safe media types and turns every other into application/octet-stream', () => {
  assert.equal(safeMediaType('text/plain; charset=utf-8'), 'text/plain');
  assert.equal(safeMediaType('IMAGE/PNG'), 'image/png');
  assert.equal(safeMediaType('application/pdf'), 'application/pdf');
  for (const active of ['text/html', 'image/svg+xml', 'application/xhtml+xml', 'text/xml', 'application/javascript', 'text/javascript', 'application/x-shockwave-flash', '', null, undefined, 'nonsense']) {
    assert.equal(safeMediaType(active), 'application/octet-stream', String(active));
  }
});

it('writes Content-Disposition as an attachment with an ASCII fallback and the UTF-8 name', () => {
  assert.equal(contentDisposition('poc.txt'), `attachment; filename="poc.txt"; filename*=UTF-8''poc.txt`);
  assert.equal(contentDisposition('schéma (1).png'), `attachment; filename="sch_ma (1).png"; filename*=UTF-8''sch%C3%A9ma%20%281%29.png`);
  assert.equal(contentDisposition('100%.txt'), `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`);
});
