import { useEffect, useState, type FormEvent } from 'react';
import { Button, Fieldset, Form } from '@trussworks/react-uswds';
import { ApiError, errorMessage } from '../api.ts';
import { FocusAlert, focusFirstInvalid, PageHeading, TextField } from '../components/common.component.tsx';
import { useSessionContext } from '../session.context.tsx';

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export function SignInPage({ notice }: { notice?: string }) {
  const { signIn } = useSessionContext();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; at: number } | null>(null);
  // When the server throttles sign-ins we count down its Retry-After so the user knows when to try again.
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string }>({});

  useEffect(() => {
    if (waitUntil === null) return;
    const timer = window.setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= waitUntil) setWaitUntil(null);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [waitUntil]);

  const remaining = waitUntil === null ? 0 : Math.max(0, Math.ceil((waitUntil - now) / 1000));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: { email?: string; password?: string } = {};
    if (!email.trim()) found.email = 'Enter your email address.';
    if (!password) found.password = 'Enter your password.';
    setFieldErrors(found);
    if (found.email || found.password) return focusFirstInvalid(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      // The shell re-renders on the new session and routes to the forced password change when required.
    } catch (err) {
      setPassword('');
      if (err instanceof ApiError && err.status === 429) {
        const seconds = err.retryAfter ?? 1;
        setNow(Date.now());
        setWaitUntil(Date.now() + seconds * 1000);
        setError({ message: `Too many sign-in attempts. Wait ${formatWait(seconds)} before trying again.`, at: Date.now() });
      } else if (err instanceof ApiError && err.status === 401) {
        setError({
          message: `${errorMessage(err)} Check your email address and password and try again.`,
          at: Date.now(),
        });
      } else {
        setError({ message: errorMessage(err), at: Date.now() });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="grid-row flex-justify-center">
      <div className="tablet:grid-col-8 desktop:grid-col-6">
        <div className="bg-white padding-y-3 padding-x-5 border border-base-lighter radius-md margin-top-4">
          <PageHeading>Sign in</PageHeading>
          <p className="usa-intro font-sans-sm">Sign in to Clearinghouse with your email address and password.</p>
          {notice && !error && (
            <FocusAlert type="info" focusKey={notice}>
              {notice}
            </FocusAlert>
          )}
          {error && (
            <FocusAlert type="error" heading="Sign-in failed" focusKey={error.at}>
              {error.message}
              {remaining > 0 && (
                <span className="display-block margin-top-1" aria-live="off">
                  You can try again in {formatWait(remaining)}.
                </span>
              )}
            </FocusAlert>
          )}
          <Form onSubmit={submit} large noValidate>
            <Fieldset legend="Your account" legendStyle="srOnly">
              <TextField id="sign-in-email" label="Email address" error={fieldErrors.email} name="email" type="email" autoComplete="username" autoCapitalize="off" spellCheck={false} value={email} onChange={setEmail} />
              <TextField id="sign-in-password" label="Password" error={fieldErrors.password} name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} />
              <Button type="submit" disabled={busy || remaining > 0} className="margin-top-3">
                {busy ? 'Signing in…' : 'Sign in'}
              </Button>
            </Fieldset>
          </Form>
        </div>
      </div>
    </div>
  );
}
