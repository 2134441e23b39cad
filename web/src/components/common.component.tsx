// Small shared pieces: focus-managed headings and alerts, copy-to-clipboard, confirmation dialog, dates.
import { useEffect, useId, useRef, useState, type ChangeEvent, type ComponentProps, type ReactNode } from 'react';
import { Alert, Button, ButtonGroup, TextInput } from '@trussworks/react-uswds';
import { errorMessage } from '../api.ts';
import { AppLink } from '../router.tsx';

/** The page's h1. It takes focus when the page mounts so screen-reader and keyboard users land on the new page. */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className="ch-page-heading">
      {children}
    </h1>
  );
}

/**
 * A USWDS alert that takes focus when it appears (or its content changes), so the result of an action is announced
 * and the user does not have to hunt for it.
 */
export function FocusAlert({
  type,
  heading,
  children,
  focusKey,
  testId,
}: {
  type: 'success' | 'warning' | 'error' | 'info';
  heading?: ReactNode;
  children?: ReactNode;
  focusKey?: unknown;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [focusKey]);
  return (
    <div ref={ref} tabIndex={-1} className="ch-focus-alert" role={type === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <Alert type={type} headingLevel="h2" heading={heading} slim={!heading}>
        {children}
      </Alert>
    </div>
  );
}

/** Shows an error thrown by an API call (its problem detail) or nothing. */
export function ErrorAlert({ error, heading }: { error: unknown; heading?: string }) {
  if (!error) return null;
  return (
    <FocusAlert type="error" heading={heading ?? 'Something went wrong'} focusKey={error}>
      {errorMessage(error)}
    </FocusAlert>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('copied');
    } catch {
      // Clipboard access can be refused (insecure origin, permissions); the value stays selectable on screen.
      setCopied('failed');
    }
  };
  return (
    <>
      <Button type="button" outline onClick={copy}>
        {label}
      </Button>
      <span role="status" className="margin-left-1">
        {copied === 'copied' ? 'Copied to clipboard.' : copied === 'failed' ? 'Copy failed: select the text and copy it.' : ''}
      </span>
    </>
  );
}

/** A value shown exactly once (one-time password, token secret), with the warning that it cannot be shown again. */
export function SecretOnce({ heading, what, value, testId }: { heading: string; what: string; value: string; testId: string }) {
  return (
    <FocusAlert type="warning" heading={heading} focusKey={value} testId={testId}>
      <p className="margin-top-1">
        Copy the {what} now. <strong>It will not be shown again.</strong>
      </p>
      <p>
        <code className="ch-secret" aria-label={what}>
          {value}
        </code>
      </p>
      <CopyButton text={value} label={`Copy ${what}`} />
    </FocusAlert>
  );
}

/** A modal confirmation built on the native dialog element: it traps focus and closes on Escape by itself. */
export function ConfirmDialog({
  open,
  heading,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  heading: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="usa-modal ch-dialog"
      aria-labelledby={headingId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <div className="usa-modal__content">
        <div className="usa-modal__main">
          <h2 className="usa-modal__heading" id={headingId}>
            {heading}
          </h2>
          <div className="usa-prose">{children}</div>
          <div className="usa-modal__footer">
            <ButtonGroup>
              <Button type="button" secondary onClick={onConfirm}>
                {confirmLabel}
              </Button>
              <Button type="button" unstyled className="padding-105 text-center" onClick={onCancel}>
                Cancel
              </Button>
            </ButtonGroup>
          </div>
        </div>
      </div>
    </dialog>
  );
}

// Times name their zone: a coordinator reading "Dec 2, 14:00" cannot tell whether an embargo has ended otherwise.
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** The zone the browser shows times in, for hints beside time inputs ("in your time zone, Europe/Paris"). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function formatDateTime(value: string | null | undefined, empty = '—'): string {
  if (!value) return empty;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTime.format(date);
}

export function formatDate(value: string | null | undefined, empty = '—'): string {
  if (!value) return empty;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateOnly.format(date);
}

/** Audit times: unambiguous across locales and to the second, as analysts compare them with logs. */
export function formatUtc(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function TimeCell({ value, empty, withTime = true }: { value: string | null | undefined; empty?: string; withTime?: boolean }) {
  if (!value) return <>{empty ?? '—'}</>;
  // A bare date still carries the full time and zone on hover: which day it is depends on the zone.
  return (
    <time dateTime={value} title={withTime ? formatUtc(value) : formatDateTime(value)}>
      {withTime ? formatDateTime(value) : formatDate(value)}
    </time>
  );
}

/**
 * A form field laid out as USWDS wants it: label, hint, and our own error message beside the field (the forms use
 * noValidate, so the browser's pop-ups never stand in for it). The control gets its ids through the render prop.
 */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  children: (control: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }, invalid: boolean) => ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`usa-form-group${error ? ' usa-form-group--error' : ''}`}>
      <label className={`usa-label${error ? ' usa-label--error' : ''}`} htmlFor={id}>
        {label}
      </label>
      <HintAndError hint={hint} hintId={hintId} error={error} errorId={errorId} />
      {children({ id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': true as const } : {}) }, Boolean(error))}
    </div>
  );
}

/** A boxed section headed by its h2 (the forms that open on a page); the heading names the section for screen readers. */
export function Panel({ id, heading, children }: { id: string; heading: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="ch-panel">
      <h2 id={`${id}-heading`} className="margin-top-0">
        {heading}
      </h2>
      {children}
    </section>
  );
}

/** A labelled text input wired to its hint and error (the commonest Field); extra props go to the input. */
export function TextField({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  ...input
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null | undefined;
  value: string;
  onChange: (value: string) => void;
} & Omit<ComponentProps<typeof TextInput>, 'id' | 'value' | 'onChange' | 'validationStatus'>) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(control, invalid) => (
        <TextInput {...input} {...control} validationStatus={invalid ? 'error' : undefined} value={value} onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value)} />
      )}
    </Field>
  );
}

/** A field's hint and error message in the USWDS way, with the ids its control (or fieldset) points at. */
export function HintAndError({ hint, hintId, error, errorId }: { hint?: ReactNode; hintId?: string | undefined; error?: string | null | undefined; errorId?: string | undefined }) {
  return (
    <>
      {hint && (
        <span className="usa-hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="usa-error-message" id={errorId}>
          {error}
        </span>
      )}
    </>
  );
}

/** Field errors of a 400 problem, by the field they name (`/name` or `name`), so they can sit beside that field. */
export function problemFieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const problem = (error as { problem?: { errors?: { path: string; message: string }[]; field?: unknown; parameter?: unknown; detail?: string } } | null)
    ?.problem;
  // Domain errors name one field (`field`, or `parameter` for a query parameter) and explain it in `detail`.
  for (const named of [problem?.field, problem?.parameter])
    if (typeof named === 'string' && problem?.detail) out[named] = problem.detail;
  for (const e of problem?.errors ?? []) {
    const key = e.path.replace(/^\/(body\/)?/, '').split('/')[0] ?? '';
    if (key && !out[key]) out[key] = e.message;
  }
  return out;
}

/** A table in a scroll box with a visible cue, so it neither overflows the page nor hides columns on a phone. */
export function ScrollTable({ caption, children, testId }: { caption: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <div className="ch-scroll" tabIndex={0} role="region" aria-label={`${caption} (scrolls sideways)`} data-testid={testId}>
        <table className="usa-table usa-table--borderless width-full">
          <caption className="usa-sr-only">{caption}</caption>
          {children}
        </table>
      </div>
      <p className="ch-scroll-hint" aria-hidden="true">
        Scroll the table sideways to see every column.
      </p>
    </>
  );
}

/** What an empty list means and what to do about it. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="ch-empty">{children}</div>;
}

export function LoadMore({ cursor, loading, onLoad }: { cursor: string | null; loading: boolean; onLoad: () => void }) {
  if (!cursor) return null;
  return (
    <Button type="button" outline onClick={onLoad} disabled={loading}>
      {loading ? 'Loading…' : 'Load more'}
    </Button>
  );
}

/** The submit and cancel pair that closes every "New ..." form. */
export function CreateActions({ busy, what, onCancel }: { busy: boolean; what: string; onCancel: () => void }) {
  return <FormActions busy={busy} label={`Create ${what}`} busyLabel="Creating…" onCancel={onCancel} />;
}

/** A form's submit button (disabled, with its busy wording, while the request runs) and the Cancel link beside it. */
export function FormActions({ busy, label, busyLabel, onCancel }: { busy: boolean; label: string; busyLabel: string; onCancel: () => void }) {
  return (
    <div className="margin-top-3">
      <Button type="submit" disabled={busy}>
        {busy ? busyLabel : label}
      </Button>
      <Button type="button" unstyled className="margin-left-2" onClick={onCancel}>
        Cancel
      </Button>
    </div>
  );
}

/** After our own validation refused a form, move focus to its first invalid field so its message is read out. */
export function focusFirstInvalid(form: HTMLFormElement): void {
  // The error state renders on the next frame; look for the marked field then.
  window.setTimeout(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}

/** The USWDS breadcrumb above a record's page: the list it belongs to, then the record itself. */
export function Breadcrumbs({ parent, current }: { parent: { href: string; label: string }; current: string }) {
  return (
    <nav aria-label="Breadcrumbs" className="usa-breadcrumb padding-top-0">
      <ol className="usa-breadcrumb__list">
        <li className="usa-breadcrumb__list-item">
          <AppLink href={parent.href} className="usa-breadcrumb__link">
            <span>{parent.label}</span>
          </AppLink>
        </li>
        <li className="usa-breadcrumb__list-item usa-current" aria-current="page">
          <span>{current}</span>
        </li>
      </ol>
    </nav>
  );
}
