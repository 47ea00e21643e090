import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildHub, type HubOptions } from '../../../src/hub/app.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';
import { LANMCP_VERSION } from '../../../src/shared/version.js';
import { HOSTILE_DESCRIPTION, HOSTILE_TAG, HOSTILE_TOOL, startStatusFleet, type StatusFleet } from '../../browser/status-page-fixture.js';
import { EDGE_TOKEN, FAST_TIMING } from './hub-helpers.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const HOST = { host: '127.0.0.1:8765' };
const HTML = { ...HOST, accept: BROWSER_ACCEPT };
const FORM = { ...HTML, 'content-type': 'application/x-www-form-urlencoded' };
const HOUR = 60 * 60 * 1000;

let fleet: StatusFleet;
beforeAll(async () => { fleet = await startStatusFleet(); });
afterAll(() => fleet.close());

const apps: FastifyInstance[] = [];
afterEach(async () => { await Promise.all(apps.splice(0).map((app) => app.close())); });

const AUDIT_LINES = [
  { time: '2026-11-26T01:00:00.000Z', token: 'laptop', tool: 'run_command', devices: ['kitchen-pi'], command: 'uptime', args: {}, outcome: 'ok', duration_ms: 12 },
  { time: '2026-11-26T01:00:05.000Z', token: '<b>bold</b>', tool: 'read_file', devices: ['<i>x</i>'], args: {}, outcome: 'error', error: 'kitchen-pi: </td><script>alert(2)</script>', duration_ms: 1500 },
];

async function hubWith(overrides: Partial<HubOptions> = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'lanmcp-status-page-'));
  const tokens = createClientTokenStore(stateDir);
  const token = tokens.create('phone');
  const auditLog = join(stateDir, 'audit.jsonl');
  writeFileSync(auditLog, `${AUDIT_LINES.map((l) => JSON.stringify(l)).join('\n')}\nnot json at all\n`);
  const clock = { now: Date.parse('2026-11-26T02:00:00Z') };
  const app = buildHub({
    specs: fleet.specs, auth: tokens, allowedHosts: ['127.0.0.1', 'localhost'], timing: FAST_TIMING, auditLog,
    statusPage: { now: () => clock.now }, ...overrides,
  });
  apps.push(app);
  await app.ready();
  await app.hub.runtime.start();
  const login = async (presented = token, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/login', headers: { ...FORM, ...headers }, payload: new URLSearchParams({ token: presented }).toString() });
  const cookieOf = (response: { headers: Record<string, unknown> }) => String(response.headers['set-cookie']).split(';')[0]!;
  const page = (cookie?: string) => app.inject({ method: 'GET', url: '/', headers: { ...HTML, ...(cookie ? { cookie } : {}) } });
  return { app, token, tokens, clock, login, cookieOf, page, auditLog };
}

describe('status page sign-in', () => {
  it('shows the sign-in form to a browser without a session, and keeps the 401 JSON for machines', async () => {
    const { app } = await hubWith();
    const form = await app.inject({ method: 'GET', url: '/', headers: HTML });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(form.headers['cache-control']).toBe('no-store');
    expect(form.headers['content-security-policy']).toMatch(/default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(form.body).toContain('<form method="post" action="/login">');
    expect(form.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(form.body).not.toContain('kitchen-pi');
    const machine = await app.inject({ method: 'GET', url: '/', headers: HOST });
    expect(machine.statusCode).toBe(401);
    expect(machine.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('a bad token is a 401 sign-in page with an error; an edge token is told so; no cookie is set', async () => {
    const { app, login } = await hubWith();
    const bad = await login('lmc_wrong-token-0000000000000000000000');
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('Unknown or revoked token.');
    expect(bad.body).not.toContain('lmc_wrong-token');
    expect(bad.headers['set-cookie']).toBeUndefined();
    expect((await login(EDGE_TOKEN)).body).toContain('This is an edge token');
    expect((await login('')).statusCode).toBe(401);
    const reloaded = await app.inject({ method: 'GET', url: '/login', headers: HTML });
    expect([reloaded.statusCode, reloaded.headers.location]).toEqual([303, '/']);
  });

  it('a good token sets an HttpOnly, SameSite=Strict session cookie holding a random id (Secure over HTTPS), then redirects to /', async () => {
    const { login, token } = await hubWith();
    const ok = await login();
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/');
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/^lanmcp_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(token);
    expect(cookie).not.toContain(token.slice(4, 20));
    const viaProxy = String((await login(token, { 'x-forwarded-proto': 'https' })).headers['set-cookie']);
    expect(viaProxy).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    expect(String((await login()).headers['set-cookie'])).not.toBe(cookie);
  });

  it('refuses a cross-site sign-in (Origin) and a foreign Host with 403 and no cookie', async () => {
    const { login, app } = await hubWith();
    const crossSite = await login(undefined, { origin: 'http://evil.example.com' });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain('Origin &quot;http://evil.example.com&quot; is not allowed');
    expect(crossSite.headers['set-cookie']).toBeUndefined();
    expect((await login(undefined, { host: 'evil.example.com' })).statusCode).toBe(403);
    const rebound = await app.inject({ method: 'GET', url: '/', headers: { ...HTML, host: 'evil.example.com' } });
    expect(rebound.statusCode).toBe(403);
  });

  it('failed sign-ins count against the rate limit: 429 with Retry-After, even for a good token then', async () => {
    const { login } = await hubWith({ rateLimit: { burst: 3, perSecond: 0.01 } });
    for (let i = 0; i < 3; i += 1) expect((await login('lmc_guess-000000000000000000000000000')).statusCode).toBe(401);
    const throttled = await login('lmc_guess-000000000000000000000000000');
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(throttled.body).toContain('Too many sign-in attempts');
    expect((await login()).statusCode).toBe(429);
  });

  it('a session expires after 12 h: the sign-in page again, and the cookie is cleared', async () => {
    const { login, cookieOf, page, clock } = await hubWith();
    const cookie = cookieOf(await login());
    clock.now += 11 * HOUR;
    expect((await page(cookie)).body).toContain('signed in as <strong>phone</strong>');
    clock.now += 1 * HOUR;
    const expired = await page(cookie);
    expect(expired.statusCode).toBe(200);
    expect(expired.body).toContain('Your session has ended; sign in again.');
    expect(String(expired.headers['set-cookie'])).toMatch(/^lanmcp_session=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970/);
  });

  it('sign out ends the session server-side; revoking the token ends its sessions too', async () => {
    const { app, login, cookieOf, page, tokens } = await hubWith();
    const cookie = cookieOf(await login());
    const out = await app.inject({ method: 'POST', url: '/logout', headers: { ...HTML, cookie } });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/^lanmcp_session=; Path=\/; Max-Age=0/);
    expect((await page(cookie)).body).toContain('<form method="post" action="/login">');
    const second = cookieOf(await login());
    expect((await page(second)).body).toContain('id="devices"');
    tokens.revoke('phone');
    expect((await page(second)).body).toContain('Your session has ended');
    const crossSiteLogout = await app.inject({ method: 'POST', url: '/logout', headers: { ...HTML, origin: 'http://evil.example.com' } });
    expect(crossSiteLogout.statusCode).toBe(403);
  });

  it('answers an oversized sign-in form with 413 as an HTML page', async () => {
    const { app } = await hubWith();
    const huge = await app.inject({ method: 'POST', url: '/login', headers: FORM, payload: `token=${'a'.repeat(20_000)}` });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});

describe('status page content', () => {
  it('lists every device with status, latency, version, kind, tags and description, and the hub version and uptime', async () => {
    const { login, cookieOf, page, clock } = await hubWith();
    const cookie = cookieOf(await login());
    clock.now += 2 * HOUR + 5 * 60_000;
    const body = (await page(cookie)).body;
    for (const name of ['kitchen-pi', 'garage-pi', 'old-box', 'ha']) expect(body).toContain(`data-device="${name}"`);
    expect(body).toContain(`v${LANMCP_VERSION} · up 2 h 5 min`);
    expect(body).toMatch(/data-device="garage-pi">[\s\S]*?<span class="badge up">up<\/span>[\s\S]*?data-label="Latency"><div>\d+ ms<[\s\S]*?data-label="Version"><div>fake-1</);
    expect(body).toMatch(/data-device="old-box">[\s\S]*?<span class="badge down">down<\/span>[\s\S]*?class="error">[^<]*ECONNREFUSED/);
    expect(body).toMatch(/data-device="ha">[\s\S]*?<span class="muted">mcp<\/span>[\s\S]*?<span class="tag">home<\/span>/);
    expect(body).toContain('Garage Pi with the camera');
    expect(body).toContain('<meta http-equiv="refresh" content="15">');
    expect(body).toContain('4 devices: <span class="up">3 up</span>, <span class="down">1 down</span>');
  });

  it('HTML-escapes everything user-controlled: descriptions, tags, upstream tool names, audit text', async () => {
    const { login, cookieOf, page, token } = await hubWith();
    const body = (await page(cookieOf(await login()))).body;
    expect(body).toContain('Kitchen &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('<code>evil&lt;b&gt;tool&lt;/b&gt;</code>');
    expect(body).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(body).toContain('kitchen-pi: &lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    for (const raw of [HOSTILE_DESCRIPTION, HOSTILE_TAG, HOSTILE_TOOL, '<script', '<img', '<b>bold', '<i>x']) expect(body).not.toContain(raw);
    expect(body).not.toContain(token);
    expect(body).not.toMatch(/lm[ce]_[A-Za-z0-9_-]{10,}/);
  });

  it('shows recent calls newest first with token name, tool, devices, outcome and duration; unreadable lines are counted', async () => {
    const { login, cookieOf, page } = await hubWith();
    const body = (await page(cookieOf(await login()))).body;
    const calls = body.slice(body.indexOf('id="calls"'));
    expect(calls.indexOf('read_file')).toBeLessThan(calls.indexOf('run_command'));
    const cell = (label: string, inner: string) => `<td data-label="${label}"><div>${inner}</div></td>`;
    expect(calls).toContain([cell('Token', 'laptop'), cell('Tool', '<code>run_command</code>'), cell('Devices', 'kitchen-pi'), cell('Outcome', '<span class="badge ok">ok</span>'), cell('Duration', '12 ms')].join('\n'));
    expect(calls).toMatch(/<span class="badge failed">error<\/span>[\s\S]*?<td data-label="Duration"><div>1.5 s<\/div><\/td>/);
    expect(body).toContain('1 unreadable line(s) of the audit log skipped.');
    expect(body).toContain('datetime="2026-11-26T01:00:05Z"');
    expect(body).not.toContain('uptime'); // the command is in the log but not on the page
  });

  it('keeps JSON for machines: a bearer GET / answers network_resources data (lanmcp status reads it); a browser with the bearer gets HTML', async () => {
    const { app, token } = await hubWith();
    const json = await app.inject({ method: 'GET', url: '/', headers: { ...HOST, authorization: `Bearer ${token}` } });
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const devices = (json.json() as { devices: { name: string; status: string }[] }).devices;
    expect(devices.map((d) => [d.name, d.status])).toEqual([['kitchen-pi', 'up'], ['garage-pi', 'up'], ['old-box', 'down'], ['ha', 'up']]);
    const explicit = await app.inject({ method: 'GET', url: '/', headers: { ...HOST, accept: 'application/json', authorization: `Bearer ${token}` } });
    expect(explicit.json()).toEqual(json.json());
    const htmlWithBearer = await app.inject({ method: 'GET', url: '/', headers: { ...HTML, authorization: `Bearer ${token}` } });
    expect(htmlWithBearer.body).toContain('signed in as <strong>phone</strong>');
    const wrongBearer = await app.inject({ method: 'GET', url: '/', headers: { ...HTML, authorization: 'Bearer lmc_nope-000000000000000000000000' } });
    expect(wrongBearer.statusCode).toBe(401);
  });

  it('says so when there is no audit file yet', async () => {
    const { login, cookieOf, page } = await hubWith({ auditLog: join(mkdtempSync(join(tmpdir(), 'lanmcp-status-page-')), 'none.jsonl') });
    expect((await page(cookieOf(await login()))).body).toContain('<p class="note">No calls yet.</p>');
  });
});
