/** The triage queue first page with 1M findings stored (issue 9); called by bench/intake.bench.ts. */
export async function benchTriage(): Promise<void> {
  console.log('triage: not measured yet');
}
