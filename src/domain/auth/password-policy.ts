/**
 * Password rules after NIST SP 800-63B rev. 4 (section 3.1.1.2), pure. Clearinghouse has no second factor yet, so a
 * password is the only factor and the minimum is 15 characters; the maximum is far above the 64 the standard asks
 * to allow. No composition rules. Characters are counted as Unicode code points of the NFKC form, which is also what
 * is hashed, so the same passphrase typed on another keyboard or input method matches. A password made only of
 * whitespace is refused, and every new password is checked against common and breached passwords with zxcvbn
 * (password-strength.worker.ts). This module has no imports and no Node APIs on purpose: web/src/password-rules.ts
 * imports it, so the browser checks exactly these rules before the server does.
 */
export const MIN_PASSWORD_LENGTH = 15;
export const MAX_PASSWORD_LENGTH = 1024;
/** zxcvbn scores 0-4; 3 means "safely unguessable: moderate protection from an offline slow-hash scenario". */
export const MIN_STRENGTH_SCORE = 3;
/** zxcvbn looks at this many characters; longer passwords are judged on their start (its own default is 256). */
export const STRENGTH_MAX_LENGTH = 100;

export function normalisePassword(pw: string): string {
  return pw.normalize('NFKC');
}

export type PasswordShapeIssue = 'whitespace' | 'too-short' | 'too-long';

/**
 * Which length or whitespace rule the password breaks, if any. Pure and free of Node APIs: the web UI imports it so the
 * form applies the very same rules before submitting, and words the issue in its own sentences.
 */
export function passwordShapeIssue(pw: string): PasswordShapeIssue | null {
  const n = normalisePassword(pw);
  if (n.trim().length === 0) return 'whitespace';
  const length = [...n].length;
  if (length < MIN_PASSWORD_LENGTH) return 'too-short';
  if (length > MAX_PASSWORD_LENGTH) return 'too-long';
  return null;
}

/** The length and whitespace rules; null when the password passes them. */
export function passwordShapeProblem(pw: string): string | null {
  switch (passwordShapeIssue(pw)) {
    case 'whitespace':
      return 'the new password must not consist only of spaces or other whitespace';
    case 'too-short':
      return `the new password must have at least ${MIN_PASSWORD_LENGTH} characters`;
    case 'too-long':
      return `the new password is too long (${MAX_PASSWORD_LENGTH} characters at most)`;
    case null:
      return null;
  }
}

export interface StrengthEstimate {
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** zxcvbn's warning and suggestions as one piece of advice ('' when it has none); the web UI words it the same way. */
export function strengthAdvice(e: StrengthEstimate): string {
  return [e.warning, ...e.suggestions].filter((s): s is string => !!s).join(' ');
}

/** Turns zxcvbn's verdict into the problem detail the user reads; null when strong enough. */
export function strengthProblem(e: StrengthEstimate): string | null {
  if (e.score >= MIN_STRENGTH_SCORE) return null;
  const advice = strengthAdvice(e);
  return `the new password is too easy to guess${advice ? `: ${advice}` : ''}`;
}

/** What the estimator is told about the user, so a password built from their own e-mail or name scores low. */
export function userInputsFor(user: { email?: string | null; name?: string | null }): string[] {
  const inputs = new Set<string>(['clearinghouse']);
  if (user.email) {
    inputs.add(user.email);
    for (const part of user.email.split(/[@.+_-]/)) if (part.length >= 3) inputs.add(part);
  }
  if (user.name) {
    inputs.add(user.name);
    for (const part of user.name.split(/\s+/)) if (part.length >= 3) inputs.add(part);
  }
  return [...inputs];
}
