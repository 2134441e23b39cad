/** `npm run bench:remediation notify` (issue 10); called by bench/remediation.bench.ts. */
export async function benchNotify(): Promise<void> {
  console.log('notify: not measured yet');
}
