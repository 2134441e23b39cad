// End-to-end: an invited user accepts an invitation in the built web UI (Chromium), and joins the organisation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type Page } from 'playwright-core';
import { systemPrincipal } from '../../src/services/principal.ts';
import { browserSkipReason, newDesktopContext, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

const unique = Date.now().toString(36);
const password = `invited user passphrase ${unique}`;
const email = `invitee-${unique}@example.org`;
const orgName = `Water Utility ${unique}`;

describe('invitations in the web UI', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let orgId = '';
  let userId = '';

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    orgId = (await services.organisations.create(sys, { name: orgName, kind: 'infrastructure-operator', sectors: ['water-and-wastewater'], label: { tlp: 'RED' } })).id;
    const home = await services.organisations.create(sys, { name: `Home ${unique}`, kind: 'vendor' });
    userId = (await services.users.create(sys, { email, name: 'Ivy Invitee', password, memberships: [{ organisationId: home.id, roles: ['member'] }] })).user.id;
    await services.invitations.invite(sys, orgId, { userId, email: null }, ['member']);
    const context = await newDesktopContext(browser);
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the pending invitation and joins the organisation on Accept', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Primary navigation' }).getByRole('link', { name: 'Invitations', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Invitations' }).waitFor();

    const row = page.getByRole('row').filter({ hasText: orgName });
    await row.waitFor();
    assert.match(await row.innerText(), /member/);
    await page.getByRole('button', { name: `Accept the invitation to ${orgName}` }).click();
    const status = page.getByRole('status').filter({ hasText: `You are now a member of ${orgName}` });
    await status.waitFor();
    await page.getByText('No invitations are waiting for you.').waitFor();

    // The membership is real: the organisation's member list (RED, so visible only to members) now shows them.
    await page.goto(`${server.url}/organisations/${orgId}`);
    await page.getByRole('heading', { level: 1, name: orgName }).waitFor();
    await page.getByRole('cell', { name: email }).waitFor();
    const roles = await server.container.services.organisations.members(systemPrincipal('cli'), orgId);
    assert.deepEqual(roles.map((m) => [m.userId, m.roles]), [[userId, ['member']]]);
  });
});
