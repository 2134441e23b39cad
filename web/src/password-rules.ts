// What the UI checks before asking the server to change a password (the server enforces the same rules).

export const MIN_PASSWORD_LENGTH = 12;

/** Problems with the proposed password that the user can fix before the server is asked. */
export function passwordProblems(current: string, next: string, confirm: string): string[] {
  const problems: string[] = [];
  if ([...next].length < MIN_PASSWORD_LENGTH) problems.push(`The new password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  if (next !== confirm) problems.push('The two new passwords do not match.');
  if (next && next === current) problems.push('The new password must differ from the current one.');
  return problems;
}
