/** A case's message thread (issue 9). */
export function CaseThread({ caseId: _caseId }: { caseId: string }) {
  return null;
}
