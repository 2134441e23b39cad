/** The finding page's triage panel: state, CVSS scoring with the live calculator, SSVC, KEV (issue 9). */
export function FindingTriagePanel({ findingId: _findingId }: { findingId: string }) {
  return null;
}
