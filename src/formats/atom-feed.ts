/**
 * The public Atom feed of advisories (RFC 4287), written by the `feed` package. Pure: the caller chooses which
 * advisories go in (the route passes published TLP:CLEAR ones only).
 */
import { Feed } from 'feed';
import type { AdvisoryView } from '../services/advisory.service.ts';

export type FeedSourceAdvisory = Pick<AdvisoryView, 'id' | 'state' | 'record' | 'rating' | 'organisationName' | 'publishedAt'>;

export interface AtomFeedOptions {
  /** Public origin of this server, no trailing slash. */
  baseUrl: string;
  /** The feed's `updated`: when the list was read (an empty feed still needs one). */
  updated: Date;
  title: string;
}

/** A feed reader shows the summary; the details of a kernel advisory can run to megabytes. */
const MAX_CONTENT = 4000;

/** The feed package sends content as type="html": escaped, so an advisory's text can never become markup in a reader. */
function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

export function atomFeed(views: readonly FeedSourceAdvisory[], opts: AtomFeedOptions): string {
  const self = `${opts.baseUrl}/feeds/advisories.atom`;
  const feed = new Feed({
    id: self,
    title: opts.title,
    link: `${opts.baseUrl}/`,
    updated: opts.updated,
    generator: 'clearinghouse',
    feedLinks: { atom: self },
    copyright: 'TLP:CLEAR',
  });
  // Newest first by the record's `modified`: the order a reader expects, whatever order the caller passed.
  const sorted = [...views].sort((a, b) => (a.record.modified < b.record.modified ? 1 : a.record.modified > b.record.modified ? -1 : a.id.localeCompare(b.id)));
  for (const v of sorted) {
    const link = `${opts.baseUrl}/api/v1/advisories/${encodeURIComponent(v.id)}`;
    const summary = text(v.record.summary);
    const details = text(v.record.details);
    const prefix = v.state === 'withdrawn' ? '[withdrawn] ' : '';
    const rating = v.rating ? ` (${v.rating})` : '';
    feed.addItem({
      title: `${prefix}${v.id}${rating}${summary ? `: ${summary}` : ''}`.slice(0, 500),
      // Stable across revisions, so a reader updates the entry instead of adding one.
      id: `${opts.baseUrl}/advisories/${encodeURIComponent(v.id)}`,
      link,
      date: new Date(v.record.modified),
      ...(v.publishedAt ? { published: new Date(v.publishedAt) } : {}),
      ...(summary ? { description: summary.slice(0, MAX_CONTENT) } : {}),
      ...(details ? { content: escapeHtml(details.length > MAX_CONTENT ? `${details.slice(0, MAX_CONTENT)}…` : details) } : {}),
      author: [{ name: v.organisationName }],
    });
  }
  return feed.atom1();
}
