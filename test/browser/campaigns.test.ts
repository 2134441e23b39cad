// End-to-end: scanning campaigns in Chromium against a real server with a fresh database (docs/campaigns.md). A water
// utility's administrator declares a named asset; a lab registers a campaign over its range with the form; the
// utility sees it and opts the asset out; the lab sees the opt-out on its campaign; a coordinator sees the lab's
// campaign flagged as overlapping another lab's on the same night.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { systemPrincipal } from '../../src/services/principal.ts';
import { browserSkipReason, newDesktopContext, shotDir, startServerAndBrowser } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';

const PASSWORD = 'campaigns browser passphrase';
const sys = systemPrincipal('system');
const pad = (n: number) => String(n).padStart(2, '0');
/** Tomorrow at `hour` in the browser's (and this process's) zone, as a datetime-local value. */
function tomorrowAt(hour: number): string {
  const d = new Date(Date.now() + 86_400_000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`;
}

describe('scanning campaigns in Chromium', { skip: browserSkipReason }, () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const org = { lab: '', lab2: '', water: '', gov: '' };
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
  const checkLayout = async (p: Page, name: string) => {
    for (const width of [1280, 390]) {
      await p.setViewportSize({ width, height: 900 });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${width} px: the page is ${overflow} px wider than the screen`);
      if (shotDir) {
        mkdirSync(shotDir, { recursive: true });
        await p.screenshot({ path: `${shotDir}/campaigns-${String(++shot).padStart(2, '0')}-${name}-${width}.png`, fullPage: true });
      }
    }
    await p.setViewportSize({ width: 1280, height: 900 });
  };

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const s = server.container.services;
    org.lab = (await s.organisations.create(sys, { name: 'Frontier Lab North', kind: 'ai-developer' })).id;
    org.lab2 = (await s.organisations.create(sys, { name: 'Frontier Lab South', kind: 'ai-developer' })).id;
    org.water = (await s.organisations.create(sys, { name: 'Riverside Water Authority', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'] })).id;
    org.gov = (await s.organisations.create(sys, { name: 'National Coordination Centre', kind: 'government' })).id;
    for (const [email, organisationId, role] of [['lab@campaigns.example', org.lab, 'member'], ['water@campaigns.example', org.water, 'admin'], ['gov@campaigns.example', org.gov, 'member']] as const) {
      await s.users.create(sys, { email, name: email.split('@')[0]!, password: PASSWORD, memberships: [{ organisationId, roles: [role] }] } as never);
    }
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  let water: Page;
  let lab: Page;
  let campaignName = '';

  it('the water utility\'s administrator declares a named asset with its range', async () => {
    water = await signedIn('water@campaigns.example');
    await water.goto(`${server.url}/assets`);
    await focusedHeading(water, 'Named assets');
    await water.getByTestId('assets-none').waitFor();
    await water.getByRole('button', { name: 'Declare asset' }).click();
    await water.getByLabel('Asset name').fill('Treatment plant SCADA');
    await water.getByLabel('Network ranges (CIDR)').fill('10.20.0.0/16\n10.21.0.1/16');
    await water.getByRole('button', { name: 'Declare asset' }).click();
    // The server's strict CIDR check names the range at fault.
    await water.getByText('has host bits set: the network is 10.21.0.0/16').first().waitFor();
    await water.getByLabel('Network ranges (CIDR)').fill('10.20.0.0/16\n2001:db8:20::/48');
    await water.getByRole('button', { name: 'Declare asset' }).click();
    await water.getByTestId('assets-done').filter({ hasText: 'Treatment plant SCADA saved.' }).waitFor();
    assert.match(await water.getByTestId('assets-table').innerText(), /Treatment plant SCADA[\s\S]*10\.20\.0\.0\/16[\s\S]*2001:db8:20::\/48/);
    await checkLayout(water, 'assets');
  });

  it('a lab registers a campaign over that range with the form', async () => {
    lab = await signedIn('lab@campaigns.example');
    await lab.goto(`${server.url}/campaigns`);
    await focusedHeading(lab, 'Scanning campaigns');
    await lab.getByRole('button', { name: 'Register campaign' }).click();
    // Nothing filled in: our own messages, nothing sent.
    await lab.getByRole('button', { name: 'Register campaign' }).click();
    await lab.getByText('Name the campaign.').waitFor();
    await lab.getByText('Name at least one target').waitFor();
    campaignName = 'Night fuzzing of exposed HMIs';
    await lab.getByLabel('Campaign name').fill(campaignName);
    await lab.getByLabel('Scanning starts').fill(tomorrowAt(22));
    await lab.getByLabel('Scanning ends').fill(tomorrowAt(23));
    await lab.getByLabel('Tool', { exact: true }).fill('fuzzbot 2.1');
    await lab.getByLabel('Model', { exact: true }).fill('frontier-7b');
    await lab.getByLabel('Contact', { exact: true }).fill('soc@lab-north.example');
    await lab.getByLabel('Network ranges (CIDR)').fill('10.20.5.0/24');
    await checkLayout(lab, 'register');
    await lab.getByRole('button', { name: 'Register campaign' }).click();
    await lab.getByTestId('campaign-done').filter({ hasText: `Campaign “${campaignName}” registered.` }).waitFor();
    const row = lab.getByTestId('campaigns-table').getByRole('row', { name: new RegExp(campaignName) });
    assert.match(await row.innerText(), /Frontier Lab North[\s\S]*Scheduled[\s\S]*TLP:AMBER/);
    // Times carry their zone: the local rendering names it, and the registered text keeps its offset.
    assert.match(await row.innerText(), /Registered as \d{4}-\d{2}-\d{2}T22:00:00[+-]\d{2}:\d{2}/);
  });

  it('the utility sees the campaign touching its asset and opts the asset out', async () => {
    await water.goto(`${server.url}/campaigns`);
    await focusedHeading(water, 'Scanning campaigns');
    const row = water.getByTestId('campaigns-table').getByRole('row', { name: new RegExp(campaignName) });
    await row.waitFor();
    assert.match(await row.innerText(), /scans a range over your asset\s+10\.20\.5\.0\/24[\s\S]*Treatment plant SCADA/);
    await row.getByRole('button', { name: 'Opt Treatment plant SCADA out' }).click();
    await water.getByTestId('campaign-done').filter({ hasText: 'Treatment plant SCADA is opted out' }).waitFor();
    await row.getByTestId('opted-out').waitFor();
    await checkLayout(water, 'operator-list');
    // The detail page shows only what concerns the utility.
    await row.getByRole('link', { name: campaignName }).click();
    await focusedHeading(water, campaignName);
    await water.getByTestId('touched-note').waitFor();
    assert.equal((await water.getByTestId('campaign-scope').innerText()).replace(/\s+/g, ' ').trim(), 'Network ranges 10.20.5.0/24');
  });

  it('the lab sees the opt-out on its campaign: which targets to leave alone', async () => {
    await lab.getByTestId('campaigns-table').getByRole('link', { name: campaignName }).click();
    await focusedHeading(lab, campaignName);
    const table = lab.getByTestId('opt-outs-table');
    await table.waitFor();
    assert.match(await table.innerText(), /Riverside Water Authority\s+Treatment plant SCADA\s+10\.20\.0\.0\/16\s+2001:db8:20::\/48[\s\S]*Night fuzzing of exposed HMIs/);
    await checkLayout(lab, 'owner-detail');
  });

  it('a coordinator sees the campaign flagged as overlapping another lab\'s on the same night', async () => {
    const mine = (await server.container.services.campaigns.list(sys, {})).items.find((c) => c.name === campaignName)!;
    // The other lab scans the whole utility network during the same hour.
    await server.container.services.campaigns.create(sys, {
      organisationId: org.lab2, name: 'Southern sweep', scope: { cidrs: ['10.20.0.0/16'] }, window: { start: mine.window.start, end: mine.window.end }, tool: 'sweeper', model: 'm2', contact: 'soc@lab-south.example',
    });
    const gov = await signedIn('gov@campaigns.example');
    await gov.goto(`${server.url}/campaigns`);
    await focusedHeading(gov, 'Scanning campaigns');
    const overlaps = gov.getByTestId('overlaps-table');
    await overlaps.waitFor();
    assert.match(await overlaps.innerText(), /Southern sweep[\s\S]*Night fuzzing of exposed HMIs[\s\S]*ranges 10\.20\.0\.0\/16 \/ 10\.20\.5\.0\/24|Night fuzzing of exposed HMIs[\s\S]*Southern sweep[\s\S]*ranges 10\.20\.5\.0\/24 \/ 10\.20\.0\.0\/16/);
    await checkLayout(gov, 'coordinator');
    await overlaps.getByRole('link', { name: campaignName }).click();
    await focusedHeading(gov, campaignName);
    assert.match(await gov.getByTestId('overlaps-table').innerText(), /Southern sweep/);
  });
});
