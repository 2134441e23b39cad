// Runs in a worker thread (src/services/secrets.ts starts it): zxcvbn takes up to a second of CPU on hostile
// repetitive input, which must not stall the request thread. Plain JavaScript, because the CLI registers tsx only in
// the main thread and a worker would not understand TypeScript. The dictionaries load once per worker, on first use.
let factory;

async function load(maxLength) {
  const [core, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
  return new core.ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    maxLength,
  });
}

/** @param {{ password: string, userInputs: string[], maxLength: number }} task */
export default async function estimate({ password, userInputs, maxLength }) {
  factory ??= load(maxLength);
  const r = (await factory).check(password, userInputs);
  return { score: r.score, warning: r.feedback.warning ?? null, suggestions: r.feedback.suggestions };
}
