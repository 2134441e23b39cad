/**
 * `npm run bench:intake`: issue 9's figures for the README, printed, never asserted.
 * - a SARIF upload of 10,000 findings, a fifth duplicates of earlier ones, ingested and de-duplicated (SQLite);
 * - the triage queue's first page with 1M findings stored;
 * - a case with 200 vendor participants and 5,000 messages: status table and first thread page.
 */
import { benchIngest } from './intake-ingest.ts';
import { benchTriage } from './intake-triage.ts';
import { benchCase } from './intake-case.ts';

const only = process.argv[2];
if (!only || only === 'ingest') await benchIngest();
if (!only || only === 'triage') await benchTriage();
if (!only || only === 'case') await benchCase();
