// End-to-end: the notification inbox in Chromium against a real server with a fresh database. Notifications are made
// the way a workflow makes them (notify inside a transaction, about a case of the administrator's organisation); the
// steps build on each other: the empty inbox, the header's unread count, the list with its unread styling and times
// with their zone, mark read, acknowledge, the unread filter, mark all read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

type Box = { left: number; right: number; top: number; bottom: number };
const adminPassword = `correct horse battery ${Date.now().toString(36)}`;

describe('notification inbox in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let csrf = '';
  let orgId = '';
  let shot = 0;
  const caseId = randomUUID();
  const caseTitle = 'Heap overflow in the grid gateway';

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await page.request.fetch(`${server.url}/api/v1${path}`, { method, headers: { 'x-csrf-token': csrf }, ...(body === undefined ? {} : { data: body }) });
    const text = await res.text();
    return { status: res.status(), body: text ? JSON.parse(text) : null };
  };
  const focusedHeading = async (name: string | RegExp) => {
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  };
  const header = () => page.getByTestId('notifications-link');
  /** The header control's accessible name once it shows `want` unread (or none). */
  const headerSays = async (want: number) => {
    const name = want > 0 ? `Notifications, ${want} unread` : 'Notifications';
    await page.waitForFunction((n) => document.querySelector('[data-testid="notifications-link"]')?.getAttribute('aria-label') === n, name);
    assert.equal(await page.getByTestId('unread-count').count(), want > 0 ? 1 : 0);
    if (want > 0) assert.equal(await page.getByTestId('unread-count').innerText(), String(want));
  };
  const checkLayout = async (name: string) => {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${width} px: the page is ${overflow} px wider than the screen`);
      if (width === 1280) {
        // The header control fits beside the product name and the primary navigation (no overlap, nothing pushed off).
        // A string, so the bundler's helpers for named functions do not travel into the page.
        const boxes: { title: Box; secondary: Box[]; primary: Box[] } = await page.evaluate(`(() => {
          const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
          return {
            title: box(document.querySelector('.ch-header .ch-title')),
            secondary: [...document.querySelectorAll('.ch-header .usa-nav__secondary-item')].map(box),
            primary: [...document.querySelectorAll('.ch-header .usa-nav__primary-item')].map(box),
          };
        })()`);
        const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        for (const s of boxes.secondary) {
          assert.ok(!overlaps(s, boxes.title), `${name}: a header link runs over the product name ${JSON.stringify([s, boxes.title])}`);
          for (const p of boxes.primary) assert.ok(!overlaps(s, p), `${name}: a header link runs over the navigation`);
          assert.ok(s.right <= 1280 && s.left >= 0, `${name}: a header link is off the screen`);
        }
      }
      if (shotDir) {
        mkdirSync(shotDir, { recursive: true });
        await page.screenshot({ path: `${shotDir}/ntf-${String(++shot).padStart(2, '0')}-${name}-${width}.png`, fullPage: true });
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };
  async function notify(kind: string, detail: Record<string, unknown>) {
    const { db } = server.container.deps;
    const made = await db.transaction().execute((tx) =>
      server.container.services.notifications.notify(tx, {
        organisationIds: [orgId], kind, subject: { type: 'case', id: caseId, title: caseTitle },
        label: { owner: orgId, tlp: 'AMBER', embargoUntil: null, restricted: null, sharedWith: [] }, detail,
      }, new Date().toISOString()));
    assert.equal(made, 1);
  }

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    context = await newDesktopContext(browser);
    page = await context.newPage();
    const signIn = await page.request.post(`${server.url}/api/v1/session`, { data: { email: server.admin.email, password: server.admin.oneTimePassword } });
    const session = await signIn.json();
    csrf = session.csrfToken;
    orgId = session.memberships[0].organisationId;
    assert.equal((await api('POST', '/me/password', { currentPassword: server.admin.oneTimePassword, newPassword: adminPassword })).status, 204);
    csrf = (await api('GET', '/session')).body.csrfToken;
    // The case the notifications are about, as the cases workflow stores it.
    const now = new Date().toISOString();
    await server.container.deps.db.insertInto('cases').values({
      id: caseId, owner_org_id: orgId, tlp: 'AMBER', embargo_until: null, restricted_role: null, title: caseTitle, summary: 'A case.', state: 'open',
      public_date: '2027-03-01T12:00:00.000Z', actively_exploited: 0, advisory_id: null, opened_by: null, closed_at: null, version: 1, created_at: now, updated_at: now,
    }).execute();
    await page.goto(server.url);
    await focusedHeading(/^Welcome/);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows an empty inbox, reached from the header control', async () => {
    await headerSays(0);
    await header().click();
    await focusedHeading('Notifications');
    assert.equal(new URL(page.url()).pathname, '/notifications');
    assert.match(await page.getByTestId('notifications-none').innerText(), /No notifications yet/);
    assert.equal(await page.getByRole('button', { name: 'Mark all as read' }).isDisabled(), true);
    await checkLayout('empty');
  });

  it('counts unread notifications in the header and lists them newest first, unread ones marked, times with their zone', async () => {
    await notify('case.participant-added', { role: 'coordinator' });
    await notify('case.reminder', { daysLeft: 7, publicDate: '2027-03-01T12:00:00.000Z' });
    await notify('case.public-date-changed', { publicDate: '2027-03-01T12:00:00.000Z' });
    await page.getByRole('navigation', { name: 'Primary navigation' }).getByRole('link', { name: 'Home', exact: true }).click();
    await focusedHeading(/^Welcome/);
    await headerSays(3);
    await header().click();
    await focusedHeading('Notifications');
    const rows = page.getByTestId('notification');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-unread'))), ['true', 'true', 'true']);
    const first = await rows.nth(0).innerText();
    assert.match(first, /Public date changed/);
    assert.match(await rows.nth(1).innerText(), /Public date reminder[\s\S]*7 days to the public date/);
    assert.match(await rows.nth(2).innerText(), /Added to a case[\s\S]*takes part as coordinator/);
    assert.match(first, /Unread/i);
    // The subject links to the case's page.
    const link = rows.nth(0).getByRole('link', { name: caseTitle });
    assert.equal(await link.getAttribute('href'), `/cases/${caseId}`);
    // Every time names its zone: the browser's own, as Intl writes it.
    const zone = await page.evaluate(() => new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date('2027-03-01T12:00:00Z')).find((p) => p.type === 'timeZoneName')!.value);
    const times = await rows.nth(1).locator('time').allInnerTexts();
    assert.ok(times.length >= 2, 'received time and public date');
    for (const t of times) assert.ok(t.includes(zone), `"${t}" names the time zone ${zone}`);
    await checkLayout('unread');
  });

  it('marks one read and acknowledges another, each for this user, and the header count follows', async () => {
    const rows = page.getByTestId('notification');
    await rows.nth(0).getByRole('button', { name: `Mark read: ${caseTitle}` }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="notification"][data-unread="false"]').length === 1);
    assert.match(await rows.nth(0).innerText(), /Read /);
    // Focus moves to what remains of the row's controls.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Acknowledge');
    await headerSays(2);

    await rows.nth(1).getByRole('button', { name: `Acknowledge: ${caseTitle}` }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="notification"][data-unread="false"]').length === 2);
    assert.match(await rows.nth(1).innerText(), /Acknowledged /);
    assert.equal(await rows.nth(1).getByRole('button').count(), 0, 'nothing left to do on it');
    await headerSays(1);
    const listed = (await api('GET', '/notifications')).body.items;
    assert.deepEqual(listed.map((n: any) => [n.readAt !== null, n.acknowledgedAt !== null]), [[true, false], [true, true], [false, false]]);
  });

  it('filters unread ones and marks all read', async () => {
    await page.getByText('Unread only', { exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="notification"]').length === 1);
    assert.match(await page.getByTestId('notification').innerText(), /Added to a case/);
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await page.getByRole('status').filter({ hasText: '1 notification marked read.' }).waitFor();
    await page.getByTestId('notifications-none').waitFor();
    assert.match(await page.getByTestId('notifications-none').innerText(), /No unread notifications/);
    await headerSays(0);
    await page.getByText('All', { exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="notification"]').length === 3);
    assert.deepEqual(await page.getByTestId('notification').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-unread'))), ['false', 'false', 'false']);
    await checkLayout('all-read');
  });
});
