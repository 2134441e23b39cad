/** A case with 200 vendor participants and 5,000 messages: status table and first thread page (issue 9); called by bench/intake.bench.ts. */
export async function benchCase(): Promise<void> {
  console.log('case: not measured yet');
}
