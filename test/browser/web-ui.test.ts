// End-to-end: the built web UI, served by a real Clearinghouse server with a fresh database, driven in Chromium.
// The steps build on each other (the first sign-in sets the password later steps use), so they run in order
// against one server and one browser to stay fast.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

/** Waits until nothing matches: the page updates asynchronously, so a one-off count() could look too early. */
async function absent(locator: Locator, message?: string): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'detached', timeout: 5000 });
  } catch {
    assert.fail(message ?? 'expected the element to disappear');
  }
}

const unique = Date.now().toString(36);
const adminPassword = `correct horse battery ${unique}`;
const orgName = `Grid Operator ${unique}`;
const userEmail = `analyst-${unique}@example.org`;
const tokenName = `nightly upload ${unique}`;

describe('web UI in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shot = 0;

  const newContext = () => newDesktopContext(browser);

  const screenshot = async (name: string, target: Page = page) => {
    if (!shotDir) return;
    mkdirSync(shotDir, { recursive: true });
    await target.screenshot({ path: `${shotDir}/${String(++shot).padStart(2, '0')}-${name}.png`, fullPage: true });
  };

  const heading = (name: string | RegExp, target: Page = page) => target.getByRole('heading', { level: 1, name });

  /** Wait until the page's h1 has focus: the UI moves focus there after each navigation. */
  const focusedHeading = async (name: string | RegExp, target: Page = page) => {
    await heading(name, target).waitFor();
    await target.waitForFunction(() => document.activeElement?.tagName === 'H1');
  };

  /** Wait until focus sits on the alert or status message announcing the outcome, and return its text. */
  const focusedAlert = async (role: 'alert' | 'status', hasText: string | RegExp, target: Page = page) => {
    const box = target.getByRole(role).filter({ hasText });
    await box.waitFor();
    await target.waitForFunction((r) => document.activeElement?.getAttribute('role') === r, role);
    return box.innerText();
  };

  const alertText = async (locator: Locator) => {
    await locator.waitFor();
    return locator.innerText();
  };

  /**
   * USWDS draws its own checkbox and moves the real input off-screen, so a user (and this test) clicks the label.
   */
  const tick = async (checkbox: Locator) => {
    const id = await checkbox.getAttribute('id');
    await checkbox.page().locator(`label[for="${id}"]`).click();
    assert.equal(await checkbox.isChecked(), true);
  };

  const sessionStatus = async (target: Page = page) => (await target.request.get(`${server.url}/api/v1/session`)).status();

  const signIn = async (email: string, password: string, target: Page = page) => {
    await target.getByLabel('Email address').fill(email);
    await target.getByLabel('Password', { exact: true }).fill(password);
    await target.getByRole('button', { name: 'Sign in' }).click();
  };

  const goTo = async (linkName: string, headingName: string | RegExp = linkName) => {
    await page.getByRole('navigation', { name: 'Primary navigation' }).getByRole('link', { name: linkName, exact: true }).click();
    await focusedHeading(headingName);
  };

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    context = await newContext();
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('rejects a wrong password with a clear error and no session', async () => {
    await page.goto(server.url);
    await focusedHeading('Sign in');
    // Empty fields: our message beside each field (the form has noValidate: no browser pop-up stands in for it).
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const [label, message] of [['Email address', 'Enter your email address.'], ['Password', 'Enter your password.']] as const) {
      const field = page.getByLabel(label, { exact: true });
      await page.locator(`[id="${await field.getAttribute('id')}"][aria-invalid="true"]`).waitFor();
      const errorId = ((await field.getAttribute('aria-describedby')) ?? '').split(' ').find((id) => id.endsWith('-error'));
      assert.equal(await page.locator(`[id="${errorId}"].usa-error-message`).innerText(), message);
    }
    await signIn(server.admin.email, `${server.admin.oneTimePassword}-wrong`);
    const text = await focusedAlert('alert', 'Sign-in failed');
    assert.match(text, /Check your email address and password/);
    await screenshot('sign-in-error');
    assert.equal(await sessionStatus(), 401);
    assert.deepEqual(
      (await context.cookies()).filter((c) => c.name === 'ch_session' && c.value !== ''),
      [],
      'no session cookie after a failed sign-in',
    );
    await heading('Sign in').waitFor();
  });

  it('forces a new password on first sign-in with the one-time password, then signs in with the new one', async () => {
    await signIn(server.admin.email, server.admin.oneTimePassword);
    await focusedHeading('Set your password');
    assert.equal(new URL(page.url()).pathname, '/set-password');
    // Nothing else is reachable until the password is set.
    await absent(page.getByRole('link', { name: 'Organisations' }));
    await screenshot('set-password');

    await page.getByLabel('Current one-time password').fill(server.admin.oneTimePassword);
    await page.getByLabel('New password', { exact: true }).fill('too short');
    await page.getByLabel('Confirm new password').fill('too short');
    await page.getByRole('button', { name: 'Set password' }).click();
    assert.match(await focusedAlert('alert', 'Check your new password'), /at least 15 characters/);

    await page.getByLabel('New password', { exact: true }).fill(adminPassword);
    await page.getByLabel('Confirm new password').fill(adminPassword);
    await page.getByRole('button', { name: 'Set password' }).click();
    await heading(/^Welcome/).waitFor();
    assert.match(await focusedAlert('status', 'password'), /Your password has been set/);
    assert.equal(new URL(page.url()).pathname, '/');
    await screenshot('home');

    const nav = page.getByRole('navigation', { name: 'Primary navigation' });
    for (const name of ['Home', 'Organisations', 'Users', 'API tokens', 'Audit trail'])
      assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, `site admin sees ${name}`);
    await page.getByText(server.admin.email).first().waitFor();

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading('Sign in').waitFor();
    assert.match(await focusedAlert('status', 'signed out'), /You have been signed out/);
    assert.equal(await sessionStatus(), 401);

    // The one-time password stopped working when the new one was set.
    await signIn(server.admin.email, server.admin.oneTimePassword);
    assert.match(await focusedAlert('alert', 'Sign-in failed'), /Check your email address and password/);

    await signIn(server.admin.email, adminPassword);
    await focusedHeading(/^Welcome/);
    assert.equal(await sessionStatus(), 200);
  });

  let orgId = '';
  it('creates an infrastructure-operator organisation with a sector', async () => {
    await goTo('Organisations');
    await page.getByRole('button', { name: 'New organisation' }).click();
    await page.getByLabel('Name', { exact: true }).fill(orgName);
    const kind = page.getByLabel('Kind');
    await kind.selectOption({ label: 'Vendor' });
    await absent(page.getByRole('group', { name: 'Sectors' }), 'sectors only for infrastructure operators');
    await kind.selectOption({ label: 'Infrastructure operator' });
    const sectors = page.getByRole('group', { name: 'Sectors' });
    assert.equal(await sectors.getByRole('checkbox').count(), 16, 'the 16 CISA sectors');
    await tick(sectors.getByLabel('Energy'));
    await tick(sectors.getByLabel('Water and wastewater'));
    await page.getByLabel('TLP label').selectOption('AMBER');
    await screenshot('new-organisation');
    await page.getByRole('button', { name: 'Create organisation' }).click();

    assert.match(await focusedAlert('status', 'created'), new RegExp(`${orgName} has been created`));
    const row = page.getByRole('row').filter({ hasText: orgName });
    const rowText = await row.innerText();
    assert.match(rowText, /Infrastructure operator/);
    assert.match(rowText, /Energy, Water and wastewater/);
    assert.match(rowText, /TLP:AMBER/);
    await screenshot('organisations');

    const href = (await row.getByRole('link', { name: orgName }).getAttribute('href')) ?? '';
    assert.ok(href.startsWith('/organisations/'), `organisation link: ${href}`);
    orgId = decodeURIComponent(href.slice('/organisations/'.length));

    // The list comes from the server, not just local state.
    await page.reload();
    await focusedHeading('Organisations');
    await page.getByRole('row').filter({ hasText: orgName }).waitFor();
  });

  let userId = '';
  let oneTimePassword = '';
  it('creates a user and shows the one-time password exactly once', async () => {
    await goTo('Users');
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Email address').fill(userEmail);
    await page.getByLabel('Name', { exact: true }).fill('Ada Analyst');
    await page.getByLabel('Organisation (optional)').selectOption({ label: orgName });
    await page.getByLabel('Restricted roles').fill('designation-reviewer');
    await page.getByRole('button', { name: 'Create user' }).click();

    const secret = page.getByTestId('one-time-password');
    const text = await alertText(secret);
    assert.match(text, /It will not be shown again/);
    oneTimePassword = (await secret.locator('code').innerText()).trim();
    assert.ok(oneTimePassword.length >= 8, `one-time password shown: ${oneTimePassword}`);
    await secret.getByRole('button', { name: 'Copy one-time password' }).waitFor();
    await page.getByRole('row').filter({ hasText: userEmail }).waitFor();
    await screenshot('user-created');

    const users = (await (await page.request.get(`${server.url}/api/v1/users?limit=200`)).json()) as { items: { id: string; email: string }[] };
    userId = users.items.find((u) => u.email === userEmail)?.id ?? '';
    assert.ok(userId, 'the new user exists on the server');

    // Leaving the page loses the password for good.
    await goTo('Home', /^Welcome/);
    await goTo('Users');
    await page.getByRole('row').filter({ hasText: userEmail }).waitFor();
    await absent(page.getByText(oneTimePassword));
    await absent(page.getByTestId('one-time-password'));

    // The password shown is the real one: the new user can use it, and is sent to set their own.
    const other = await newContext();
    try {
      const theirs = await other.newPage();
      await theirs.goto(server.url);
      await heading('Sign in', theirs).waitFor();
      await signIn(userEmail, oneTimePassword, theirs);
      await focusedHeading('Set your password', theirs);
      const theirPassword = `${adminPassword} for ada`;
      await theirs.getByLabel('Current one-time password').fill(oneTimePassword);
      await theirs.getByLabel('New password', { exact: true }).fill(theirPassword);
      await theirs.getByLabel('Confirm new password').fill(theirPassword);
      await theirs.getByRole('button', { name: 'Set password' }).click();
      await heading(/^Welcome/, theirs).waitFor();
      // A plain member gets no administration pages in the navigation, and sees their organisation and roles.
      const nav = theirs.getByRole('navigation', { name: 'Primary navigation' });
      for (const name of ['Home', 'Organisations', 'API tokens'])
        assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, `member sees ${name}`);
      for (const name of ['Users', 'Audit trail'])
        await absent(nav.getByRole('link', { name, exact: true }), `member does not see ${name}`);
      assert.match((await theirs.getByRole('main').textContent()) ?? '', new RegExp(`${orgName}.*designation-reviewer`));
      await screenshot('member-home', theirs);
    } finally {
      await other.close();
    }

    // The membership with its restricted role shows on the organisation page.
    await page.goto(`${server.url}/organisations/${encodeURIComponent(orgId)}`);
    await focusedHeading(orgName);
    const member = page.getByRole('row').filter({ hasText: userEmail });
    // textContent, not innerText: USWDS tags upper-case their text with CSS.
    const memberText = (await member.textContent()) ?? '';
    assert.match(memberText, /member/);
    assert.match(memberText, /designation-reviewer/);
    await screenshot('organisation-detail');

    // Change the member's roles, then remove them after confirming.
    await page.getByRole('button', { name: `Change roles of ${userEmail}` }).click();
    const change = page.getByRole('region', { name: `Change roles of ${userEmail}` });
    await tick(change.getByRole('checkbox', { name: /^Administrator/ }));
    await change.getByLabel('Restricted roles').fill('designation-reviewer, triage');
    await change.getByRole('button', { name: 'Save roles' }).click();
    assert.match(await focusedAlert('status', 'now has roles'), /admin, member, designation-reviewer, triage/);
    // The table re-renders after the status alert appears: wait for the new roles instead of reading the row once.
    const changedRow = page.getByRole('row').filter({ hasText: userEmail }).filter({ hasText: 'triage' });
    await changedRow.waitFor();
    const changed = (await changedRow.textContent()) ?? '';
    for (const role of ['admin', 'member', 'designation-reviewer', 'triage']) assert.ok(changed.includes(role), `${role} in ${changed}`);

    await page.getByRole('button', { name: `Remove ${userEmail}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove this member?' });
    await confirm.getByRole('button', { name: 'Remove member' }).click();
    assert.match(await focusedAlert('status', 'removed'), new RegExp(`${userEmail} has been removed`));
    await page.getByRole('cell', { name: 'No members yet.' }).waitFor();
  });

  let tokenId = '';
  it('creates an API token, shows its secret once, and revokes it after confirmation', async () => {
    await goTo('API tokens');
    await page.getByRole('button', { name: 'New token' }).click();
    await page.getByLabel('Token name').fill(tokenName);
    await tick(page.getByRole('checkbox', { name: /^write/ }));
    await page.getByLabel('Expires after (days)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();

    const secretAlert = page.getByTestId('token-secret');
    assert.match(await alertText(secretAlert), /It will not be shown again/);
    const secret = (await secretAlert.locator('code').innerText()).trim();
    assert.match(secret, /^chk_/);
    await screenshot('token-created');

    const bearer = { Authorization: `Bearer ${secret}` };
    // A separate request context: no cookies, only the token.
    const probeContext = await newContext();
    const probe = probeContext.request;
    assert.equal((await probe.get(`${server.url}/api/v1/organisations`, { headers: bearer })).status(), 200, 'the secret works');

    const row = page.getByRole('row').filter({ hasText: tokenName });
    assert.match(await row.innerText(), /read, write/);
    const tokens = (await (await page.request.get(`${server.url}/api/v1/tokens`)).json()) as
      | { id: string; name: string }[]
      | { items: { id: string; name: string }[] };
    tokenId = (Array.isArray(tokens) ? tokens : tokens.items).find((t) => t.name === tokenName)?.id ?? '';
    assert.ok(tokenId);

    await row.getByRole('button', { name: `Revoke ${tokenName}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this token?' });
    await dialog.waitFor();
    await screenshot('token-revoke-confirm');
    // Cancelling keeps the token.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await probe.get(`${server.url}/api/v1/organisations`, { headers: bearer })).status(), 200);

    await row.getByRole('button', { name: `Revoke ${tokenName}` }).click();
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    assert.match(await focusedAlert('status', 'revoked'), /has been revoked/);
    await absent(page.getByTestId('token-secret'), 'the secret is gone');
    await absent(row.getByRole('button', { name: /^Revoke/ }));
    assert.doesNotMatch(await row.innerText(), /\bNo\b/, 'the revoked column shows when it was revoked');
    assert.equal((await probe.get(`${server.url}/api/v1/organisations`, { headers: bearer })).status(), 401, 'the secret no longer works');
    await screenshot('token-revoked');
    await probeContext.close();
  });

  it('shows the matching audit entries, newest first, filterable by record type', async () => {
    await goTo('Audit trail');
    const table = page.getByRole('table');
    await table.getByRole('row').nth(1).waitFor();
    const all = await table.innerText();
    for (const id of [orgId, userId, tokenId]) assert.ok(all.includes(id), `audit trail lists record ${id}`);
    assert.ok(all.includes(server.admin.email), 'actor shown');
    await screenshot('audit');

    // The record type naming tokens is the server's to choose; learn it from the token's own entries.
    const everything = (await (await page.request.get(`${server.url}/api/v1/audit?limit=200`)).json()) as {
      items: { recordType: string; recordId: string; hash: string }[];
    };
    const tokenType = everything.items.find((e) => e.recordId === tokenId)?.recordType;
    assert.ok(tokenType, 'the token appears in the audit trail');

    await page.getByLabel('Record type').fill(tokenType);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('table', { name: `Audit entries for record type "${tokenType}"` }).waitFor();
    const rows = page.getByRole('table').getByRole('row');
    const api = (await (await page.request.get(`${server.url}/api/v1/audit?recordType=${encodeURIComponent(tokenType)}&limit=50`)).json()) as {
      items: { recordType: string; recordId: string; hash: string }[];
    };
    assert.ok(api.items.filter((e) => e.recordId === tokenId).length >= 2, 'creating and revoking the token were both audited');
    // One row per entry, in the server's newest-first order (compared by short hash).
    await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length === n, api.items.length);
    const shown = await rows.evaluateAll((trs) => trs.slice(1).map((tr) => tr.querySelector('abbr')?.textContent ?? ''));
    assert.deepEqual(shown, api.items.map((e) => e.hash.slice(0, 12)));
    const typeColumn = await rows.evaluateAll((trs) => trs.slice(1).map((tr) => tr.querySelectorAll('td')[3]?.textContent ?? ''));
    assert.deepEqual(new Set(typeColumn), new Set([tokenType]), 'only entries of the chosen record type');
    await screenshot('audit-filtered');
  });

  it('pages long lists with Load more', async () => {
    const { csrfToken } = (await (await page.request.get(`${server.url}/api/v1/session`)).json()) as { csrfToken: string };
    for (let i = 0; i < 50; i++) {
      const created = await page.request.post(`${server.url}/api/v1/organisations`, {
        data: { name: `Bulk vendor ${unique} ${String(i).padStart(2, '0')}`, kind: 'vendor' },
        headers: { 'X-CSRF-Token': csrfToken },
      });
      assert.equal(created.status(), 201);
    }
    const everything = async <T,>(path: string, key: (item: T) => string) => {
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const url = `${server.url}/api/v1/${path}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const body = (await (await page.request.get(url)).json()) as { items: T[]; nextCursor: string | null };
        all.push(...body.items.map(key));
        cursor = body.nextCursor;
      } while (cursor);
      return all;
    };
    const bodyRows = () => page.locator('table tbody tr');

    const orgNames = await everything<{ name: string }>('organisations', (o) => o.name);
    assert.ok(orgNames.length > 50);
    await goTo('Organisations');
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length === n, orgNames.length);
    await absent(page.getByRole('button', { name: 'Load more' }), 'no button after the last page');
    const shownNames = await bodyRows().evaluateAll((trs) => trs.map((tr) => tr.querySelector('th')?.textContent ?? ''));
    assert.deepEqual(shownNames, orgNames, 'every organisation once, in the server order');

    const hashes = await everything<{ hash: string }>('audit', (e) => e.hash.slice(0, 12));
    assert.ok(hashes.length > 50);
    await goTo('Audit trail');
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 50);
    while ((await page.getByRole('button', { name: 'Load more' }).count()) > 0) {
      const before = await bodyRows().count();
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length > n, before);
    }
    // Entries written while paging (none here) would only be at the top; the trail we saw is the server's, in order.
    const shownHashes = await bodyRows().evaluateAll((trs) => trs.map((tr) => tr.querySelector('abbr')?.textContent ?? ''));
    assert.deepEqual(shownHashes, hashes);
  });

  it('signs out everywhere: another signed-in browser is sent back to sign-in', async () => {
    const other = await newContext();
    try {
      const theirs = await other.newPage();
      await theirs.goto(server.url);
      await heading('Sign in', theirs).waitFor();
      await signIn(server.admin.email, adminPassword, theirs);
      await focusedHeading(/^Welcome/, theirs);
      assert.equal(await sessionStatus(theirs), 200);

      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await heading('Sign in').waitFor();
      assert.match(await focusedAlert('status', 'every device'), /signed out on every device/);
      assert.equal(await sessionStatus(), 401);
      assert.equal(await sessionStatus(theirs), 401, 'the other session ended too');

      // The other browser finds out on its next call and returns to the sign-in page with an explanation.
      await theirs.getByRole('navigation', { name: 'Primary navigation' }).getByRole('link', { name: 'API tokens', exact: true }).click();
      await heading('Sign in', theirs).waitFor();
      assert.match(await focusedAlert('status', 'session has ended', theirs), /Sign in again/);
    } finally {
      await other.close();
    }
  });

  // Last, because the server's back-off also counts failures per client address and would slow the steps above.
  it('tells a throttled user how long to wait and holds the button until then', async () => {
    const fresh = await newContext();
    try {
      const theirs = await fresh.newPage();
      await theirs.goto(server.url);
      await heading('Sign in', theirs).waitFor();
      let throttled = false;
      for (let attempt = 0; attempt < 10 && !throttled; attempt++) {
        await theirs.getByLabel('Email address').fill(server.admin.email);
        await theirs.getByLabel('Password', { exact: true }).fill(`wrong-${attempt}`);
        const [response] = await Promise.all([
          theirs.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
          theirs.getByRole('button', { name: 'Sign in' }).click(),
        ]);
        throttled = response.status() === 429;
        if (throttled) {
          const retryAfter = Number(response.headers()['retry-after']);
          assert.ok(retryAfter >= 1, `Retry-After: ${retryAfter}`);
          // Checked as soon as the message renders: the button stays disabled only for the Retry-After window.
          await theirs.getByRole('alert').filter({ hasText: 'Too many sign-in attempts' }).waitFor();
          assert.equal(await theirs.getByRole('button', { name: 'Sign in' }).isDisabled(), true);
          const text = await focusedAlert('alert', 'Too many sign-in attempts', theirs);
          assert.match(text, new RegExp(`Wait ${retryAfter < 60 ? `${retryAfter} seconds?` : `${Math.ceil(retryAfter / 60)} minutes?`}`));
          await screenshot('sign-in-throttled', theirs);
        } else {
          assert.equal(response.status(), 401);
          await theirs.getByRole('button', { name: 'Sign in' }).and(theirs.locator(':enabled')).waitFor();
        }
      }
      assert.ok(throttled, 'the server throttled repeated failures');
    } finally {
      await fresh.close();
    }
  });
});
