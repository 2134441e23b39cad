import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkBody, isSafeLink, MESSAGE_LIMITS, renderMessage } from './markdown.ts';

it('links: http(s), mailto and this site\'s paths only, whatever the case or hidden characters of the scheme', () => {
  for (const ok of ['https://example.com/x', 'HTTP://example.com', 'mailto:psirt@example.com', '/cases/1', '#top']) assert.equal(isSafeLink(ok), true, ok);
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', ' javascript:x', '\u0000javascript:x', 'java\u200bscript:x', 'vbscript:x', 'data:text/html,x', 'file:///etc/passwd', '//evil.example', '/\\evil.example', 'ftp://example.com', 'relative/path']) {
    assert.equal(isSafeLink(bad), false, JSON.stringify(bad));
  }
});

it('renders CommonMark with raw HTML as text, no images, rel on every link, headings below the page\'s', () => {
  assert.equal(renderMessage('<b>x</b>'), '<p>&lt;b&gt;x&lt;/b&gt;</p>\n');
  assert.equal(renderMessage('# Title'), '<h4>Title</h4>\n');
  assert.equal(renderMessage('![a](https://t.example/p.png)'), '<p>!<a href="https://t.example/p.png" rel="noopener noreferrer nofollow">a</a></p>\n');
  assert.equal(renderMessage('[x](javascript:alert(1))'), '<p>[x](javascript:alert(1))</p>\n');
  assert.equal(renderMessage('a\nb'), '<p>a<br />\nb</p>\n', 'a line break is kept, as people type in a thread');
  assert.match(renderMessage('| a |\n|---|\n| 1 |'), /<table>/);
});

it('a body is text, not blank, within the cap; CRLF becomes LF', () => {
  assert.deepEqual(checkBody('a\r\nb'), { ok: true, body: 'a\nb' });
  assert.equal(checkBody('  \n ').ok, false);
  assert.equal(checkBody(42).ok, false);
  assert.equal(checkBody('x'.repeat(MESSAGE_LIMITS.body)).ok, true);
  assert.equal(checkBody('x'.repeat(MESSAGE_LIMITS.body + 1)).ok, false);
  assert.equal(checkBody('a\u0000b').ok, false);
});

it('deep nesting stops at the cap instead of growing the tree', () => {
  const html = renderMessage('>'.repeat(200) + ' deep');
  assert.ok((html.match(/<blockquote>/g) ?? []).length <= MESSAGE_LIMITS.nesting);
});
