// End-to-end: findings intake in Chromium against a real server with a fresh database. A lab reports a finding with
// the form (its own checks beside the fields first), uploads documents and reads each file's result, and a second lab
// reports the same vulnerability: the finding page then credits both reporters and says why the second was linked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { systemPrincipal } from '../../src/services/principal.ts';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import { type TestServer } from '../helpers/server.ts';

const PASSWORD = 'intake browser test passphrase';
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/findings/${name}`, import.meta.url));

describe('findings intake in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let labA: Page;
  let labB: Page;
  let shot = 0;

  async function signedIn(email: string): Promise<Page> {
    const context = await newDesktopContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    const res = await page.request.post(`${server.url}/api/v1/session`, { data: { email, password: PASSWORD } });
    assert.equal(res.status(), 200, await res.text());
    return page;
  }
  const focusedHeading = async (p: Page, name: string | RegExp) => {
    await p.getByRole('heading', { level: 1, name }).waitFor();
    await p.waitForFunction(() => document.activeElement?.tagName === 'H1');
  };
  /** The message beside a field: a USWDS error message the field points at through aria-describedby. */
  const fieldError = async (p: Page, label: string) => {
    const field = p.getByLabel(label, { exact: true });
    const fieldId = await field.getAttribute('id');
    await p.locator(`[id="${fieldId}"][aria-invalid="true"]`).waitFor();
    const described = (await field.getAttribute('aria-describedby')) ?? '';
    const errorId = described.split(' ').find((id) => id.endsWith('-error'));
    assert.ok(errorId, `the field "${label}" points at an error message (aria-describedby: ${described})`);
    return p.locator(`[id="${errorId}"]`).innerText();
  };
  const checkLayout = async (p: Page, name: string) => {
    for (const width of [1280, 390]) {
      await p.setViewportSize({ width, height: 900 });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${width} px: the page is ${overflow} px wider than the screen`);
      if (shotDir) {
        mkdirSync(shotDir, { recursive: true });
        await p.screenshot({ path: `${shotDir}/intake-${String(++shot).padStart(2, '0')}-${name}-${width}.png`, fullPage: true });
      }
    }
    await p.setViewportSize({ width: 1280, height: 900 });
  };

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    const a = (await services.organisations.create(sys, { name: 'Lab Alpha', kind: 'ai-developer' })).id;
    const b = (await services.organisations.create(sys, { name: 'Lab Beta', kind: 'ai-developer' })).id;
    await services.users.create(sys, { email: 'alpha@intake.example', name: 'Alpha', password: PASSWORD, memberships: [{ organisationId: a, roles: ['member'] }] });
    await services.users.create(sys, { email: 'beta@intake.example', name: 'Beta', password: PASSWORD, memberships: [{ organisationId: b, roles: ['member'] }] });
    labA = await signedIn('alpha@intake.example');
    labB = await signedIn('beta@intake.example');
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  let findingUrl = '';
  it('reports a finding with the form: its own checks beside the fields first, then the new finding', async () => {
    await labA.goto(`${server.url}/findings/new`);
    await focusedHeading(labA, 'Report findings');
    const form = labA.getByRole('region', { name: 'Report one finding' });
    await form.getByRole('button', { name: 'Report finding' }).click();
    assert.match(await fieldError(labA, 'Title'), /title/);
    assert.match(await fieldError(labA, 'Description'), /Describe/);
    await form.getByText('Name the product').waitFor();

    await labA.getByLabel('Title', { exact: true }).fill('Prompt injection reaches the tool router');
    await labA.getByLabel('Description', { exact: true }).fill('A crafted document makes the agent call the shell tool.');
    await labA.getByLabel('CWE (optional)').fill('CWE-77');
    await labA.getByLabel('Package URL', { exact: true }).fill('pkg:pypi/agent-router');
    await labA.getByLabel('Affected versions', { exact: true }).fill('< 2.0');
    await labA.getByLabel('Aliases (optional)').fill('cve-2026-70001');
    await labA.locator('#finding-tlp').selectOption('GREEN');
    await form.getByRole('button', { name: 'Report finding' }).click();
    const done = labA.getByTestId('report-result');
    await done.getByText('Finding reported').waitFor();
    const link = done.getByRole('link', { name: 'Prompt injection reaches the tool router' });
    findingUrl = (await link.getAttribute('href'))!;
    assert.match(findingUrl, /^\/findings\/[0-9a-f-]{36}$/);
    await checkLayout(labA, 'form');
  });

  it('uploads documents one request each and shows every file\'s result', async () => {
    await labA.locator('input#upload-files').setInputFiles([fixture('scan.sarif'), fixture('missing-message.sarif')]);
    await labA.locator('#upload-tlp').selectOption('GREEN');
    await labA.getByRole('region', { name: 'Upload documents' }).getByRole('button', { name: 'Upload' }).click();
    await labA.getByTestId('upload-done').getByText('1 of 2 files imported.').waitFor();
    const table = labA.getByTestId('upload-results');
    const good = table.locator('tr[data-file="scan.sarif"]');
    assert.deepEqual(
      [await good.locator('[data-col="received"]').innerText(), await good.locator('[data-col="created"]').innerText(), await good.locator('[data-col="duplicates"]').innerText()],
      ['5', '3', '1'],
    );
    assert.match(await good.locator('[data-col="rejected"]').innerText(), /scan\.sarif#\/runs\/0\/results\/3: the result has no message text/);
    const bad = table.locator('tr[data-file="missing-message.sarif"]');
    assert.match(await bad.locator('[data-col="result"]').innerText(), /^Refused: not a document that can be read; nothing was stored/);
    assert.match(await bad.locator('[data-col="rejected"]').innerText(), /missing-message\.sarif: not valid SARIF 2\.1\.0: \/runs\/0\/results\/0 must have required property 'message'/);
    await checkLayout(labA, 'upload');
  });

  it('links a second lab\'s report of the same vulnerability, and the finding page credits both reporters', async () => {
    await labB.goto(`${server.url}/findings/new`);
    await focusedHeading(labB, 'Report findings');
    await labB.getByLabel('Title', { exact: true }).fill('Tool router runs shell commands from documents');
    await labB.getByLabel('Description', { exact: true }).fill('Same issue, found by our scanner.');
    await labB.getByLabel('Product name', { exact: true }).fill('Agent router');
    await labB.getByLabel('Aliases (optional)').fill('CVE-2026-70001');
    await labB.getByRole('region', { name: 'Report one finding' }).getByRole('button', { name: 'Report finding' }).click();
    const done = labB.getByTestId('report-result');
    await done.getByText('Linked to an existing finding').waitFor();
    assert.match(await done.innerText(), /Shared alias|Alias: CVE-2026-70001/i);
    await done.getByRole('link', { name: 'Prompt injection reaches the tool router' }).click();
    await focusedHeading(labB, 'Prompt injection reaches the tool router');
    assert.equal(new URL(labB.url()).pathname, findingUrl);
    const reports = labB.getByTestId('finding-reports');
    await reports.getByText('Lab Beta').waitFor();
    const rows = await reports.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /^Lab Alpha\s.*First report/s);
    assert.match(rows[1]!, /^Lab Beta\s.*Shared alias\s+CVE-2026-70001/s);
    assert.match(await labB.getByTestId('finding-product').innerText(), /pkg:pypi\/agent-router \(< 2\.0\)/);
    await labB.getByTestId('finding-triage').waitFor();
    await checkLayout(labB, 'finding');
  });
});
