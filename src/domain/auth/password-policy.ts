/**
 * Password rules after NIST SP 800-63B rev. 4 (section 3.1.1.2), pure. Clearinghouse has no second factor yet, so a
 * password is the only factor and the minimum is 15 characters; the maximum is far above the 64 the standard asks
 * to allow. No composition rules. Characters are counted as Unicode code points of the NFKC form, which is also what
 * is hashed, so the same passphrase typed on another keyboard or input method matches. A password made only of
 * whitespace is refused, and every new password is checked against common and breached passwords with zxcvbn
 * (password-strength.worker.ts).
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

/** The length and whitespace rules; null when the password passes them. */
export function passwordShapeProblem(pw: string): string | null {
  const n = normalisePassword(pw);
  if (n.trim().length === 0) return 'the new password must not consist only of spaces or other whitespace';
  const length = [...n].length;
  if (length < MIN_PASSWORD_LENGTH) return `the new password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `the new password is too long (${MAX_PASSWORD_LENGTH} characters at most)`;
  return null;
}

export interface StrengthEstimate {
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** Turns zxcvbn's verdict into the problem detail the user reads; null when strong enough. */
export function strengthProblem(e: StrengthEstimate): string | null {
  if (e.score >= MIN_STRENGTH_SCORE) return null;
  const advice = [e.warning, ...e.suggestions].filter((s): s is string => !!s).join(' ');
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
