// End-to-end: the advisory pages in Chromium against a real server with a fresh database. Steps build on each other:
// create a draft with the form and the CVSS calculator, edit it as raw OSV JSON (server errors beside the field they
// name), publish, compare revisions, and read it anonymously; a draft is "not found" for anonymous readers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

const unique = Date.now().toString(36);
const adminPassword = `correct horse battery ${unique}`;
const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

describe('advisory pages in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let csrf = '';
  let shot = 0;

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await page.request.fetch(`${server.url}/api/v1${path}`, { method, headers: { 'x-csrf-token': csrf, ...headers }, ...(body === undefined ? {} : { data: body }) });
    const text = await res.text();
    return { status: res.status(), body: text ? JSON.parse(text) : null };
  };
  const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });
  const focusedHeading = async (name: string | RegExp, p: Page = page) => {
    await heading(p, name).waitFor();
    await p.waitForFunction(() => document.activeElement?.tagName === 'H1');
  };
  /** The message beside a field: a USWDS error message the field points at through aria-describedby. */
  const fieldError = async (label: string | RegExp) => {
    const field = page.getByLabel(label, { exact: typeof label === 'string' });
    const fieldId = await field.getAttribute('id');
    await page.locator(`[id="${fieldId}"][aria-invalid="true"]`).waitFor();
    const described = (await field.getAttribute('aria-describedby')) ?? '';
    const errorId = described.split(' ').find((id) => id.endsWith('-error'));
    assert.ok(errorId, `the field "${label}" points at an error message (aria-describedby: ${described})`);
    return page.locator(`[id="${errorId}"]`).innerText();
  };
  const checkLayout = async (name: string, p: Page = page) => {
    for (const width of [1280, 390]) {
      await p.setViewportSize({ width, height: 900 });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${width} px: the page is ${overflow} px wider than the screen`);
      if (shotDir) {
        mkdirSync(shotDir, { recursive: true });
        await p.screenshot({ path: `${shotDir}/adv-${String(++shot).padStart(2, '0')}-${name}-${width}.png`, fullPage: true });
      }
    }
    await p.setViewportSize({ width: 1280, height: 900 });
  };

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    context = await newDesktopContext(browser);
    page = await context.newPage();
    const signIn = await page.request.post(`${server.url}/api/v1/session`, { data: { email: server.admin.email, password: server.admin.oneTimePassword } });
    csrf = (await signIn.json()).csrfToken;
    assert.equal((await api('POST', '/me/password', { currentPassword: server.admin.oneTimePassword, newPassword: adminPassword })).status, 204);
    // An inventory holding a vulnerable lodash, so the advisory page has an inventory it affects.
    const sbom = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' }] });
    const created = await page.request.post(`${server.url}/api/v1/inventories?name=plant-a`, { headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' }, data: sbom });
    assert.equal(created.status(), 201);
    await page.goto(server.url);
    await focusedHeading(/^Welcome/);
    csrf = (await api('GET', '/session')).body.csrfToken;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  let advisoryId = '';
  it('creates a draft with the form, building the CVSS vector with the calculator', async () => {
    await page.getByRole('navigation', { name: 'Primary navigation' }).getByRole('link', { name: 'Advisories', exact: true }).click();
    await focusedHeading('Advisories');
    await page.getByTestId('advisories-none').filter({ hasText: 'No advisories yet.' }).waitFor();
    await page.getByRole('link', { name: 'New advisory' }).click();
    await focusedHeading('New advisory');

    // Nothing filled in: our own messages beside the fields.
    await page.getByRole('button', { name: 'Create draft' }).click();
    assert.match(await fieldError('Summary'), /one-line summary/);
    assert.match(await fieldError('Package name'), /package name/);

    await page.getByLabel('Summary', { exact: true }).fill('Command injection in lodash template');
    await page.getByLabel('Details', { exact: true }).fill('The template function evaluates options it should not.');
    await page.getByLabel('Aliases (optional)').fill('CVE-2021-23337');
    await page.getByLabel('Ecosystem', { exact: true }).fill('npm');
    await page.getByLabel('Package name').fill('lodash');
    await page.getByLabel('Fixed in').fill('4.17.21');
    await page.getByLabel('TLP label').selectOption('CLEAR');
    // The raw JSON follows the form.
    const json = page.getByLabel('Raw OSV JSON');
    assert.match(await json.inputValue(), /"fixed": "4\.17\.21"/);

    const calc = page.getByTestId('cvss-calculator');
    // USWDS draws its own radio over an input moved off screen: the user clicks the label.
    await calc.locator('label', { hasText: 'CVSS 3.1' }).click();
    assert.match(await page.getByTestId('cvss-result').innerText(), /Choose a value for 8 more metrics/);
    for (const [metric, value] of [['Attack vector (AV)', 'Network'], ['Attack complexity (AC)', 'Low'], ['Privileges required (PR)', 'None'], ['User interaction (UI)', 'None'], ['Scope (S)', 'Unchanged'], ['Confidentiality (C)', 'High'], ['Integrity (I)', 'High'], ['Availability (A)', 'High']] as const)
      await calc.getByRole('group', { name: metric }).locator('label').getByText(value, { exact: true }).click();
    assert.match(await page.getByTestId('cvss-result').innerText(), new RegExp(`${V31.replace(/[/.]/g, '\\$&')}\\s+Base score 9\\.8 critical`, 'i'));
    await calc.getByRole('button', { name: 'Use this vector' }).click();
    assert.equal(await page.getByLabel('Severity 1 vector').inputValue(), V31);
    assert.match(await json.inputValue(), new RegExp(`"score": "${V31.replace(/[/.]/g, '\\$&')}"`));
    await checkLayout('editor-new');

    await page.getByRole('button', { name: 'Create draft' }).click();
    await focusedHeading(/^CHA-\d{4}-\d{4,}$/);
    advisoryId = (await heading(page, /^CHA-/).innerText()).trim();
    assert.equal(await page.getByTestId('advisory-state').innerText(), 'Draft');
    assert.match(await page.getByTestId('advisory-affected').innerText(), /lodash\s+npm\s+ECOSYSTEM: 0 → fixed 4\.17\.21\s+0\s+4\.17\.21/);
    assert.match(await page.getByTestId('advisory-severity').innerText(), /CVSS 3\.1\s+9\.8\s+critical/i);
    await page.getByText('No revisions yet').waitFor();
    // The inventory with lodash 4.17.20 is found by the reverse query.
    assert.match(await page.getByTestId('advisory-affects').innerText(), /plant-a\s+pkg:npm\/lodash@4\.17\.20\s+4\.17\.20\s+4\.17\.21/);
    await checkLayout('detail-draft');

    const stored = (await api('GET', `/advisories/${advisoryId}`)).body;
    assert.equal(stored.state, 'draft');
    assert.equal(stored.label.tlp, 'CLEAR');
    assert.deepEqual(stored.record.aliases, ['CVE-2021-23337']);
    assert.equal(stored.record.details, 'The template function evaluates options it should not.');
    assert.equal(stored.rating, 'critical');
  });

  it('edits the raw OSV JSON: the form follows, and server errors sit beside the field they name', async () => {
    await page.getByRole('link', { name: 'Edit advisory' }).click();
    await focusedHeading(`Edit ${advisoryId}`);
    const json = page.getByLabel('Raw OSV JSON');
    const record = JSON.parse(await json.inputValue());
    assert.equal(record.id, advisoryId);

    await json.fill('{"summary": ');
    await page.getByRole('button', { name: 'Save advisory' }).click();
    assert.match(await fieldError('Raw OSV JSON'), /not valid JSON/);

    // A range type the OSV schema does not know: the server's error lands beside "Range type".
    await json.fill(JSON.stringify({ ...record, affected: [{ ...record.affected[0], ranges: [{ type: 'NONSENSE', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] }, null, 2));
    await page.getByRole('button', { name: 'Save advisory' }).click();
    assert.ok((await fieldError('Range type')).length > 0);
    await page.getByRole('alert').filter({ hasText: 'not saved' }).waitFor();

    const edited = { ...record, summary: 'Code injection in lodash template', credits: [{ name: 'A. Finder', type: 'FINDER' }] };
    await json.fill(JSON.stringify(edited, null, 2));
    assert.equal(await page.getByLabel('Summary', { exact: true }).inputValue(), 'Code injection in lodash template', 'the form follows the JSON');
    await page.getByRole('button', { name: 'Save advisory' }).click();
    await focusedHeading(advisoryId);
    await page.locator('.usa-intro').filter({ hasText: 'Code injection in lodash template' }).waitFor();
    assert.match(await page.getByTestId('advisory-credits').innerText(), /A\. Finder \(Finder\)/);
    const stored = (await api('GET', `/advisories/${advisoryId}`)).body;
    assert.equal(stored.record.summary, 'Code injection in lodash template');
    assert.equal(stored.record.affected[0].ranges[0].type, 'ECOSYSTEM');
  });

  it('publishes after confirmation, then shows the revisions and the changes between them', async () => {
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByRole('dialog', { name: 'Publish this advisory?' }).getByRole('button', { name: 'Publish advisory' }).click();
    await page.getByTestId('advisory-notice').filter({ hasText: `${advisoryId} has been published (revision 1)` }).waitFor();
    assert.equal(await page.getByTestId('advisory-state').innerText(), 'Published');
    assert.equal(await page.getByTestId('advisory-revisions').locator('tbody tr').count(), 1);

    // Another writer changes it (revision 2); this page still holds the old version, so its withdraw is refused.
    const current = (await api('GET', `/advisories/${advisoryId}`)).body;
    const changed = await api('PUT', `/advisories/${advisoryId}`, { record: { ...current.record, summary: 'Code injection in lodash.template' } }, { 'if-match': `"${current.version}"` });
    assert.equal(changed.status, 200);
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByRole('dialog', { name: 'Withdraw this advisory?' }).getByRole('button', { name: 'Withdraw advisory' }).click();
    assert.match(await page.getByRole('alert').filter({ hasText: 'not changed' }).innerText(), /Reload the page/);
    assert.equal((await api('GET', `/advisories/${advisoryId}`)).body.state, 'published');

    await page.reload();
    await focusedHeading(advisoryId);
    assert.equal(await page.getByTestId('advisory-revisions').locator('tbody tr').count(), 2);
    await page.getByLabel('Compare revision').selectOption('1');
    await page.getByLabel('with revision').selectOption('2');
    await page.getByRole('button', { name: 'Show changes' }).click();
    assert.match(await page.getByTestId('advisory-diff').innerText(), /\/summary\s+Changed\s+Code injection in lodash template\s+Code injection in lodash\.template/);
    await checkLayout('detail-published');
  });

  it('shows a published TLP:CLEAR advisory to anonymous readers, without write buttons or inventories', async () => {
    const anon = await newDesktopContext(browser);
    try {
      const p = await anon.newPage();
      await p.goto(`${server.url}/advisories/${encodeURIComponent(advisoryId)}`);
      await focusedHeading(advisoryId, p);
      await p.locator('.usa-intro').filter({ hasText: 'Code injection in lodash.template' }).waitFor();
      assert.match(await p.getByTestId('advisory-affected').innerText(), /lodash\s+npm/);
      assert.match(await p.getByTestId('advisory-severity').innerText(), /9\.8/);
      assert.equal(await p.getByTestId('advisory-actions').count(), 0, 'no publish, withdraw or edit for anonymous readers');
      assert.equal(await p.getByRole('heading', { name: 'Inventories it affects' }).count(), 0);
      await p.getByRole('link', { name: 'Sign in' }).waitFor();
      await checkLayout('detail-anonymous', p);
      await p.goto(`${server.url}/advisories`);
      await focusedHeading('Advisories', p);
      await p.getByTestId('advisories-table').getByRole('link', { name: advisoryId }).waitFor();
      assert.equal(await p.getByRole('link', { name: 'New advisory' }).count(), 0);
    } finally {
      await anon.close();
    }
  });

  it('says "not found" to anonymous readers of a draft, which its owner still reads', async () => {
    const draft = await api('POST', '/advisories', { record: { summary: 'Unpublished finding', affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] }, label: { tlp: 'CLEAR' } });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    const anon = await newDesktopContext(browser);
    try {
      const p = await anon.newPage();
      await p.goto(`${server.url}/advisories/${encodeURIComponent(draft.body.id)}`);
      await focusedHeading('Advisory not found', p);
      assert.match(await p.getByTestId('advisory-missing').innerText(), new RegExp(`no advisory ${draft.body.id} that you may read`));
      assert.doesNotMatch(await p.locator('main').innerText(), /Unpublished finding/);
    } finally {
      await anon.close();
    }
    await page.goto(`${server.url}/advisories/${encodeURIComponent(draft.body.id)}`);
    await focusedHeading(draft.body.id);
    assert.equal(await page.getByTestId('advisory-state').innerText(), 'Draft');
  });

  it('searches and filters the list', async () => {
    await page.goto(`${server.url}/advisories`);
    await focusedHeading('Advisories');
    const table = page.getByTestId('advisories-table');
    const rows = (n: number) => page.waitForFunction((count) => document.querySelectorAll('[data-testid="advisories-table"] tbody tr').length === count, n);
    await table.getByRole('link', { name: advisoryId }).waitFor();
    await rows(2);
    await page.getByLabel('Search').fill('CVE-2021-23337');
    await page.getByRole('button', { name: 'Search' }).click();
    await rows(1);
    await table.getByRole('link', { name: advisoryId }).waitFor();
    await page.getByLabel('Search').fill('');
    await page.getByLabel('State').selectOption('draft');
    await page.getByRole('button', { name: 'Search' }).click();
    // Wait for this answer, not the previous one (which also had one row).
    await table.getByText('Unpublished finding').waitFor();
    await rows(1);
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByRole('button', { name: 'Search' }).click();
    await table.getByRole('link', { name: advisoryId }).waitFor();
    await rows(1);
    await checkLayout('list');
  });
  it('withdraws a published advisory after confirmation, with a reason', async () => {
    await page.goto(`${server.url}/advisories/${encodeURIComponent(advisoryId)}`);
    await focusedHeading(advisoryId);
    await page.getByRole('button', { name: 'Withdraw' }).click();
    const dialog = page.getByRole('dialog', { name: 'Withdraw this advisory?' });
    await dialog.getByLabel('Reason (optional)').fill('Duplicate of an upstream advisory');
    await dialog.getByRole('button', { name: 'Withdraw advisory' }).click();
    await page.getByTestId('advisory-notice').filter({ hasText: `${advisoryId} has been withdrawn` }).waitFor();
    assert.equal(await page.getByTestId('advisory-state').innerText(), 'Withdrawn');
    assert.equal(await page.getByRole('button', { name: 'Withdraw' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Edit advisory' }).count(), 0);
    const stored = (await api('GET', `/advisories/${advisoryId}`)).body;
    assert.equal(stored.state, 'withdrawn');
    assert.ok(stored.record.withdrawn, 'the record says when it was withdrawn');
  });
});
