/** A SARIF upload of 10,000 findings (a fifth duplicates of earlier ones) ingested and de-duplicated on SQLite (issue 9); called by bench/intake.bench.ts. */
export async function benchIngest(): Promise<void> {
  console.log('ingest: not measured yet');
}
