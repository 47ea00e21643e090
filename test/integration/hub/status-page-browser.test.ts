// The status page in a real browser: Debian's headless Chromium driven by playwright-core (never a downloaded
// browser), against a hub on loopback with fake edges. Screenshots go to test-output/ for a human to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_DESCRIPTION, HOSTILE_TAG, HOSTILE_TOOL, startStatusFleet, type StatusFleet } from '../../browser/status-page-fixture.js';
import { connectClient, startTestHub, type TestHub } from './hub-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUTPUT = resolve(import.meta.dirname, '../../../test-output');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let fleet: StatusFleet;
let hub: TestHub;
let context: BrowserContext;
let page: Page;
let profile: string;
const dialogs: string[] = [];

const MISSING = `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (scripts/install-deps.sh does). This test never downloads a browser.`;

/** Each test fails with the install hint when there is no browser (a failed beforeAll would show as skipped tests). */
function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  fleet = await startStatusFleet();
  hub = await startTestHub({ specs: fleet.specs });
  // One real call through the hub, so the audit log has a recent line to show.
  const client = await connectClient(hub.url, hub.token);
  await client.callTool({ name: 'run_command', arguments: { host: 'kitchen-pi', command: 'uptime' } });
  await client.callTool({ name: 'run_command', arguments: { host: 'old-box', command: 'uptime' } });
  await client.close();
  profile = mkdtempSync(join(tmpdir(), 'lanmcp-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: PHONE, timeout: 60_000 });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
  mkdirSync(OUTPUT, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await hub?.close();
  await fleet?.close();
});

async function screenshot(name: string): Promise<void> {
  const path = join(OUTPUT, name);
  await page.screenshot({ path, fullPage: true });
  console.log(`status page screenshot: ${path}`);
}

const base = () => hub.url.replace(/\/mcp$/, '');

describe('status page in headless Chromium', () => {
  it('signs in with a client token at a phone viewport and shows every device and a recent call', async () => {
    requireChromium();
    await page.goto(`${base()}/`);
    await expect.poll(() => page.locator('form[action="/login"]').count()).toBe(1);
    await screenshot('status-page-login-phone.png');
    await page.fill('#token', 'lmc_not-a-real-token-0000000000000000000');
    const refused = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login')), page.click('button[type="submit"]')]);
    expect(refused[0].status()).toBe(401);
    expect(await page.locator('[role="alert"]').textContent()).toBe('Unknown or revoked token.');
    await page.fill('#token', hub.token);
    await Promise.all([page.waitForURL(`${base()}/`), page.click('button[type="submit"]')]);
    await page.locator('#devices').waitFor();

    for (const name of ['kitchen-pi', 'garage-pi', 'old-box', 'ha']) expect(await page.locator(`tr[data-device="${name}"]`).isVisible()).toBe(true);
    const kitchen = page.locator('tr[data-device="kitchen-pi"]');
    expect(await kitchen.locator('[data-label="Description"]').textContent()).toBe(HOSTILE_DESCRIPTION);
    expect(await kitchen.locator('.tag').allTextContents()).toEqual(['audio', HOSTILE_TAG]);
    expect(await page.locator('tr[data-device="ha"] code').allTextContents()).toEqual(['light_on', HOSTILE_TOOL]);
    expect(await page.locator('tr[data-device="old-box"] .badge').textContent()).toBe('down');
    expect(Number(await page.evaluate('document.scripts.length'))).toBe(0);
    expect(dialogs).toEqual([]);

    const calls = page.locator('#calls tr.call');
    expect(await calls.count()).toBeGreaterThanOrEqual(2);
    const newest = await calls.nth(1).locator('td').allTextContents();
    expect(newest.slice(1, 5)).toEqual(['tester', 'run_command', 'kitchen-pi', 'ok']);
    expect(await calls.nth(0).locator('[data-label="Outcome"]').textContent()).toMatch(/^errordevice old-box is down/);

    // At 390 px the tables become cards: no header row, nothing wider than the screen.
    expect(await page.locator('#devices thead').isVisible()).toBe(false);
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('body').textContent()).not.toContain(hub.token);
    await screenshot('status-page-phone.png');
  }, 60_000);

  it('keeps the session in an HttpOnly, SameSite=Strict cookie that is not the token; desktop layout is a table', async () => {
    requireChromium();
    const [cookie, ...others] = await context.cookies();
    expect(others).toEqual([]);
    expect(cookie).toMatchObject({ name: 'lanmcp_session', httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    expect(cookie!.value).not.toContain(hub.token.slice(4));
    expect(cookie!.expires - Date.now() / 1000).toBeGreaterThan(11 * 3600);
    expect(await page.evaluate('document.cookie')).toBe('');

    await page.setViewportSize(DESKTOP);
    await page.reload();
    expect(await page.locator('#devices thead').isVisible()).toBe(true);
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(DESKTOP.width);
    await screenshot('status-page-desktop.png');
  }, 60_000);

  it('signs out: the sign-in form again, and the old cookie no longer opens the page', async () => {
    requireChromium();
    const [before] = await context.cookies();
    await Promise.all([page.waitForURL(`${base()}/`), page.click('text=Sign out')]);
    await page.locator('form[action="/login"]').waitFor();
    expect(await context.cookies()).toEqual([]);
    const reused = await fetch(`${base()}/`, { headers: { accept: 'text/html', cookie: `lanmcp_session=${before!.value}` } });
    expect(await reused.text()).toContain('action="/login"');
  }, 60_000);
});
