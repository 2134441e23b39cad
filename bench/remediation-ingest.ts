/** `npm run bench:remediation ingest` (issue 10); called by bench/remediation.bench.ts. */
export async function benchIngest(): Promise<void> {
  console.log('ingest: not measured yet');
}
