// A case's discussion (issue 9; docs/case-threads.md): the participants' thread and, for coordinators, the internal
// thread, as tabs with their unread counts. Messages oldest to newest with "Load older" above them; opening a thread
// marks it read up to the newest message shown (those that were new keep their "New" tag until the page is left).
// The composer previews the Markdown exactly as the server will render it and uploads files right after posting.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { Button, Select, Textarea } from '@trussworks/react-uswds';
import { errorMessage } from '../api.ts';
import { caseThreadApi, MESSAGE_MAX_CHARS, type CaseThreadApi, type MessageView, type ThreadName, type ThreadSummaryView } from '../api-case-threads.ts';
import { useSessionContext } from '../session.context.tsx';
import { EmptyState, ErrorAlert, Field, FocusAlert, TimeCell } from './common.component.tsx';

const TITLES: Record<ThreadName, string> = { participants: 'Participants', internal: 'Internal (coordinators only)' };
const ROLE_LABELS: Record<string, string> = { coordinator: 'Coordinator', vendor: 'Vendor', reporter: 'Reporter', observer: 'Observer' };

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

export function CaseThread({ caseId }: { caseId: string }) {
  const { state } = useSessionContext();
  const csrf = state.status === 'signed-in' ? state.session.csrfToken : null;
  const client = useMemo(() => caseThreadApi(csrf), [csrf]);
  const [threads, setThreads] = useState<ThreadSummaryView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState<ThreadName>('participants');
  const tabs = useRef<Record<string, HTMLButtonElement | null>>({});

  const refresh = useCallback(async () => {
    try {
      setThreads((await client.threads(caseId)).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [client, caseId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (!threads || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    const i = threads.findIndex((t) => t.name === active);
    const next = threads[(i + (e.key === 'ArrowRight' ? 1 : threads.length - 1)) % threads.length]!;
    setActive(next.name);
    tabs.current[next.name]?.focus();
    e.preventDefault();
  };

  const current = threads?.find((t) => t.name === active) ?? null;
  return (
    <section aria-labelledby="case-thread-heading" className="ch-panel ch-thread" data-testid="case-thread">
      <h2 id="case-thread-heading" className="margin-top-0">
        Discussion
      </h2>
      <ErrorAlert error={error} heading="The discussion could not be loaded" />
      {threads && (
        <div role="tablist" aria-label="Threads of this case" className="ch-thread-tabs">
          {threads.map((t) => (
            <button
              key={t.name}
              ref={(el) => {
                tabs.current[t.name] = el;
              }}
              type="button"
              role="tab"
              id={`thread-tab-${t.name}`}
              aria-selected={t.name === active}
              aria-controls={`thread-panel-${t.name}`}
              tabIndex={t.name === active ? 0 : -1}
              className={`ch-thread-tab${t.name === active ? ' ch-thread-tab--active' : ''}`}
              onClick={() => setActive(t.name)}
              onKeyDown={onTabKey}
            >
              {TITLES[t.name]}
              {t.unread > 0 && (
                <span className="usa-tag bg-secondary-dark margin-left-05" data-testid={`unread-${t.name}`}>
                  {t.unread} new
                </span>
              )}
            </button>
          ))}
        </div>
      )}
      {current && (
        <div role="tabpanel" id={`thread-panel-${current.name}`} aria-labelledby={`thread-tab-${current.name}`} className="ch-thread-panel">
          <ThreadPanel key={current.name} caseId={caseId} summary={current} client={client} onChanged={refresh} />
        </div>
      )}
    </section>
  );
}

function ThreadPanel({ caseId, summary, client, onChanged }: { caseId: string; summary: ThreadSummaryView; client: CaseThreadApi; onChanged: () => Promise<void> }) {
  const thread = summary.name;
  /** Oldest first, as read. */
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [replyTo, setReplyTo] = useState<MessageView | null>(null);
  /** Unread when the thread was opened (reading it marks it read; this says what was new meanwhile). */
  const [newOnOpen, setNewOnOpen] = useState<number | null>(null);
  const composer = useRef<HTMLTextAreaElement>(null);

  /** The newest page; it marks the thread read up to its newest message. */
  const loadNewest = useCallback(async () => {
    setLoading(true);
    try {
      const page = await client.messages(caseId, thread, null);
      setMessages([...page.items].reverse());
      setOlder(page.nextCursor);
      setError(null);
      const newest = page.items[0];
      setNewOnOpen((n) => n ?? page.unread);
      if (newest && page.unread > 0) {
        await client.markSeen(caseId, thread, newest.id);
        await onChanged();
      }
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
    // onChanged is stable for a given case; listing it would reload on every summary refresh.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, caseId, thread]);

  useEffect(() => {
    void loadNewest();
  }, [loadNewest]);

  async function loadOlder() {
    if (!older) return;
    setLoading(true);
    try {
      const page = await client.messages(caseId, thread, older);
      setMessages((m) => [...[...page.items].reverse(), ...m]);
      setOlder(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }

  const byId = new Map(messages.map((m) => [m.id, m]));
  return (
    <>
      <h3 className="usa-sr-only">{TITLES[thread]}</h3>
      {thread === 'internal' && <p className="usa-hint">Only coordinators who read this case see this thread: vendors, reporters and observers never do.</p>}
      <ErrorAlert error={error} heading="The messages could not be loaded" />
      {newOnOpen !== null && newOnOpen > 0 && (
        <p className="text-bold" data-testid="new-since-visit">
          {newOnOpen} new {newOnOpen === 1 ? 'message' : 'messages'} since your last visit, marked New below.
        </p>
      )}
      {older && (
        <Button type="button" outline onClick={() => void loadOlder()} disabled={loading} data-testid="load-older">
          {loading ? 'Loading…' : 'Load older messages'}
        </Button>
      )}
      {!loading && messages.length === 0 && !error && (
        <EmptyState>
          <p>No messages yet.{summary.canPost ? ' Write the first one below.' : ''}</p>
        </EmptyState>
      )}
      <ol className="ch-messages" aria-label={`Messages, oldest first (${summary.total} in all)`}>
        {messages.map((m) => (
          <li key={m.id}>
            <Message message={m} parent={m.replyTo ? (byId.get(m.replyTo) ?? null) : null} onReply={summary.canPost ? () => {
              setReplyTo(m);
              composer.current?.focus();
            } : null} />
          </li>
        ))}
      </ol>
      {summary.canPost ? (
        <Composer caseId={caseId} summary={summary} client={client} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} textarea={composer} onPosted={async () => {
          setReplyTo(null);
          await loadNewest();
          await onChanged();
        }} />
      ) : (
        <p className="usa-hint">You read this thread; only members of the case's participant organisations write in it.</p>
      )}
    </>
  );
}

function Message({ message: m, parent, onReply }: { message: MessageView; parent: MessageView | null; onReply: (() => void) | null }) {
  const headingId = useId();
  return (
    <article className={`ch-message${m.unread ? ' ch-message--unread' : ''}`} aria-labelledby={headingId} id={`message-${m.id}`} data-testid="thread-message">
      <header className="ch-message-header">
        <span id={headingId}>
          <strong>{m.author.name}</strong>
          {m.author.you && ' (you)'}, {m.author.organisationName}
        </span>
        {m.author.role && <span className="usa-tag bg-base-lighter text-ink margin-left-05">{ROLE_LABELS[m.author.role] ?? m.author.role}</span>}
        <span className="ch-message-time">
          <TimeCell value={m.createdAt} />
        </span>
        {m.unread && <span className="usa-tag bg-secondary-dark margin-left-05" data-testid="message-new">New</span>}
      </header>
      {m.replyTo && (
        <p className="ch-message-reply">
          In reply to {parent ? <a href={`#message-${parent.id}`}>{parent.author.name}, {parent.author.organisationName}</a> : 'an older message'}
        </p>
      )}
      {/* Rendered by markdown-it with raw HTML off and sanitised by an allow-list on the server (docs/case-threads.md). */}
      <div className="ch-message-body" data-testid="message-body" dangerouslySetInnerHTML={{ __html: m.html }} />
      {m.attachments.length > 0 && (
        <ul className="ch-message-files" aria-label="Attached files">
          {m.attachments.map((a) => (
            <li key={a.id}>
              <a href={a.url} download={a.filename}>
                {a.filename}
              </a>{' '}
              <span className="usa-hint">
                ({formatBytes(a.size)}, SHA-256 <code title={a.sha256}>{a.sha256.slice(0, 12)}…</code>)
              </span>
            </li>
          ))}
        </ul>
      )}
      {onReply && (
        <Button type="button" unstyled onClick={onReply} aria-label={`Reply to ${m.author.name}`}>
          Reply
        </Button>
      )}
    </article>
  );
}

function Composer({
  caseId,
  summary,
  client,
  replyTo,
  onCancelReply,
  onPosted,
  textarea,
}: {
  caseId: string;
  summary: ThreadSummaryView;
  client: CaseThreadApi;
  replyTo: MessageView | null;
  onCancelReply: () => void;
  onPosted: () => Promise<void>;
  textarea: RefObject<HTMLTextAreaElement | null>;
}) {
  const thread = summary.name;
  const [body, setBody] = useState('');
  const [postAs, setPostAs] = useState(summary.postAs[0]?.organisationId ?? '');
  const [files, setFiles] = useState<File[]>([]);
  const [preview, setPreview] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ type: 'success' | 'warning'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const id = `composer-${thread}`;

  function check(): string | null {
    if (!body.trim()) return 'Write a message first.';
    if (body.length > MESSAGE_MAX_CHARS) return `A message is at most ${MESSAGE_MAX_CHARS} characters; this one has ${body.length}.`;
    return null;
  }

  async function togglePreview() {
    if (preview !== null) return setPreview(null);
    const problem = check();
    setFieldError(problem);
    if (problem) return textarea.current?.focus();
    try {
      setPreview((await client.preview(caseId, thread, body)).html);
    } catch (err) {
      setError(err);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = check();
    setFieldError(problem);
    setResult(null);
    setError(null);
    if (problem) return textarea.current?.focus();
    setBusy(true);
    try {
      const posted = await client.post(caseId, thread, { body, ...(replyTo ? { replyTo: replyTo.id } : {}), ...(postAs ? { organisationId: postAs } : {}) });
      const failed: string[] = [];
      for (const f of files) {
        try {
          await client.attach(caseId, thread, posted.id, f);
        } catch (err) {
          failed.push(`${f.name}: ${errorMessage(err)}`);
        }
      }
      setBody('');
      setFiles([]);
      setPreview(null);
      if (fileInput.current) fileInput.current.value = '';
      setResult(failed.length ? { type: 'warning', text: `Message posted, but these files were not attached: ${failed.join('; ')}` } : { type: 'success', text: files.length ? `Message posted with ${files.length} file${files.length > 1 ? 's' : ''}.` : 'Message posted.' });
      await onPosted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="ch-composer" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`} className="margin-bottom-1">
        {replyTo ? 'Reply' : 'New message'}
      </h3>
      {result && (
        <FocusAlert type={result.type} focusKey={result}>
          {result.text}
        </FocusAlert>
      )}
      <ErrorAlert error={error} heading="The message was not posted" />
      {replyTo && (
        <p>
          Replying to {replyTo.author.name}, {replyTo.author.organisationName}.{' '}
          <Button type="button" unstyled onClick={onCancelReply}>
            Cancel reply
          </Button>
        </p>
      )}
      {summary.postAs.length > 1 && (
        <Field id={`${id}-as`} label="Write as">
          {(control) => (
            <Select {...control} name="organisationId" value={postAs} onChange={(e: ChangeEvent<HTMLSelectElement>) => setPostAs(e.target.value)}>
              {summary.postAs.map((o) => (
                <option key={o.organisationId} value={o.organisationId}>
                  {o.name}
                  {o.role ? ` (${ROLE_LABELS[o.role] ?? o.role})` : ''}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      <Field
        id={`${id}-body`}
        label="Message"
        hint={`Markdown: **bold**, _italic_, \`code\`, lists, > quotes, [links](https://…). HTML is shown as text. ${body.length} of ${MESSAGE_MAX_CHARS} characters.`}
        error={fieldError}
      >
        {(control) =>
          preview === null ? (
            <Textarea {...control} inputRef={textarea} name="body" value={body} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setBody(e.target.value)} className="ch-composer-text" />
          ) : (
            <div className="ch-message-body ch-composer-preview" aria-label="Preview of your message" data-testid="composer-preview" dangerouslySetInnerHTML={{ __html: preview }} />
          )
        }
      </Field>
      <Field id={`${id}-files`} label="Attach files (optional)" hint="Each file is stored as evidence with its SHA-256; the server refuses files over its size limit.">
        {(control) => (
          <input {...control} ref={fileInput} type="file" multiple onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />
        )}
      </Field>
      {files.length > 0 && (
        <ul className="ch-inline-list" aria-label="Files to attach">
          {files.map((f) => (
            <li key={`${f.name}-${f.size}`}>
              {f.name} ({formatBytes(f.size)})
            </li>
          ))}
        </ul>
      )}
      <div className="margin-top-2">
        <Button type="submit" disabled={busy}>
          {busy ? 'Posting…' : 'Post message'}
        </Button>
        <Button type="button" outline onClick={() => void togglePreview()} disabled={busy}>
          {preview === null ? 'Preview' : 'Edit'}
        </Button>
      </div>
    </form>
  );
}
