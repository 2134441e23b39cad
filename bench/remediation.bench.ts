/**
 * `npm run bench:remediation [notify|ingest|dashboard]`: issue 10's figures for the README, printed, never asserted.
 * - notify: 10,000 organisations holding 10M components; a new advisory to every affected organisation's notification;
 * - ingest: an SBOM of 100,000 components matched against the shared advisories and its inventory findings stored, and
 *   one of 300,000 components in bounded memory;
 * - dashboard: the coordinator dashboard's queries.
 */
import { benchNotify } from './remediation-notify.ts';
import { benchIngest } from './remediation-ingest.ts';
import { benchDashboard } from './remediation-dashboard.ts';

const only = process.argv[2];
if (!only || only === 'notify') await benchNotify();
if (!only || only === 'ingest') await benchIngest();
if (!only || only === 'dashboard') await benchDashboard();
