// End-to-end: a case's discussion in Chromium against a real server with a fresh database. A coordinator previews and
// posts a Markdown message with a file, and an internal note; a vendor taking part sees the message marked new,
// reads it (which marks it read), downloads the file and replies; the vendor never sees the internal thread, in the
// page or through the API; the coordinator then finds the reply new.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadPrincipal, systemPrincipal } from '../../src/services/principal.ts';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

const PASSWORD = 'case thread browser passphrase';

describe('case thread in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let caseId = '';
  let shot = 0;

  async function signedIn(email: string): Promise<Page> {
    const context = await newDesktopContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    const res = await page.request.post(`${server.url}/api/v1/session`, { data: { email, password: PASSWORD } });
    assert.equal(res.status(), 200, await res.text());
    return page;
  }
  async function openCase(page: Page): Promise<void> {
    await page.goto(`${server.url}/cases/${caseId}`);
    await page.getByTestId('case-thread').getByRole('heading', { name: 'Discussion' }).waitFor();
  }
  async function look(page: Page, name: string): Promise<void> {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${width} px: the page is ${overflow} px wider than the screen`);
      if (shotDir) {
        mkdirSync(shotDir, { recursive: true });
        await page.screenshot({ path: `${shotDir}/thread-${String(++shot).padStart(2, '0')}-${name}-${width}.png`, fullPage: true });
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  const messages = (page: Page) => page.getByTestId('thread-message');

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const { services, deps } = server.container;
    const sys = systemPrincipal('system');
    const gov = await services.organisations.create(sys, { name: 'National CERT', kind: 'government' });
    const vendor = await services.organisations.create(sys, { name: 'Acme Widgets', kind: 'vendor' });
    const lab = await services.organisations.create(sys, { name: 'Scanner Lab', kind: 'ai-developer' });
    const coordinator = await services.users.create(sys, { email: 'coordinator@thread.example', name: 'Casey Coordinator', password: PASSWORD, memberships: [{ organisationId: gov.id, roles: ['member'] }] });
    await services.users.create(sys, { email: 'vendor@thread.example', name: 'Vera Vendor', password: PASSWORD, memberships: [{ organisationId: vendor.id, roles: ['member'] }] });
    const { finding } = await services.findings.create(sys, {
      organisationId: lab.id, title: 'Gateway auth bypass', description: 'A forged cookie is accepted.', product: { purl: 'pkg:npm/acme-gateway', name: 'Acme Gateway' }, location: 'src/auth.ts:10', label: { tlp: 'AMBER' },
    } as never);
    const actor = (await loadPrincipal(deps.db, coordinator.user.id, 'session'))!;
    const opened = await services.cases.open(actor, { title: 'Acme Gateway authentication bypass', findingIds: [finding.id] });
    await services.cases.addParticipant(actor, opened.id, { organisationId: vendor.id, role: 'vendor' });
    caseId = opened.id;
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  it('a coordinator previews and posts a message with a file, and writes an internal note', async () => {
    const page = await signedIn('coordinator@thread.example');
    await openCase(page);
    const tabs = page.getByRole('tablist', { name: 'Threads of this case' });
    await tabs.getByRole('tab', { name: /^Internal/ }).waitFor();
    assert.equal(await tabs.getByRole('tab', { name: /^Participants/ }).getAttribute('aria-selected'), 'true');
    await page.getByText('No messages yet.').waitFor();
    await page.getByLabel('Message', { exact: true }).fill('We reproduced the **bypass**.\n\n<script>alert(1)</script>\n\nPlease confirm the affected versions.');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('composer-preview');
    await preview.locator('strong', { hasText: 'bypass' }).waitFor();
    assert.match(await preview.innerText(), /<script>alert\(1\)<\/script>/, 'raw HTML is shown as text');
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Attach files (optional)').setInputFiles({ name: 'poc.txt', mimeType: 'text/plain', buffer: Buffer.from('curl -H "Cookie: session=forged" https://gateway/admin\n') });
    await page.getByRole('button', { name: 'Post message' }).click();
    await page.getByText('Message posted with 1 file.').waitFor();
    const posted = messages(page).first();
    await posted.getByRole('link', { name: 'poc.txt' }).waitFor();
    assert.match(await posted.innerText(), /Casey Coordinator \(you\), National CERT/);
    // The time is shown with its zone.
    assert.match(await posted.locator('time').innerText(), /(UTC|GMT|[A-Z]{2,5}|[+-]\d)/);
    assert.equal(await posted.locator('script').count(), 0);
    await look(page, 'coordinator-posted');

    await tabs.getByRole('tab', { name: /^Internal/ }).click();
    await page.getByText('Only coordinators who read this case see this thread').waitFor();
    await page.getByLabel('Message', { exact: true }).fill('Internal: vendor answered slowly on the last case; keep the 90 days.');
    await page.getByRole('button', { name: 'Post message' }).click();
    await page.getByText('Message posted.').waitFor();
    await messages(page).filter({ hasText: 'keep the 90 days' }).waitFor();
  });

  it('the vendor sees the message marked new, reads it, downloads the file and replies; the internal thread does not exist for it', async () => {
    const page = await signedIn('vendor@thread.example');
    await openCase(page);
    const tabs = page.getByRole('tablist', { name: 'Threads of this case' });
    await tabs.getByRole('tab', { name: /^Participants/ }).waitFor();
    assert.equal(await tabs.getByRole('tab').count(), 1, 'only the participants\' thread');
    await page.getByTestId('new-since-visit').filter({ hasText: '1 new message since your last visit' }).waitFor();
    const message = messages(page).filter({ hasText: 'Please confirm the affected versions.' });
    await message.getByTestId('message-new').waitFor();
    assert.equal(await message.locator('strong', { hasText: 'bypass' }).count(), 1, 'the Markdown is rendered');
    assert.doesNotMatch(await page.locator('main').innerText(), /keep the 90 days/);
    await look(page, 'vendor-new');
    // Reading it marked it read: the tab has no unread count left, and the server agrees.
    await page.getByTestId('unread-participants').waitFor({ state: 'detached' });
    const summary = await page.request.get(`${server.url}/api/v1/cases/${caseId}/threads`);
    assert.deepEqual((await summary.json()).items.map((t: any) => [t.name, t.unread]), [['participants', 0]]);
    const internal = await page.request.get(`${server.url}/api/v1/cases/${caseId}/threads/internal/messages`);
    const absent = await page.request.get(`${server.url}/api/v1/cases/${caseId}/threads/nonesuch/messages`);
    assert.equal(internal.status(), 404);
    assert.deepEqual(await internal.json().then((b) => [b.type, b.detail]), await absent.json().then((b) => [b.type, b.detail]), 'the internal thread answers like an absent one');

    const href = await message.getByRole('link', { name: 'poc.txt' }).getAttribute('href');
    const file = await page.request.get(`${server.url}${href}`);
    assert.equal(file.status(), 200);
    assert.match(await file.text(), /session=forged/);

    await message.getByRole('button', { name: 'Reply to Casey Coordinator' }).click();
    await page.getByText('Replying to Casey Coordinator, National CERT.').waitFor();
    await page.getByLabel('Message', { exact: true }).fill('Confirmed: versions **2.0 to 2.3** are affected; a fix is in 2.4.1.');
    await page.getByRole('button', { name: 'Post message' }).click();
    await page.getByText('Message posted.').waitFor();
    const reply = messages(page).filter({ hasText: 'a fix is in 2.4.1' });
    await reply.getByText('In reply to').waitFor();
    assert.match(await reply.innerText(), /Vera Vendor \(you\), Acme Widgets/);
    await page.reload();
    await page.getByTestId('case-thread').getByRole('heading', { name: 'Discussion' }).waitFor();
    await messages(page).filter({ hasText: 'a fix is in 2.4.1' }).waitFor();
    assert.equal(await page.getByTestId('message-new').count(), 0, 'nothing is new after reading');
  });

  it('the coordinator finds the vendor\'s reply new', async () => {
    const page = await signedIn('coordinator@thread.example');
    await openCase(page);
    await page.getByTestId('new-since-visit').filter({ hasText: '1 new message since your last visit' }).waitFor();
    const reply = messages(page).filter({ hasText: 'a fix is in 2.4.1' });
    await reply.getByTestId('message-new').waitFor();
    assert.match(await reply.innerText(), /Vera Vendor, Acme Widgets/);
    assert.equal(await reply.locator('strong', { hasText: '2.0 to 2.3' }).count(), 1);
  });
});
