/**
 * A case with 200 vendor participants (each with a status and statement) and 5,000 messages (issue 9): the case's
 * whole JSON state, its status table and the first page of its thread, served through the HTTP API to a coordinator
 * and to one vendor, on SQLite and PostgreSQL. Target: under 200 ms each (VINCE's users report 10 s pages on a
 * 121-vendor case). Printed, never asserted; called by bench/intake.bench.ts (`npm run bench:intake case`).
 * BENCH_VENDORS and BENCH_MESSAGES change the size, BENCH_DRIVERS the databases.
 *
 * Participants and statuses go through CaseService like a user's work; the messages are written in bulk through the
 * threads part's repository (`insertCaseMessages`, rendered by its own `renderMessage`), as posting 5,000 one by one
 * would measure the set-up rather than the pages.
 */
import { performance } from 'node:perf_hooks';
import { renderMessage, RENDER_VERSION } from '../src/domain/case-threads/markdown.ts';
import { buildApp } from '../src/http/app.ts';
import { loadPrincipal, systemPrincipal } from '../src/services/principal.ts';
import { benchMessageRow, insertCaseMessages } from '../src/store/case-thread.repository.ts';
import type { Driver } from '../src/store/db.ts';
import { testContainer } from '../test/helpers/db.ts';

const VENDORS = Number(process.env.BENCH_VENDORS ?? 200);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'sqlite,postgres').split(',').map((d) => d.trim()) as Driver[];
const TARGET_MS = 200;
const RUNS = 20;
const sys = systemPrincipal('system');

const ms = (n: number) => `${n.toFixed(1)} ms`;
function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]! };
}

async function benchOn(driver: Driver): Promise<void> {
  const c = await testContainer(driver, { sbomWorkers: false });
  try {
    const s = c.services;
    const t0 = performance.now();
    const gov = (await s.organisations.create(sys, { name: 'Bench CERT', kind: 'government' })).id;
    const lab = (await s.organisations.create(sys, { name: 'Bench Lab', kind: 'ai-developer' })).id;
    const vendors: { id: string; name: string }[] = [];
    for (let i = 0; i < VENDORS; i++) {
      const name = `Bench vendor ${String(i).padStart(3, '0')}`;
      vendors.push({ id: (await s.organisations.create(sys, { name, kind: 'vendor' })).id, name });
    }
    const user = async (email: string, org: string) => (await s.users.create(sys, { email, name: email.split('@')[0]!, password: 'bench passphrase long enough', memberships: [{ organisationId: org, roles: ['member'] }] })).user.id;
    const coordinatorId = await user('coordinator@bench.example', gov);
    const vendorUserId = await user('psirt@bench.example', vendors[0]!.id);
    const coordinator = { ...(await loadPrincipal(c.deps.db, coordinatorId, 'token'))!, mustChangePassword: false };
    const finding = await s.findings.create(sys, { organisationId: lab, title: 'Bench finding', description: 'x', product: { purl: 'pkg:npm/bench-widget' }, location: 'a.ts:1' } as never);
    const opened = await s.cases.open(coordinator, { title: 'Bench case with many vendors', summary: 'Bench.', findingIds: [finding.finding.id] });
    for (const v of vendors) await s.cases.addParticipant(coordinator, opened.id, { organisationId: v.id, role: 'vendor' });
    for (const [i, v] of vendors.entries()) {
      await s.cases.setStatus(coordinator, opened.id, v.id, i % 3 === 0
        ? { status: 'fixed', statement: `Vendor ${i}: fixed in 2.${i}.1.`, fixedVersions: [{ purl: `pkg:npm/bench-widget-${i}`, fixed: `2.${i}.1` }] }
        : { status: i % 3 === 1 ? 'affected' : 'not-affected', statement: `Vendor ${i} statement.`, mitigations: i % 3 === 1 ? 'Block the admin port.' : '' });
    }
    const record = await s.cases.readable(coordinator, opened.id);
    const base = Date.parse(opened.createdAt);
    const rows: ReturnType<typeof benchMessageRow>[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const v = vendors[i % vendors.length]!;
      const body = `Message **${i}** from ${v.name}: we looked at \`src/gateway/${i}.ts\` and see [the report](https://example.com/r/${i}).`;
      rows.push(benchMessageRow(record.seq, 'participants', { userId: null, name: `author-${i % 50}@bench.example`, organisationId: v.id, organisationName: v.name, role: 'vendor' }, body, renderMessage(body), RENDER_VERSION, new Date(base + 1000 + i * 1000).toISOString()));
    }
    await c.deps.db.transaction().execute((tx) => insertCaseMessages(tx, rows));
    const setup = performance.now() - t0;

    const app = await buildApp(c, { logger: false });
    await app.ready();
    const token = async (userId: string) => (await s.tokens.create(sys, { name: 'bench', scopes: ['read', 'write'], forUserId: userId })).secret;
    const callers = { coordinator: await token(coordinatorId), vendor: await token(vendorUserId) };
    const pages = {
      'case (whole state)': `/api/v1/cases/${opened.id}`,
      'status table': `/api/v1/cases/${opened.id}/statuses`,
      'first thread page': `/api/v1/cases/${opened.id}/threads/participants/messages?limit=50`,
    };
    console.log(`case [${driver}]: ${VENDORS} vendors with statuses, ${MESSAGES} messages (set up in ${(setup / 1000).toFixed(1)} s)`);
    for (const [who, secret] of Object.entries(callers)) {
      for (const [what, url] of Object.entries(pages)) {
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < RUNS + 2; i++) {
          const t = performance.now();
          const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secret}` } });
          const elapsed = performance.now() - t;
          if (res.statusCode !== 200) throw new Error(`${what} for the ${who}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          bytes = res.body.length;
          // The first two warm the caches and the query plans.
          if (i >= 2) times.push(elapsed);
        }
        const { median, p95 } = stats(times);
        console.log(`  ${who.padEnd(11)} ${what.padEnd(20)} median ${ms(median).padStart(9)}  p95 ${ms(p95).padStart(9)}  ${(bytes / 1024).toFixed(0).padStart(5)} KiB  ${p95 < TARGET_MS ? 'under' : 'OVER'} the ${TARGET_MS} ms target`);
      }
    }
    await app.close();
  } finally {
    await c.destroy();
  }
}

export async function benchCase(): Promise<void> {
  for (const driver of DRIVERS) await benchOn(driver);
}
