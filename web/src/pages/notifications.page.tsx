// The notification inbox: what happened on the cases (and, with issue 10, the advisories) your organisations take part
// in. Read and acknowledged marks are each reader's own; the server already leaves out whatever the reader's
// organisation may no longer read.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Button, Fieldset, Radio } from '@trussworks/react-uswds';
import { announceNotificationsChanged, notificationApi, type NotificationView } from '../api-notifications.ts';
import { EmptyState, ErrorAlert, FocusAlert, formatDateTime, LoadMore, PageHeading, ScrollTable, TimeCell } from '../components/common.component.tsx';
import { humanize } from '../components/labels.component.tsx';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { AppLink } from '../router.tsx';
import { useSessionContext } from '../session.context.tsx';

const PAGE_SIZE = 50;

const KIND_LABELS: Record<string, string> = {
  'case.participant-added': 'Added to a case',
  'case.reminder': 'Public date reminder',
  'case.public-date-changed': 'Public date changed',
  'case.published': 'Case published',
  'case.extension-requested': 'Extension of the public date requested',
  'case.extension-decided': 'Extension request decided',
  'advisory.affected': 'Advisory affects your assets',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? humanize(kind.slice(kind.indexOf('.') + 1));
}

/** Where a subject lives in the UI, for the subject types that have a page. */
function subjectHref(s: NotificationView['subject']): string | null {
  const base: Record<string, string> = { case: '/cases', finding: '/findings', advisory: '/advisories', campaign: '/campaigns', inventory: '/inventories' };
  return base[s.type] ? `${base[s.type]}/${encodeURIComponent(s.id)}` : null;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** One detail value as text: times with their zone, lists joined, anything else as it comes. */
function detailValue(v: unknown): ReactNode {
  if (typeof v === 'string' && ISO.test(v)) return <time dateTime={v}>{formatDateTime(v)}</time>;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The detail of the kinds we know, in words; other keys listed as they are. */
function Detail({ n }: { n: NotificationView }) {
  const { daysLeft, publicDate, from, current, accepted, role, ...rest } = n.detail;
  const parts: ReactNode[] = [];
  if (typeof accepted === 'boolean') parts.push(accepted ? 'Accepted' : 'Refused');
  if (typeof daysLeft === 'number') parts.push(`${daysLeft} ${daysLeft === 1 ? 'day' : 'days'} to the public date`);
  if (typeof publicDate === 'string') parts.push(<>{typeof current === 'string' ? 'Requested public date' : 'Public date'} {detailValue(publicDate)}</>);
  if (typeof from === 'string') parts.push(<>Previously {detailValue(from)}</>);
  if (typeof current === 'string') parts.push(<>Current public date {detailValue(current)}</>);
  if (typeof role === 'string') parts.push(`Your organisation takes part as ${role}`);
  for (const [k, v] of Object.entries(rest)) if (v !== null && v !== undefined && v !== '') parts.push(<>{humanize(k.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase())}: {detailValue(v)}</>);
  return (
    <>
      {(n.severity || n.kev) && (
        <p className="margin-y-05">
          {n.severity && <span className="usa-tag bg-secondary-dark">{humanize(n.severity)}</span>} {n.kev && <span className="usa-tag bg-base-darkest">Known exploited (KEV)</span>}
        </p>
      )}
      {parts.length > 0 && (
        <ul className="usa-list usa-list--unstyled font-sans-2xs">
          {parts.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      {n.inventories.length > 0 && (
        <ul className="usa-list font-sans-2xs margin-top-05">
          {n.inventories.map((inv) => (
            <li key={inv.id}>
              <AppLink href={`/inventories/${encodeURIComponent(inv.id)}`}>{inv.name}</AppLink>:{' '}
              {inv.components.map((c) => `${c.purl} (installed ${c.version}${c.fixed ? `, fixed in ${c.fixed}` : ', no fix yet'})`).join('; ')}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function NotificationsPage() {
  const { state } = useSessionContext();
  const session = state.status === 'signed-in' ? state.session : null;
  const client = useMemo(() => notificationApi(session?.csrfToken ?? null), [session?.csrfToken]);
  const [unreadOnly, setUnreadOnly] = useState(false);
  // Bumped to load the list again from the server (after "Mark all as read", whose times are the server's).
  const [generation, setGeneration] = useState(0);
  const fetchPage = useCallback(
    (cursor: string | null) => client.list({ unread: unreadOnly, limit: PAGE_SIZE, cursor }),
    [client, unreadOnly, generation],
  );
  const { items, setItems, cursor, loading, error, loadMore } = usePagedList(fetchPage);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const orgNames = new Map((session?.memberships ?? []).map((m) => [m.organisationId, m.organisationName]));
  const manyOrgs = orgNames.size > 1;

  const replace = (view: NotificationView) => setItems((list) => list.map((x) => (x.id === view.id ? view : x)));
  // The button just used goes away with the state it offered; focus moves to what is left of the row's controls,
  // once the row has rendered again with its buttons enabled.
  const [focusId, setFocusId] = useState<string | null>(null);
  useEffect(() => {
    if (focusId === null || busy !== null) return;
    document.getElementById(focusId)?.focus();
    setFocusId(null);
  }, [focusId, busy]);

  const act = async (n: NotificationView, what: 'read' | 'acknowledge') => {
    setBusy(`${what}:${n.id}`);
    setActionError(null);
    setNotice(null);
    try {
      const view = what === 'read' ? await client.markRead(n.id) : await client.acknowledge(n.id);
      replace(view);
      announceNotificationsChanged();
      setFocusId(what === 'read' && !view.acknowledgedAt ? `ack-${n.id}` : `state-${n.id}`);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
    }
  };

  const markAll = async () => {
    setBusy('all');
    setActionError(null);
    setNotice(null);
    try {
      const { marked, more } = await client.markAllRead();
      setGeneration((g) => g + 1);
      announceNotificationsChanged();
      setNotice(`${marked} ${marked === 1 ? 'notification' : 'notifications'} marked read.${more ? ' More remain: use “Mark all as read” again.' : ''}`);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
    }
  };

  const anyUnread = items.some((n) => !n.readAt);

  return (
    <>
      <PageHeading>Notifications</PageHeading>
      <p>
        What happened on the cases your organisations take part in: being added to a case, changes to its public date
        and reminders before it. What you mark read or acknowledge is marked for you alone, not for your colleagues.
      </p>
      <div className="ch-title-row">
        <Fieldset legend="Show" legendStyle="srOnly" className="display-flex flex-wrap" data-testid="notification-filter">
          <Radio id="notifications-all" name="notifications-show" label="All" checked={!unreadOnly} onChange={() => setUnreadOnly(false)} className="margin-right-3" />
          <Radio id="notifications-unread" name="notifications-show" label="Unread only" checked={unreadOnly} onChange={() => setUnreadOnly(true)} />
        </Fieldset>
        <Button type="button" outline disabled={busy !== null || !anyUnread} onClick={() => void markAll()}>
          {busy === 'all' ? 'Marking…' : 'Mark all as read'}
        </Button>
      </div>
      {notice && (
        <FocusAlert type="success" focusKey={notice}>
          {notice}
        </FocusAlert>
      )}
      <ErrorAlert error={actionError} heading="That did not work" />
      <ErrorAlert error={error} heading="The notifications could not be loaded" />
      {!loading && !error && items.length === 0 ? (
        <EmptyState>
          <p data-testid="notifications-none">
            <strong>{unreadOnly ? 'No unread notifications.' : 'No notifications yet.'}</strong>
          </p>
          {!unreadOnly && <p>You will be told here when your organisation is added to a case, and before a case’s public date.</p>}
        </EmptyState>
      ) : (
        <ScrollTable caption="Notifications, newest first" testId="notifications-table">
          <thead>
            <tr>
              <th scope="col">Notification</th>
              {manyOrgs && <th scope="col">For</th>}
              <th scope="col">Received</th>
              <th scope="col">Your state</th>
              <th scope="col">
                <span className="usa-sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((n) => {
              const href = subjectHref(n.subject);
              const unread = !n.readAt;
              return (
                <tr key={n.id} data-testid="notification" data-unread={unread ? 'true' : 'false'} className={unread ? 'ch-unread' : undefined}>
                  <th scope="row" className={unread ? 'text-bold' : 'text-normal'}>
                    <div>{kindLabel(n.kind)}</div>
                    <div className="text-normal">
                      {humanize(n.subject.type)}: {href ? <AppLink href={href}>{n.subject.title}</AppLink> : n.subject.title}
                    </div>
                    <div className="text-normal">
                      <Detail n={n} />
                    </div>
                  </th>
                  {manyOrgs && <td>{orgNames.get(n.organisationId) ?? '—'}</td>}
                  <td className="ch-nowrap">
                    <TimeCell value={n.createdAt} />
                  </td>
                  <td id={`state-${n.id}`} tabIndex={-1} className="ch-nowrap">
                    {unread ? (
                      <span className="usa-tag">Unread</span>
                    ) : n.acknowledgedAt ? (
                      <>
                        Acknowledged <TimeCell value={n.acknowledgedAt} />
                      </>
                    ) : (
                      <>
                        Read <TimeCell value={n.readAt} />
                      </>
                    )}
                  </td>
                  <td className="ch-nowrap">
                    {unread && (
                      <Button type="button" unstyled className="margin-right-2" disabled={busy !== null} aria-label={`Mark read: ${n.subject.title}`} onClick={() => void act(n, 'read')}>
                        Mark read
                      </Button>
                    )}
                    {!n.acknowledgedAt && (
                      <Button type="button" unstyled id={`ack-${n.id}`} disabled={busy !== null} aria-label={`Acknowledge: ${n.subject.title}`} onClick={() => void act(n, 'acknowledge')}>
                        Acknowledge
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </ScrollTable>
      )}
      {loading && <p role="status">Loading…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
    </>
  );
}
