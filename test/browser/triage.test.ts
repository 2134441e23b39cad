// End-to-end: the triage queue (/findings) and the finding page's triage panel in Chromium against a real server
// with a fresh database. A coordinator filters the queue, opens a finding, moves it to triaging with a note, scores
// it with CVSS 4.0, records an SSVC decision (shown live as the points are chosen), and sees the queue's order change;
// a reporter sees the same values without the controls. Steps build on each other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { systemPrincipal } from '../../src/services/principal.ts';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

const sys = systemPrincipal('system');
const PASSWORD = 'triage browser passphrase';
const V4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

describe('triage queue and panel in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shot = 0;
  const f = { gateway: '', pump: '', model: '' };

  const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });
  const focusedHeading = async (name: string | RegExp, p: Page = page) => {
    await heading(p, name).waitFor();
    await p.waitForFunction(() => document.activeElement?.tagName === 'H1');
  };
  /** The finding titles of the queue table, top to bottom, once the list has loaded. */
  const queueTitles = async (p: Page = page) => {
    await p.getByRole('status').filter({ hasText: 'Loading…' }).waitFor({ state: 'detached' });
    return p.getByTestId('queue-table').locator('tbody th[scope="row"] a').allInnerTexts();
  };
  const checkLayout = async (name: string, p: Page = page) => {
    for (const width of [1280, 390]) {
      await p.setViewportSize({ width, height: 900 });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${width} px: the page is ${overflow} px wider than the screen`);
      if (shotDir) {
        mkdirSync(shotDir, { recursive: true });
        await p.screenshot({ path: `${shotDir}/triage-${String(++shot).padStart(2, '0')}-${name}-${width}.png`, fullPage: true });
      }
    }
    await p.setViewportSize({ width: 1280, height: 900 });
  };
  async function signedInPage(email: string): Promise<{ context: BrowserContext; page: Page }> {
    const ctx = await newDesktopContext(browser);
    const p = await ctx.newPage();
    const res = await p.request.post(`${server.url}/api/v1/session`, { data: { email, password: PASSWORD } });
    assert.equal(res.status(), 200, await res.text());
    await p.goto(`${server.url}/findings`);
    await focusedHeading('Findings', p);
    return { context: ctx, page: p };
  }

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const s = server.container.services;
    const lab = (await s.organisations.create(sys, { name: 'Scanner Lab', kind: 'ai-developer' })).id;
    const redTeam = (await s.organisations.create(sys, { name: 'Red Team Lab', kind: 'researcher' })).id;
    const gov = (await s.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    const water = (await s.organisations.create(sys, { name: 'River Water Utility', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'] })).id;
    for (const [email, org] of [['coordinator@cert.example', gov], ['analyst@lab.example', lab]] as const) {
      await s.users.create(sys, { email, name: email.split('@')[0]!, password: PASSWORD, memberships: [{ organisationId: org, roles: ['member'] }] });
    }
    const make = async (organisationId: string, title: string, product: Record<string, unknown>) =>
      (await s.findings.create(sys, { organisationId, title, description: `${title}: steps to reproduce.`, product, location: `${title}.ts:1` } as never)).finding.id;
    // Created in this order, all new and unscored: the queue shows them oldest first.
    f.gateway = await make(lab, 'Gateway authentication bypass', { purl: 'pkg:npm/widget-gateway' });
    f.pump = await make(redTeam, 'Pump controller command injection', { name: 'Pump controller', organisationId: water });
    f.model = await make(lab, 'Helper model leaks API keys', { name: 'Helper model' });
    context = await newDesktopContext(browser);
    page = await context.newPage();
    const res = await page.request.post(`${server.url}/api/v1/session`, { data: { email: 'coordinator@cert.example', password: PASSWORD } });
    assert.equal(res.status(), 200, await res.text());
    await page.goto(server.url);
    await focusedHeading(/^Welcome/);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the queue oldest first while nothing is ranked, and filters it by sector, reporter, product and state', async () => {
    await page.getByRole('navigation', { name: 'Primary navigation' }).getByRole('link', { name: 'Findings', exact: true }).click();
    await focusedHeading('Findings');
    assert.deepEqual(await queueTitles(), ['Gateway authentication bypass', 'Pump controller command injection', 'Helper model leaks API keys']);
    const row = page.getByTestId('queue-table').locator('tbody tr').first();
    assert.match(await row.innerText(), /pkg:npm\/widget-gateway[\s\S]*New[\s\S]*Not decided[\s\S]*None known[\s\S]*Not scored[\s\S]*Scanner Lab/);
    // The age column carries the time with its zone.
    assert.match(await row.locator('time').innerText(), /[A-Z]{2,5}|GMT|UTC/);
    await checkLayout('queue');

    const filters = page.getByTestId('queue-filters');
    await filters.getByLabel('Sector').selectOption('water-and-wastewater');
    await filters.getByRole('button', { name: 'Filter', exact: true }).click();
    assert.deepEqual(await queueTitles(), ['Pump controller command injection']);
    await filters.getByLabel('Sector').selectOption('');
    await filters.getByLabel('Reporter').selectOption({ label: 'Red Team Lab' });
    await filters.getByRole('button', { name: 'Filter', exact: true }).click();
    assert.deepEqual(await queueTitles(), ['Pump controller command injection']);
    await filters.getByLabel('Reporter').selectOption('');
    await filters.getByLabel('Product').fill('pkg:npm/widget');
    await filters.getByRole('button', { name: 'Filter', exact: true }).click();
    assert.deepEqual(await queueTitles(), ['Gateway authentication bypass']);
    await filters.getByLabel('Product').fill('');
    await filters.getByLabel('State').selectOption('triaging');
    await filters.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByTestId('queue-none').waitFor();
    assert.match(await page.getByTestId('queue-none').innerText(), /No finding matches these filters/);
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    assert.equal((await queueTitles()).length, 3);
  });

  it('opens a finding and moves it to triaging with a required note', async () => {
    await page.getByTestId('queue-table').getByRole('link', { name: 'Helper model leaks API keys' }).click();
    await page.waitForURL(`**/findings/${f.model}`);
    const panel = page.getByTestId('finding-triage');
    await panel.waitFor();
    assert.equal(await panel.getByTestId('triage-state').innerText(), 'New');
    assert.match(await panel.getByTestId('triage-kev').innerText(), /no CVE alias/);
    const move = panel.getByTestId('triage-move');
    // Only the moves the life cycle allows from "new" are offered.
    assert.deepEqual(await move.locator('.usa-radio label').allInnerTexts(), ['Triaging', 'Duplicate', 'Out of scope']);
    await move.locator('label', { hasText: 'Triaging' }).click();
    await move.getByRole('button', { name: 'Move' }).click();
    await move.locator('.usa-error-message', { hasText: 'Write a note' }).waitFor();
    assert.equal(await panel.getByTestId('triage-state').innerText(), 'New', 'nothing moved without a note');
    await move.getByLabel('Note (required)').fill('Reproducing with the prompt from the report.');
    await move.getByRole('button', { name: 'Move' }).click();
    await panel.getByText('Moved to Triaging.').waitFor();
    assert.equal(await panel.getByTestId('triage-state').innerText(), 'Triaging');
    const history = panel.getByTestId('triage-history');
    assert.match(await history.locator('li').first().innerText(), /coordinator@cert\.example[\s\S]*Moved from New to Triaging[\s\S]*Reproducing with the prompt from the report\./);
    assert.match(await history.locator('li time').first().innerText(), /[A-Z]{2,5}|GMT|UTC/);
  });

  it('scores it with CVSS 4.0 through the live calculator and records an SSVC decision shown as it is chosen', async () => {
    const panel = page.getByTestId('finding-triage');
    const calc = panel.getByTestId('cvss-calculator');
    await calc.locator('label', { hasText: 'CVSS 4.0' }).click();
    for (const [metric, value] of [
      ['Attack vector (AV)', 'Network'], ['Attack complexity (AC)', 'Low'], ['Attack requirements (AT)', 'None'], ['Privileges required (PR)', 'None'],
      ['User interaction (UI)', 'None'], ['Vulnerable system confidentiality (VC)', 'High'], ['Vulnerable system integrity (VI)', 'High'],
      ['Vulnerable system availability (VA)', 'High'], ['Subsequent system confidentiality (SC)', 'None'], ['Subsequent system integrity (SI)', 'None'],
      ['Subsequent system availability (SA)', 'None'],
    ] as const)
      await calc.getByRole('group', { name: metric }).locator('label').getByText(value, { exact: true }).click();
    assert.match(await calc.getByTestId('cvss-result').innerText(), /Base score 9\.3/);
    await calc.getByRole('button', { name: 'Use this vector' }).click();
    await panel.getByText('CVSS 4.0 score recorded.').waitFor();
    assert.match(await panel.getByTestId('triage-cvss').innerText(), new RegExp(`9\\.3 \\(CVSS 4\\.0\\)[\\s\\S]*${V4.replace(/[/.]/g, '\\$&')}`));

    const ssvc = panel.getByTestId('triage-ssvc-form');
    assert.match(await ssvc.getByTestId('ssvc-live').innerText(), /Answer every decision point/);
    for (const [point, value] of [['Exploitation', 'Active'], ['Automatable', 'Yes'], ['Technical impact', 'Total']] as const)
      await ssvc.getByRole('group', { name: point }).locator('label').getByText(value, { exact: true }).click();
    await ssvc.getByRole('group', { name: 'Mission and well-being' }).locator('label').getByText('Low', { exact: true }).click();
    assert.match(await ssvc.getByTestId('ssvc-live').innerText(), /Decision: Attend$/i, 'the decision follows the points as they are chosen');
    await ssvc.getByRole('group', { name: 'Mission and well-being' }).locator('label').getByText('High', { exact: true }).click();
    assert.match(await ssvc.getByTestId('ssvc-live').innerText(), /Decision: Act$/i);
    await ssvc.getByRole('button', { name: 'Record SSVC decision' }).click();
    await panel.getByText('SSVC decision Act recorded.').waitFor();
    assert.match(await panel.getByTestId('triage-ssvc').innerText(), /^Act decided /i);
    assert.match(await panel.getByTestId('triage-exploitation').innerText(), /Active/);
    await checkLayout('panel');
  });

  it('shows the new order in the queue: the decided finding first', async () => {
    await page.goto(`${server.url}/findings`);
    await focusedHeading('Findings');
    assert.deepEqual(await queueTitles(), ['Helper model leaks API keys', 'Gateway authentication bypass', 'Pump controller command injection']);
    const first = page.getByTestId('queue-table').locator('tbody tr').first();
    assert.match(await first.innerText(), /Triaging\tAct\tActive\t9\.3 \(CVSS 4\.0\)/i);
  });

  it('shows a reporter the values and the history, without the controls', async () => {
    const reporter = await signedInPage('analyst@lab.example');
    try {
      // The lab reads its own AMBER findings, not the other lab's.
      assert.deepEqual(await queueTitles(reporter.page), ['Helper model leaks API keys', 'Gateway authentication bypass']);
      await reporter.page.getByTestId('queue-table').getByRole('link', { name: 'Helper model leaks API keys' }).click();
      const panel = reporter.page.getByTestId('finding-triage');
      await panel.getByTestId('triage-history').waitFor();
      assert.equal(await panel.getByTestId('triage-state').innerText(), 'Triaging');
      assert.match(await panel.getByTestId('triage-ssvc').innerText(), /^Act decided /i);
      assert.equal(await panel.getByTestId('triage-move').count(), 0);
      assert.equal(await panel.getByTestId('cvss-calculator').count(), 0);
      assert.equal(await panel.getByTestId('triage-ssvc-form').count(), 0);
      // Who moved it is a coordinator's e-mail, not the reporter's to read.
      const text = await panel.getByTestId('triage-history').innerText();
      assert.match(text, /coordinator/);
      assert.ok(!text.includes('coordinator@cert.example'));
    } finally {
      await reporter.context.close();
    }
  });
});
