/**
 * Case messages are written in Markdown and shown as HTML to every reader of the thread, so the HTML is built here
 * in two independent layers (docs/case-threads.md, "Markdown"):
 *
 * 1. markdown-it (CommonMark) with raw HTML off: `<script>`, `<img onerror=...>` and any other tag typed into a
 *    message come out as text. Links are kept only for http(s), mailto and same-site paths (no javascript:,
 *    vbscript:, data:, file:...), images are off (a remote image would tell its host who read an embargoed thread,
 *    and when), and every link gets rel="noopener noreferrer nofollow".
 * 2. sanitize-html over the result with an allow-list of tags and attributes, so that a future markdown-it plugin or
 *    bug cannot smuggle an attribute or a scheme past us.
 *
 * Pure: no I/O. Rendering is bounded by the size cap (MESSAGE_LIMITS.body) and markdown-it's nesting cap.
 */
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

export const MESSAGE_LIMITS = {
  /** Characters of Markdown source in one message. */
  body: 20_000,
  /** Block nesting (lists in quotes in lists...): deeper structure is rendered as text. */
  nesting: 20,
} as const;

/**
 * Bumped whenever the rendering or the allow-list changes: stored HTML of an older version is rendered again from its
 * source when read (src/services/case-thread.service.ts), so a tightened allow-list applies to old messages too.
 */
export const RENDER_VERSION = 1;

export const LINK_REL = 'noopener noreferrer nofollow';

// Control characters and whitespace inside a scheme ("java\tscript:") are dropped by browsers: look through them.
const INVISIBLE = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g;

/** Whether a link target may become an href: http(s) and mailto URLs, or a path on this site ("/cases/..."), or "#x". */
export function isSafeLink(url: string): boolean {
  const u = url.replace(INVISIBLE, '').toLowerCase();
  if (u.startsWith('https://') || u.startsWith('http://') || u.startsWith('mailto:')) return true;
  // Protocol-relative ("//evil.example") and backslash tricks ("/\evil.example") leave the site.
  if (u.startsWith('/')) return !u.startsWith('//') && !u.startsWith('/\\');
  return u.startsWith('#');
}

const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true, maxNesting: MESSAGE_LIMITS.nesting });
md.disable(['image']);
md.validateLink = isSafeLink;

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', LINK_REL);
  return defaultLinkOpen(tokens, idx, options, env, self);
};

// A message sits below the page's h1 and the thread's h2/h3: its own headings start at h4 and keep their order.
const HEADING_SHIFT: Record<string, string> = { h1: 'h4', h2: 'h5', h3: 'h6', h4: 'h6', h5: 'h6', h6: 'h6' };

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h4', 'h5', 'h6', 'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
    'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    ...HEADING_SHIFT,
    a: (tagName, attribs) => {
      const href = attribs.href;
      // An <a> whose target is not a safe link loses its href (and is then only text in an <a>).
      const out: Record<string, string> = href !== undefined && isSafeLink(href) ? { href } : {};
      if (attribs.title) out.title = attribs.title;
      if (out.href) out.rel = LINK_REL;
      return { tagName, attribs: out };
    },
  },
};

/** Renders a message's Markdown source to sanitised HTML. The caller has checked the size cap. */
export function renderMessage(source: string): string {
  return sanitizeHtml(md.render(source), SANITIZE);
}

export type BodyCheck = { ok: true; body: string } | { ok: false; reason: string };

/** A message body as typed: text, not blank, within the cap. Line endings are normalised; nothing else is changed. */
export function checkBody(value: unknown): BodyCheck {
  if (typeof value !== 'string') return { ok: false, reason: 'must be text' };
  const body = value.replace(/\r\n?/g, '\n');
  if (!body.trim()) return { ok: false, reason: 'is required: write a message' };
  if (body.length > MESSAGE_LIMITS.body) return { ok: false, reason: `must be at most ${MESSAGE_LIMITS.body} characters (this one has ${body.length})` };
  if (body.includes('\u0000')) return { ok: false, reason: 'must not contain NUL characters' };
  return { ok: true, body };
}
