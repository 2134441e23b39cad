// Small shared pieces: focus-managed headings and alerts, copy-to-clipboard, confirmation dialog, dates.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, ButtonGroup } from '@trussworks/react-uswds';
import { errorMessage } from '../api.ts';

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

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

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
  return <time dateTime={value}>{withTime ? formatDateTime(value) : formatDate(value)}</time>;
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
  return (
    <div className="margin-top-3">
      <Button type="submit" disabled={busy}>
        {busy ? 'Creating…' : `Create ${what}`}
      </Button>
      <Button type="button" unstyled className="margin-left-2" onClick={onCancel}>
        Cancel
      </Button>
    </div>
  );
}
