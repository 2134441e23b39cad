import { useState, type FormEvent } from 'react';
import { Button, Fieldset, Form } from '@trussworks/react-uswds';
import { api } from '../api.ts';
import { MIN_PASSWORD_LENGTH, passwordProblemsBeforeSubmit, userInputsFor } from '../password-rules.ts';
import { passwordFieldErrors } from '../password-fields.ts';
import { ErrorAlert, FocusAlert, PageHeading, TextField } from '../components/common.component.tsx';
import { useSession, useSessionContext } from '../session.context.tsx';

/** Forced after signing in with a one-time password; the shell shows nothing else until it is done. */
export function SetPasswordPage() {
  const session = useSession();
  const { refresh, signOut } = useSessionContext();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // The summary above the form takes focus; each message also sits beside the field it is about.
  const fieldErrors = passwordFieldErrors(problems);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = await passwordProblemsBeforeSubmit(current, next, confirm, userInputsFor(session.user));
    setProblems(found);
    setError(null);
    if (found.length > 0) return;
    setBusy(true);
    try {
      await api.changePassword(current, next);
      // The shell redirects to the home page once the refreshed session no longer requires a change.
      await refresh('Your password has been set.', 'Your password has been set. Sign in with your new password.');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div className="grid-row flex-justify-center">
      <div className="tablet:grid-col-8 desktop:grid-col-6">
        <div className="bg-white padding-y-3 padding-x-5 border border-base-lighter radius-md margin-top-4">
          <PageHeading>Set your password</PageHeading>
          <p>
            You signed in as <strong>{session.user.email}</strong> with a one-time password. Choose your own password
            before you continue. It must be at least {MIN_PASSWORD_LENGTH} characters long.
          </p>
          {problems.length > 0 && (
            <FocusAlert type="error" heading="Check your new password" focusKey={problems.join()}>
              <ul className="usa-list margin-top-1">
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </FocusAlert>
          )}
          <ErrorAlert error={error} heading="Your password was not changed" />
          <Form onSubmit={submit} large noValidate>
            <Fieldset legend="Password" legendStyle="srOnly">
              <TextField id="current-password" label="Current one-time password" name="currentPassword" type="password" autoComplete="current-password" value={current} onChange={setCurrent} />
              <TextField id="new-password" label="New password" hint={`At least ${MIN_PASSWORD_LENGTH} characters. A passphrase of several unrelated words works well.`} error={fieldErrors.next} name="newPassword" type="password" autoComplete="new-password" value={next} onChange={setNext} />
              <TextField id="confirm-password" label="Confirm new password" error={fieldErrors.confirm} name="confirmPassword" type="password" autoComplete="new-password" value={confirm} onChange={setConfirm} />
              <Button type="submit" disabled={busy} className="margin-top-3">
                {busy ? 'Saving…' : 'Set password'}
              </Button>
              <Button type="button" unstyled className="margin-top-3 margin-left-2" onClick={() => void signOut(false)}>
                Sign out
              </Button>
            </Fieldset>
          </Form>
        </div>
      </div>
    </div>
  );
}
