// End-to-end: a coordinated disclosure case in Chromium against a real server with a fresh database. A coordinator
// opens a case from a finding on /cases, adds the suggested vendor on the case's page; the vendor's user sets a status
// with a statement; the coordinator comes back and sees that status marked as new in the status table, and the case
// marked in the list. Steps build on each other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { systemPrincipal } from '../../src/services/principal.ts';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

const sys = systemPrincipal('system');
const PASSWORD = 'cases browser passphrase';

describe('a case, its vendor and its status table in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  let coordinator: { context: BrowserContext; page: Page };
  let caseUrl = '';
  let shot = 0;
  const org = { gov: '', lab: '', vendor: '' };

  const focusedHeading = async (p: Page, name: string | RegExp) => {
    await p.getByRole('heading', { level: 1, name }).waitFor();
    await p.waitForFunction(() => document.activeElement?.tagName === 'H1');
  };
  const checkLayout = async (p: Page, name: string) => {
    for (const width of [1280, 390]) {
      await p.setViewportSize({ width, height: 900 });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${width} px: the page is ${overflow} px wider than the screen`);
      if (shotDir) {
        mkdirSync(shotDir, { recursive: true });
        await p.screenshot({ path: `${shotDir}/cases-${String(++shot).padStart(2, '0')}-${name}-${width}.png`, fullPage: true });
      }
    }
    await p.setViewportSize({ width: 1280, height: 900 });
  };
  async function signedIn(email: string, path: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newDesktopContext(browser);
    const page = await context.newPage();
    const res = await page.request.post(`${server.url}/api/v1/session`, { data: { email, password: PASSWORD } });
    assert.equal(res.status(), 200, await res.text());
    await page.goto(`${server.url}${path}`);
    return { context, page };
  }

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const s = server.container.services;
    org.gov = (await s.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    org.lab = (await s.organisations.create(sys, { name: 'Scanner Lab', kind: 'ai-developer' })).id;
    org.vendor = (await s.organisations.create(sys, { name: 'Acme Widgets', kind: 'vendor' })).id;
    for (const [email, o] of [['coordinator@cert.example', org.gov], ['psirt@acme.example', org.vendor]] as const) {
      await s.users.create(sys, { email, name: email.split('@')[0]!, password: PASSWORD, memberships: [{ organisationId: o, roles: ['member', 'admin'] }] });
    }
    await s.cases.declareProduct(sys, org.vendor, { purlPrefix: 'pkg:npm/@acme/' });
    await s.findings.create(sys, { organisationId: org.lab, title: 'Widget gateway authentication bypass', description: 'Steps to reproduce.', product: { purl: 'pkg:npm/@acme/widget-gateway' }, location: 'src/auth.ts:10' } as never);
    coordinator = await signedIn('coordinator@cert.example', '/cases');
    await focusedHeading(coordinator.page, 'Cases');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a coordinator opens a case from a finding', async () => {
    const page = coordinator.page;
    await page.getByTestId('case-open').click();
    await page.getByLabel('Find findings').fill('gateway');
    await page.getByTestId('case-finding-search').click();
    // USWDS draws its own box over the native checkbox: the user clicks the label.
    await page.locator('label').filter({ hasText: 'Widget gateway authentication bypass' }).click();
    assert.equal(await page.getByLabel(/Widget gateway authentication bypass/).isChecked(), true);
    assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), 'Widget gateway authentication bypass', 'the title starts from the finding');
    await page.getByLabel('Summary').fill('Authentication bypass in the Acme widget gateway.');
    await checkLayout(page, 'open-form');
    await page.getByTestId('case-open-submit').click();
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    caseUrl = new URL(page.url()).pathname;
    await focusedHeading(page, 'Widget gateway authentication bypass');
    const countdown = await page.getByTestId('case-countdown').innerText();
    assert.match(countdown, /in 90 days/);
    // Every date with its time zone.
    assert.match(await page.getByTestId('case-countdown').locator('time').innerText(), /[A-Z]{2,5}|GMT|UTC/);
    const participants = await page.getByTestId('case-participants').innerText();
    assert.match(participants, /National CERT[\s\S]*Coordinator/);
    assert.match(participants, /Scanner Lab[\s\S]*Reporter/);
  });

  it('adds the suggested vendor', async () => {
    const page = coordinator.page;
    const suggestions = page.getByTestId('case-suggestions');
    assert.match(await suggestions.innerText(), /Acme Widgets[\s\S]*declared pkg:npm\/%40acme\//);
    await suggestions.getByRole('button', { name: 'Add Acme Widgets as vendor' }).click();
    await page.getByTestId('case-participants').getByRole('button', { name: 'Remove Acme Widgets' }).waitFor();
    const row = page.getByTestId(`status-row-${org.vendor}`);
    assert.match(await row.innerText(), /Acme Widgets[\s\S]*Unknown/);
    assert.equal(await row.getByTestId('status-new').count(), 0, 'the coordinator added the vendor: nothing new to them');
    await checkLayout(page, 'case');
  });

  it('the vendor\'s user sets a status with a statement', async () => {
    const vendor = await signedIn('psirt@acme.example', caseUrl);
    const page = vendor.page;
    await focusedHeading(page, 'Widget gateway authentication bypass');
    const form = page.getByTestId(`statement-form-${org.vendor}`);
    await form.getByLabel('Status').selectOption('fixed');
    await form.getByLabel('Statement').fill('Fixed in 2.4.1; all earlier versions are affected.');
    await form.getByLabel('Fixed versions').fill('pkg:npm/@acme/widget-gateway 2.4.1');
    await form.getByTestId('statement-submit').click();
    await page.getByText('Statement saved.').waitFor();
    const row = page.getByTestId(`status-row-${org.vendor}`);
    await row.getByTestId('status-value').filter({ hasText: 'Fixed' }).waitFor();
    assert.match(await row.innerText(), /Fixed in 2\.4\.1; all earlier versions are affected\.[\s\S]*pkg:npm\/%40acme\/widget-gateway 2\.4\.1/);
    await vendor.context.close();
  });

  it('the coordinator sees the status marked as new, in the case list and in the status table', async () => {
    const page = coordinator.page;
    await page.goto(`${server.url}/cases`);
    await focusedHeading(page, 'Cases');
    const listRow = page.getByTestId('cases-table').locator('tbody tr').filter({ hasText: 'Widget gateway authentication bypass' });
    assert.match(await listRow.getByTestId('case-unread').innerText(), /1 new vendor status/i);
    await listRow.getByRole('link', { name: 'Widget gateway authentication bypass' }).click();
    await focusedHeading(page, 'Widget gateway authentication bypass');
    const row = page.getByTestId(`status-row-${org.vendor}`);
    await row.getByTestId('status-new').waitFor();
    assert.match(await row.innerText(), /Acme Widgets[\s\S]*New[\s\S]*Fixed/i);
    // The visit is recorded: coming back, nothing is new any more.
    await page.reload();
    await focusedHeading(page, 'Widget gateway authentication bypass');
    await row.getByTestId('status-value').waitFor();
    assert.equal(await row.getByTestId('status-new').count(), 0);
  });
});
