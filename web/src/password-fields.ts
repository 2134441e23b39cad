// Which field each password-rule message is about, so forms can show it beside that field. The messages come from
// password-rules.ts (shared with the server's rules); a message about matching belongs to the confirmation box.

export type PasswordField = 'current' | 'next' | 'confirm';

export function passwordFieldErrors(problems: string[]): Partial<Record<PasswordField, string>> {
  const out: Partial<Record<PasswordField, string>> = {};
  for (const p of problems) {
    const field: PasswordField = /match/i.test(p) ? 'confirm' : 'next';
    out[field] = out[field] ? `${out[field]} ${p}` : p;
  }
  return out;
}
