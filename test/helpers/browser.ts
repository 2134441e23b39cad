// What every browser test shares: where Chromium and the built UI are, when to skip, and one server plus one Chromium
// started the same way (fresh database, flags that keep Chromium off the network and quiet on a shared machine).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { startTestServer, type TestServer } from './server.ts';

const CHROMIUM = '/usr/bin/chromium';
const BUILT_UI = process.env.CLEARINGHOUSE_WEB_ROOT
  ? `${process.env.CLEARINGHOUSE_WEB_ROOT}/index.html`
  : fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Fail fast: every step in the browser tests completes in well under a second on a healthy build.
const TIMEOUT = 10_000;

/** Set to a folder (under /tmp, never the repo) to keep a screenshot of each page for a human to look at. */
export const shotDir = process.env.CLEARINGHOUSE_SCREENSHOT_DIR;

const requireBrowser = process.env.CLEARINGHOUSE_REQUIRE_BROWSER === '1';
/** The `skip` option of a browser suite: a reason when Chromium is missing, except in CI where it must fail instead. */
export const browserSkipReason: string | false = existsSync(CHROMIUM)
  ? false
  : requireBrowser
    ? false // CI: fall through so startServerAndBrowser fails loudly instead of skipping.
    : `Chromium not found at ${CHROMIUM}: browser tests skipped (install Debian's chromium; CI sets CLEARINGHOUSE_REQUIRE_BROWSER=1)`;
if (browserSkipReason) console.warn(`\n*** ${browserSkipReason} ***\n`);

/** A fresh test server and Chromium, started together; fails with the fix to apply when either cannot start. */
export async function startServerAndBrowser(): Promise<{ server: TestServer; browser: Browser }> {
  if (!existsSync(CHROMIUM)) throw new Error(`CLEARINGHOUSE_REQUIRE_BROWSER=1 but Chromium is missing at ${CHROMIUM}`);
  if (!existsSync(BUILT_UI)) throw new Error(`web UI not built (${BUILT_UI} missing): run \`npm run build:web\` first`);
  const [server, browser] = await Promise.all([startTestServer(), chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS })]);
  return { server, browser };
}

/** A new browser context (own cookies) with the desktop viewport and the fail-fast timeout. */
export async function newDesktopContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  return context;
}
