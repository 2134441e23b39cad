/** `npm run bench:remediation dashboard` (issue 10); called by bench/remediation.bench.ts. */
export async function benchDashboard(): Promise<void> {
  console.log('dashboard: not measured yet');
}
