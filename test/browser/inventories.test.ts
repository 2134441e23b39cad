// End-to-end: the operator pages (inventories, the reverse query, organisation editing, user disable/reset, one's own
// password) in Chromium against a real server with a fresh database. Steps build on each other, as in web-ui.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

const unique = Date.now().toString(36);
const adminPassword = `correct horse battery ${unique}`;

/** A CycloneDX 1.5 JSON SBOM; components without a purl are what the clearinghouse cannot check. */
function cyclonedx(components: { name: string; version: string; purl?: string }[]): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    components: components.map((c, i) => ({ type: 'library', 'bom-ref': `ref-${i}`, ...c })),
  });
}

const FIRST_SBOM = cyclonedx([
  { name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
  { name: 'jinja2', version: '2.10', purl: 'pkg:pypi/jinja2@2.10' },
  { name: 'in-house-firmware', version: '7.1' },
]);
const SECOND_SBOM = cyclonedx([{ name: 'lodash', version: '4.17.21', purl: 'pkg:npm/lodash@4.17.21' }]);

/** lodash below 4.17.21 is affected; the second package's fix is unparsable, which must surface as a problem. */
const LODASH_OSV = JSON.stringify(
  {
    schema_version: '1.6.0',
    id: 'TEST-LODASH-UI',
    aliases: ['CVE-2021-23337'],
    modified: '2026-11-20T00:00:00Z',
    summary: 'Command injection in lodash template',
    affected: [
      { package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] },
      { package: { ecosystem: 'PyPI', name: 'nobody-holds-this' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: 'not a version!' }] }] },
    ],
  },
  null,
  2,
);

async function absent(locator: Locator, message?: string): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'detached', timeout: 5000 });
  } catch {
    assert.fail(message ?? 'expected the element to disappear');
  }
}

describe('operator pages in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let files: string;
  let shot = 0;

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await page.request.fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { 'x-csrf-token': csrf, ...headers },
      ...(body === undefined ? {} : { data: body }),
    });
    const text = await res.text();
    return { status: res.status(), body: text ? JSON.parse(text) : null };
  };
  let csrf = '';

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const focusedHeading = async (name: string | RegExp) => {
    await heading(name).waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  };
  const focusedAlert = async (role: 'alert' | 'status', hasText: string | RegExp) => {
    const box = page.getByRole(role).filter({ hasText });
    await box.waitFor();
    await page.waitForFunction((r) => document.activeElement?.getAttribute('role') === r, role);
    return box.innerText();
  };
  const goTo = async (linkName: string, headingName: string | RegExp = linkName) => {
    await page.getByRole('navigation', { name: 'Primary navigation' }).getByRole('link', { name: linkName, exact: true }).click();
    await focusedHeading(headingName);
  };
  const file = (name: string, text: string) => {
    const path = join(files, name);
    writeFileSync(path, text);
    return path;
  };
  /** The message our own validation put beside a field: a USWDS error message the field points at. */
  const fieldError = async (label: string | RegExp) => {
    const field = page.getByLabel(label, { exact: typeof label === 'string' });
    // The verdict may come from the server: wait until the field is marked invalid.
    const fieldId = await field.getAttribute('id');
    await page.locator(`[id="${fieldId}"][aria-invalid="true"]`).waitFor();
    const described = (await field.getAttribute('aria-describedby')) ?? '';
    const errorId = described.split(' ').find((id) => id.endsWith('-error'));
    assert.ok(errorId, `the field "${label}" points at an error message (aria-describedby: ${described})`);
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    const message = page.locator(`[id="${errorId}"]`);
    assert.equal(await message.getAttribute('class'), 'usa-error-message');
    return message.innerText();
  };

  /** At 1280 px and at 390 px (a phone): the page never scrolls sideways; wide tables scroll inside their own box. */
  const checkLayout = async (name: string) => {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${width} px: the page is ${overflow} px wider than the screen`);
      if (shotDir) {
        mkdirSync(shotDir, { recursive: true });
        await page.screenshot({ path: `${shotDir}/inv-${String(++shot).padStart(2, '0')}-${name}-${width}.png`, fullPage: true });
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  before(async () => {
    files = mkdtempSync(join(tmpdir(), 'ch-sbom-'));
    ({ server, browser } = await startServerAndBrowser());
    context = await newDesktopContext(browser);
    page = await context.newPage();
    // The first administrator's forced password change is web-ui.test.ts's subject; here it is done through the API.
    const signIn = await page.request.post(`${server.url}/api/v1/session`, { data: { email: server.admin.email, password: server.admin.oneTimePassword } });
    csrf = (await signIn.json()).csrfToken;
    assert.equal((await api('POST', '/me/password', { currentPassword: server.admin.oneTimePassword, newPassword: adminPassword })).status, 204);
    await page.goto(server.url);
    await focusedHeading(/^Welcome/);
    csrf = (await api('GET', '/session')).body.csrfToken;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('links to the API docs', async () => {
    const docs = page.getByRole('link', { name: 'API docs' });
    assert.equal(await docs.getAttribute('href'), '/docs');
    assert.equal((await page.request.get(`${server.url}/docs`)).status(), 200);
  });

  it('says what to do when there are no inventories yet', async () => {
    await goTo('Inventories');
    await page.getByText('No inventories yet.').waitFor();
    await page.getByText(/Upload an SBOM of a system your organisation runs/).waitFor();
    await checkLayout('inventories-empty');
  });

  let inventoryId = '';
  it('uploads several files with a result for each, including the invalid one', async () => {
    await page.getByRole('button', { name: 'Upload SBOMs' }).click();
    // Nothing chosen: our own message beside the field, not the browser's pop-up.
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    assert.match(await fieldError('SBOM files'), /Choose one or more SBOM files/);
    await checkLayout('upload-form-error');

    await page.getByLabel('SBOM files').setInputFiles([file('plant-a.cdx.json', FIRST_SBOM), file('broken.cdx.json', '{"bomFormat": "CycloneDX", ')]);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const text = await focusedAlert('status', '1 of 2 files uploaded');
    assert.match(text, /plant-a\.cdx\.json: created plant-a with 2 components; 1 could not be checked/);
    assert.match(text, /broken\.cdx\.json: error: .*not valid JSON/);
    await checkLayout('upload-results');

    const listed = await api('GET', '/inventories');
    assert.deepEqual(listed.body.items.map((i: { name: string }) => i.name), ['plant-a'], 'the invalid file left nothing behind');
    inventoryId = listed.body.items[0].id;
    const row = page.getByRole('row').filter({ hasText: 'plant-a' });
    assert.match(await row.innerText(), /cyclonedx-json\s+2\s+1\s+TLP:AMBER/);
    assert.match(await row.innerText(), /(UTC|GMT|[A-Z]{3,4})/, 'the time names its zone');
    // From the server, not only local state.
    await page.reload();
    await focusedHeading('Inventories');
    await page.getByRole('row').filter({ hasText: 'plant-a' }).waitFor();
    await checkLayout('inventories');
  });

  it('shows an inventory with its components and what could not be checked, and why', async () => {
    await page.getByRole('link', { name: 'plant-a' }).click();
    await focusedHeading('plant-a');
    const components = page.getByTestId('components-table');
    await components.getByText('pkg:npm/lodash@4.17.20').waitFor();
    assert.equal(await components.getByRole('row').count(), 3, 'header and two components');
    assert.match(await components.innerText(), /jinja2\s+2\.10\s+PyPI/);
    const unmatched = page.getByTestId('unmatched-table');
    const reason = (await api('GET', `/inventories/${inventoryId}`)).body.unmatched[0];
    assert.match(await unmatched.innerText(), new RegExp(`${reason.ref}\\s+${reason.reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(await page.getByTestId('unmatched-warning').innerText(), /1 component could not be checked/);
    await checkLayout('inventory-detail');
  });

  it('finds the affected components of a pasted OSV record, grouped by organisation, with fixes and problems', async () => {
    await goTo('Affected components');
    await page.getByLabel('OSV record (JSON)').fill('{"id": "x",');
    await page.getByRole('button', { name: 'Find affected components' }).click();
    assert.match(await fieldError('OSV record (JSON)'), /not valid JSON/);

    await page.getByLabel('OSV record (JSON)').fill(LODASH_OSV);
    await page.getByRole('button', { name: 'Find affected components' }).click();
    const results = page.getByTestId('affected-results');
    await results.getByRole('heading', { name: /TEST-LODASH-UI: Command injection/ }).waitFor();
    const org = results.getByTestId('affected-organisation');
    assert.equal(await org.count(), 1);
    await org.getByRole('heading', { level: 3, name: server.container.config.adminOrganisation }).waitFor();
    assert.match(await org.innerText(), /Inventory plant-a/);
    assert.match(await org.innerText(), /lodash\s+4\.17\.20\s+4\.17\.21\s+npm/);
    assert.doesNotMatch(await org.innerText(), /jinja2/);
    assert.match(await page.getByTestId('affected-problems').innerText(), /fixed "not a version!" ignored/);
    await checkLayout('affected');
  });

  it('loads more affected components while the answer has a nextCursor, and stops when it has none', async () => {
    // The server's own paging, one component a page: the page asks without a limit, so the test narrows it to 1.
    const second = cyclonedx([{ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' }]);
    const created = await page.request.post(`${server.url}/api/v1/inventories?name=plant-b`, { headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' }, data: second });
    assert.equal(created.status(), 201);
    const seen: (string | null)[] = [];
    await page.route('**/api/v1/advisories/affected*', async (route) => {
      const url = new URL(route.request().url());
      seen.push(url.searchParams.get('cursor'));
      url.searchParams.set('limit', '1');
      await route.continue({ url: url.toString() });
    });
    await page.getByRole('button', { name: 'Find affected components' }).click();
    await page.getByTestId('affected-summary').filter({ hasText: '1 affected component so far' }).waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByTestId('affected-summary').filter({ hasText: /^2 affected components in 2 inventories of 1 organisation\.$/ }).waitFor();
    await absent(page.getByRole('button', { name: 'Load more' }), 'no Load more once nextCursor is null');
    assert.equal(seen.length, 2, 'one request a page');
    assert.equal(seen[0], null);
    assert.ok(seen[1], 'the second page asks with the cursor the first answer gave');
    const text = await page.getByTestId('affected-results').innerText();
    assert.equal(text.match(/pkg:npm\/lodash@4\.17\.20/g)?.length, 1);
    assert.equal(text.match(/pkg:npm\/lodash@4\.17\.15/g)?.length, 1);
    await page.unroute('**/api/v1/advisories/affected*');
  });

  it('replaces the SBOM, after which the advisory no longer affects it', async () => {
    await page.goto(`${server.url}/inventories/${encodeURIComponent(inventoryId)}`);
    await focusedHeading('plant-a');
    await page.getByRole('button', { name: 'Replace SBOM' }).click();
    await page.getByLabel('New SBOM file').setInputFiles(file('plant-a-v2.cdx.json', SECOND_SBOM));
    await page.getByRole('button', { name: 'Replace SBOM' }).click();
    assert.match(await focusedAlert('status', 'replaced'), /The SBOM has been replaced/);
    await page.getByTestId('components-table').getByText('pkg:npm/lodash@4.17.21').waitFor();
    assert.equal(await page.getByTestId('component-count').innerText(), '1');
    await page.getByText(/Every component in the SBOM has a package identity/).waitFor();
    const stored = (await api('GET', `/inventories/${inventoryId}`)).body;
    assert.equal(stored.version, 2);
    assert.equal(stored.unmatchedCount, 0);
    const after = await api('POST', '/advisories/affected', JSON.parse(LODASH_OSV));
    assert.deepEqual(after.body.affected.map((a: { inventoryName: string }) => a.inventoryName), ['plant-b'], 'lodash 4.17.21 is fixed');

    // Another writer changed it since this page read it: the If-Match refusal is explained, nothing is overwritten.
    assert.equal((await api('PATCH', `/inventories/${inventoryId}`, { name: 'plant-a' }, { 'if-match': '"2"' })).status, 200);
    await page.getByRole('button', { name: 'Replace SBOM' }).click();
    await page.getByLabel('New SBOM file').setInputFiles(file('plant-a-v3.cdx.json', FIRST_SBOM));
    await page.getByRole('button', { name: 'Replace SBOM' }).click();
    assert.match(await focusedAlert('alert', 'not replaced'), /changed by someone else/);
    assert.equal((await api('GET', `/inventories/${inventoryId}`)).body.componentCount, 1);
    await page.reload();
    await focusedHeading('plant-a');
  });

  it('edits the name and label, with errors beside the fields', async () => {
    await page.getByRole('button', { name: 'Edit name and label' }).click();
    await page.getByLabel('Name', { exact: true }).fill('plant-a north');
    await page.getByLabel('TLP label').selectOption('RED');
    await page.getByLabel('Need-to-know role (optional)').fill('Not A Role');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.match(await fieldError('Need-to-know role (optional)'), /lower-case letters/);
    await checkLayout('inventory-edit-error');
    await page.getByLabel('Need-to-know role (optional)').fill('');
    await page.getByLabel('Embargo until (optional)').fill('2031-06-01T09:30');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.match(await focusedAlert('status', 'saved'), /The name and label have been saved/);
    await heading('plant-a north').waitFor();
    const stored = (await api('GET', `/inventories/${inventoryId}`)).body;
    assert.equal(stored.name, 'plant-a north');
    assert.equal(stored.label.tlp, 'RED');
    assert.equal(stored.label.restricted, null);
    const local = await page.evaluate(() => new Date('2031-06-01T09:30').toISOString());
    assert.equal(new Date(stored.label.embargoUntil).toISOString(), local, 'the embargo is the local time the user typed');
    assert.match(await page.locator('.ch-facts').innerText(), /TLP:RED/);
  });

  it('deletes an inventory only after confirmation', async () => {
    await page.getByRole('button', { name: 'Delete inventory' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this inventory?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await absent(page.getByRole('dialog'));
    assert.equal((await api('GET', `/inventories/${inventoryId}`)).status, 200);
    await page.getByRole('button', { name: 'Delete inventory' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete inventory' }).click();
    await focusedHeading('Inventories');
    await absent(page.getByRole('row').filter({ hasText: 'plant-a north' }));
    assert.equal((await api('GET', `/inventories/${inventoryId}`)).status, 404);
  });

  it('says how many more components could not be checked than the server keeps reasons for', async () => {
    const unknown = cyclonedx(Array.from({ length: 203 }, (_, i) => ({ name: `vendored-${i}`, version: '1.0' })));
    const res = await page.request.post(`${server.url}/api/v1/inventories?name=vendored`, { headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' }, data: unknown });
    assert.equal(res.status(), 201);
    const inv = await res.json();
    assert.ok(inv.unmatched.length < inv.unmatchedCount, `the server keeps ${inv.unmatched.length} of ${inv.unmatchedCount} reasons`);
    await page.goto(`${server.url}/inventories/${encodeURIComponent(inv.id)}`);
    await focusedHeading('vendored');
    assert.match(await page.getByTestId('unmatched-warning').innerText(), /203 components could not be checked/);
    assert.equal(await page.getByTestId('unmatched-table').locator('tbody tr').count(), inv.unmatched.length);
    assert.match(
      await page.getByTestId('unmatched-more').innerText(),
      new RegExp(`first ${inv.unmatched.length} reasons; ${inv.unmatchedCount - inv.unmatched.length} more components`),
    );
    await page.getByText(/No components with a package identity are stored/).waitFor();
  });

  it('says where the SBOM does not follow its schema, and that the inventory was kept', async () => {
    const body = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'gadget', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' }] });
    const res = await page.request.post(`${server.url}/api/v1/inventories?name=off-schema`, { headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' }, data: body });
    assert.equal(res.status(), 201);
    const inv = await res.json();
    await page.goto(`${server.url}/inventories/${encodeURIComponent(inv.id)}`);
    await focusedHeading('off-schema');
    assert.match(await page.getByTestId('schema-warning').innerText(), new RegExp(`The SBOM does not follow its schema: ${inv.schemaWarningCount} finding`));
    assert.match(await page.getByTestId('schema-table').innerText(), /\/components\/0\/type/);
  });

  it('edits an organisation: name, label', async () => {
    const orgs = (await api('GET', '/organisations')).body.items;
    const org = orgs.find((o: { name: string }) => o.name === server.container.config.adminOrganisation);
    await page.goto(`${server.url}/organisations/${encodeURIComponent(org.id)}`);
    await focusedHeading(org.name);
    await page.getByRole('button', { name: 'Edit organisation' }).click();
    await page.getByLabel('Name', { exact: true }).fill('x');
    await page.getByRole('button', { name: 'Save organisation' }).click();
    assert.match(await fieldError('Name'), /at least 2 characters/);
    await checkLayout('organisation-edit');
    await page.getByLabel('Name', { exact: true }).fill(`Coordination Centre ${unique}`);
    await page.getByLabel('TLP label').selectOption('AMBER');
    await page.getByRole('button', { name: 'Save organisation' }).click();
    assert.match(await focusedAlert('status', 'saved'), new RegExp(`Coordination Centre ${unique} has been saved`));
    await heading(`Coordination Centre ${unique}`).waitFor();
    const stored = (await api('GET', `/organisations/${org.id}`)).body;
    assert.equal(stored.name, `Coordination Centre ${unique}`);
    assert.equal(stored.label.tlp, 'AMBER');
    assert.equal(stored.version, org.version + 1);
  });

  it('disables, enables and resets a user, showing the one-time password once', async () => {
    const email = `field-engineer-${unique}@example.org`;
    const made = await api('POST', '/users', { email, name: 'Field Engineer' });
    assert.equal(made.status, 201);
    await goTo('Users');
    const row = page.getByRole('row').filter({ hasText: email });
    await row.getByRole('button', { name: `Disable ${email}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable user' }).click();
    assert.match(await focusedAlert('status', 'disabled'), /is disabled/);
    assert.match(await row.innerText(), /Disabled/);
    assert.equal((await api('GET', `/users/${made.body.user.id}`)).body.disabled, true);
    const outsider = await browser.newContext();
    try {
      const refused = await outsider.request.post(`${server.url}/api/v1/session`, { data: { email, password: made.body.oneTimePassword } });
      assert.equal(refused.status(), 401, 'a disabled user cannot sign in');
    } finally {
      await outsider.close();
    }

    await row.getByRole('button', { name: `Enable ${email}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Enable user' }).click();
    assert.match(await focusedAlert('status', 'sign in again'), /can sign in again/);
    assert.equal((await api('GET', `/users/${made.body.user.id}`)).body.disabled, false);

    await row.getByRole('button', { name: `Reset the password of ${email}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset password' }).click();
    const secret = page.getByTestId('reset-one-time-password');
    await secret.waitFor();
    assert.match(await secret.innerText(), /It will not be shown again/);
    const otp = await secret.getByLabel('one-time password').innerText();
    assert.notEqual(otp, made.body.oneTimePassword);
    await checkLayout('users');
    // The new one-time password works (in a separate context, so this session stays), the old one does not.
    const other = await browser.newContext();
    try {
      assert.equal((await other.request.post(`${server.url}/api/v1/session`, { data: { email, password: made.body.oneTimePassword } })).status(), 401);
      const ok = await other.request.post(`${server.url}/api/v1/session`, { data: { email, password: otp } });
      assert.equal(ok.status(), 200);
      assert.equal((await ok.json()).user.mustChangePassword, true);
    } finally {
      await other.close();
    }
    await goTo('Home', /^Welcome/);
    await goTo('Users');
    await absent(page.getByTestId('reset-one-time-password'), 'shown once: gone after leaving the page');
  });

  it('changes one\'s own password, with the errors beside their fields', async () => {
    await page.getByRole('link', { name: server.admin.email }).click();
    await focusedHeading('Your account');
    await page.getByLabel('Current password').fill(adminPassword);
    await page.getByLabel('New password', { exact: true }).fill(`${adminPassword} renewed`);
    await page.getByLabel('Confirm new password').fill('something else entirely');
    await page.getByRole('button', { name: 'Change password' }).click();
    assert.match(await fieldError('Confirm new password'), /do not match/);
    // Focus goes to the first field our check refused, so a screen reader reads its message.
    await page.waitForFunction(() => document.activeElement?.id === 'account-confirm');
    await checkLayout('account-error');

    // The server is the authority on the current password: its verdict goes beside that field.
    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('Confirm new password').fill(`${adminPassword} renewed`);
    await page.getByRole('button', { name: 'Change password' }).click();
    assert.match(await fieldError('Current password'), /not correct/);

    await page.getByLabel('Current password').fill(adminPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    assert.match(await focusedAlert('status', 'changed'), /Your password has been changed/);
    const other = await browser.newContext();
    try {
      const signIn = (password: string) => other.request.post(`${server.url}/api/v1/session`, { data: { email: server.admin.email, password } });
      assert.equal((await signIn(adminPassword)).status(), 401);
      assert.equal((await signIn(`${adminPassword} renewed`)).status(), 200);
    } finally {
      await other.close();
    }
  });
});
