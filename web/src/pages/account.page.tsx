import { useState, type FormEvent } from 'react';
import { Button, Form } from '@trussworks/react-uswds';
import { api } from '../api.ts';
import { MIN_PASSWORD_LENGTH, passwordProblems } from '../password-rules.ts';
import { passwordFieldErrors, type PasswordField } from '../password-fields.ts';
import { ErrorAlert, FocusAlert, focusFirstInvalid, PageHeading, Panel, problemFieldErrors, TextField } from '../components/common.component.tsx';
import { useSession } from '../session.context.tsx';

export function AccountPage() {
  const session = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Partial<Record<PasswordField, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(0);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = passwordFieldErrors(passwordProblems(current, next, confirm));
    if (!current) found.current = 'Enter your current password.';
    setErrors(found);
    setError(null);
    if (Object.keys(found).length > 0) return focusFirstInvalid(event.currentTarget);
    setBusy(true);
    try {
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone((n) => n + 1);
    } catch (err) {
      // The server's rules are the authority (strength, breached lists...): its verdict goes beside the field.
      const fields = problemFieldErrors(err);
      const mapped: Partial<Record<PasswordField, string>> = {};
      if (fields.newPassword) mapped.next = fields.newPassword;
      if (fields.currentPassword) mapped.current = fields.currentPassword;
      setErrors(mapped);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeading>Your account</PageHeading>
      <dl className="ch-facts">
        <dt>Name</dt>
        <dd>{session.user.name || '—'}</dd>
        <dt>Email address</dt>
        <dd>{session.user.email}</dd>
        <dt>Site administrator</dt>
        <dd>{session.user.siteAdmin ? 'Yes' : 'No'}</dd>
      </dl>
      <Panel id="change-password" heading="Change your password">
        {done > 0 && (
          <FocusAlert type="success" focusKey={done}>
            Your password has been changed. Use it the next time you sign in.
          </FocusAlert>
        )}
        <ErrorAlert error={error} heading="Your password was not changed" />
        <Form onSubmit={submit} large noValidate>
          <TextField id="account-current" label="Current password" error={errors.current} name="currentPassword" type="password" autoComplete="current-password" value={current} onChange={setCurrent} />
          <TextField id="account-new" label="New password" hint={`At least ${MIN_PASSWORD_LENGTH} characters. A passphrase of several unrelated words works well; the server also refuses passwords that are easy to guess.`} error={errors.next} name="newPassword" type="password" autoComplete="new-password" value={next} onChange={setNext} />
          <TextField id="account-confirm" label="Confirm new password" error={errors.confirm} name="confirmPassword" type="password" autoComplete="new-password" value={confirm} onChange={setConfirm} />
          <Button type="submit" disabled={busy} className="margin-top-3">
            {busy ? 'Saving…' : 'Change password'}
          </Button>
        </Form>
      </Panel>
    </>
  );
}
