// Worker-thread entry for case messages' Markdown rendering (message-render.pool.ts). Plain JavaScript for the reason
// given in sbom-parse.worker.mjs: a server started by bin/clearinghouse.mjs registers tsx in its main thread only, so
// the worker registers it itself before importing the TypeScript renderer.
import { register } from 'tsx/esm/api';

register();
const { renderMessage } = await import('../../domain/case-threads/markdown.ts');

/** @param {{ sources: string[] }} task */
export default function render({ sources }) {
  return sources.map((s) => renderMessage(s));
}
