// What the UI checks before asking the server to change a password. The rules themselves (lengths, NFKC, whitespace,
// minimum zxcvbn score, the words the estimator is told about the user) are the server's, imported from the pure
// src/domain/auth/password-policy.ts so the two cannot drift; this file only words them as the form's sentences and
// loads zxcvbn lazily in the browser. The server stays authoritative.
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  MIN_STRENGTH_SCORE,
  STRENGTH_MAX_LENGTH,
  normalisePassword,
  passwordShapeIssue,
  strengthAdvice,
  userInputsFor,
} from '../../src/domain/auth/password-policy.ts';

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, MIN_STRENGTH_SCORE, userInputsFor };

/** Problems with the proposed password that the user can fix before the server is asked. */
export function passwordProblems(current: string, next: string, confirm: string): string[] {
  const problems: string[] = [];
  // An empty field reads as "too short" rather than "only whitespace": the user has not typed anything yet.
  const issue = next.length === 0 ? 'too-short' : passwordShapeIssue(next);
  if (issue === 'whitespace') problems.push('The new password must not consist only of spaces or other whitespace.');
  else if (issue === 'too-short') problems.push(`The new password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  else if (issue === 'too-long') problems.push(`The new password is too long (${MAX_PASSWORD_LENGTH} characters at most).`);
  if (next !== confirm) problems.push('The two new passwords do not match.');
  if (next && normalisePassword(next) === normalisePassword(current)) problems.push('The new password must differ from the current one.');
  return problems;
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
  const r = (await loadEstimator()).check(normalisePassword(next), userInputs);
  if (r.score >= MIN_STRENGTH_SCORE) return null;
  const advice = strengthAdvice({ score: r.score, ...r.feedback });
  return `The new password is too easy to guess${advice ? `: ${advice}` : '.'}`;
}

/** Everything above, the strength check last (it needs the dictionaries, and only matters once the rest passes). */
export async function passwordProblemsBeforeSubmit(current: string, next: string, confirm: string, userInputs: string[]): Promise<string[]> {
  const problems = passwordProblems(current, next, confirm);
  if (problems.length > 0) return problems;
  const weak = await strengthProblem(next, userInputs);
  return weak ? [weak] : [];
}
