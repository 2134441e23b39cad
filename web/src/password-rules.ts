// What the UI checks before asking the server to change a password: the same rules as the server's
// src/domain/auth/password-policy.ts (NIST SP 800-63B), so the user reads the problem before submitting. The server
// stays authoritative; this copy exists because the UI bundle cannot import server modules.

export const MIN_PASSWORD_LENGTH = 15;
export const MAX_PASSWORD_LENGTH = 1024;
/** zxcvbn scores 0-4; the server refuses anything below 3. */
export const MIN_STRENGTH_SCORE = 3;
/** zxcvbn looks at this many characters (as on the server). */
const STRENGTH_MAX_LENGTH = 100;

const nfkc = (s: string) => s.normalize('NFKC');

/** Problems with the proposed password that the user can fix before the server is asked. */
export function passwordProblems(current: string, next: string, confirm: string): string[] {
  const problems: string[] = [];
  const n = nfkc(next);
  const length = [...n].length;
  if (next.length > 0 && n.trim().length === 0) problems.push('The new password must not consist only of spaces or other whitespace.');
  else if (length < MIN_PASSWORD_LENGTH) problems.push(`The new password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  else if (length > MAX_PASSWORD_LENGTH) problems.push(`The new password is too long (${MAX_PASSWORD_LENGTH} characters at most).`);
  if (next !== confirm) problems.push('The two new passwords do not match.');
  if (next && n === nfkc(current)) problems.push('The new password must differ from the current one.');
  return problems;
}

/** The words the estimator is told about the user (their e-mail and name), as the server does. */
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

type Estimator = { check(password: string, userInputs?: (string | number)[]): { score: number; feedback: { warning: string | null; suggestions: string[] } } };
let estimator: Promise<Estimator> | undefined;

// The dictionaries are large: loaded on first use only, as a separate chunk.
function loadEstimator(): Promise<Estimator> {
  estimator ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(
    ([core, common, en]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
        maxLength: STRENGTH_MAX_LENGTH,
      }),
  );
  return estimator;
}

/** zxcvbn's verdict worded as the server words it; null when the password is strong enough. */
export async function strengthProblem(next: string, userInputs: string[]): Promise<string | null> {
  const r = (await loadEstimator()).check(nfkc(next), userInputs);
  if (r.score >= MIN_STRENGTH_SCORE) return null;
  const advice = [r.feedback.warning, ...r.feedback.suggestions].filter((s): s is string => !!s).join(' ');
  return `The new password is too easy to guess${advice ? `: ${advice}` : '.'}`;
}

/** Everything above, the strength check last (it needs the dictionaries, and only matters once the rest passes). */
export async function passwordProblemsBeforeSubmit(current: string, next: string, confirm: string, userInputs: string[]): Promise<string[]> {
  const problems = passwordProblems(current, next, confirm);
  if (problems.length > 0) return problems;
  const weak = await strengthProblem(next, userInputs);
  return weak ? [weak] : [];
}
