// A node:test reporter that writes one JSON line per skipped or todo test or suite (with its suite path and reason),
// for scripts/test.mjs to recap after the summary. A skip among hundreds of passing lines is easy to miss.
export default async function* skipReporter(source) {
  const stacks = new Map(); // file -> names of the enclosing suites, by nesting level
  for await (const event of source) {
    const data = event.data ?? {};
    if (event.type === 'test:start') {
      const stack = stacks.get(data.file) ?? [];
      stack.length = data.nesting;
      stack[data.nesting] = data.name;
      stacks.set(data.file, stack);
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (data.skip === undefined && data.todo === undefined) continue;
    const path = [...(stacks.get(data.file) ?? []).slice(0, data.nesting), data.name];
    yield JSON.stringify({
      kind: data.skip !== undefined ? 'skipped' : 'todo',
      file: data.file ?? null,
      path,
      suite: data.details?.type === 'suite',
      reason: typeof (data.skip ?? data.todo) === 'string' ? (data.skip ?? data.todo) : null,
    }) + '\n';
  }
}
