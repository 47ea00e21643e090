import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuditLines, readRecentCalls } from '../../../src/hub/status-page/audit-tail.js';
import { escapeHtml, html } from '../../../src/hub/status-page/html.js';
import { cameOverHttps, parseCookies, prefersHtml, sessionCookie } from '../../../src/hub/status-page/http-bits.js';
import { createLoginSessions } from '../../../src/hub/status-page/login-sessions.js';
import { renderLoginPage, renderStatusPage } from '../../../src/hub/status-page/render.js';
import { formatDuration, formatSpan, momentOf, planStatusView, type DeviceInput } from '../../../src/hub/status-page/view.js';

const EVIL = `"><script>alert(1)</script><img src=x onerror=alert(2)>'&`;
const line = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ time: `2026-11-26T01:00:${String(i % 60).padStart(2, '0')}Z`, token: 'laptop', tool: 'run_command', devices: ['pi'], args: {}, outcome: 'ok', duration_ms: i, ...extra });

describe('html', () => {
  it('escapes every interpolated value unless it is html output; arrays join; nothing for undefined, null and false', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<', html`<br>`]}${undefined}${null}${false}${0}</p>`.safeHtml).toBe('<p><b>&lt;i&gt;</b>&lt;<br>0</p>');
  });

  it('a status page built from hostile strings contains only the markup the renderer writes', () => {
    const status = { name: EVIL, kind: 'edge' as const, status: 'down' as const, since: '2026-11-26T01:00:00Z', error: EVIL, version: EVIL, in_flight: 0, queued: 0 };
    const device: DeviceInput = { spec: { name: EVIL, kind: 'edge', url: EVIL, address: EVIL, description: EVIL, tags: [EVIL], groups: [EVIL] }, status, tools: [EVIL] };
    const view = planStatusView({
      version: EVIL, startedAt: 0, now: Date.parse('2026-11-26T02:00:00Z'), tokenName: EVIL, devices: [device],
      calls: [{ time: EVIL, token: EVIL, tool: EVIL, devices: [EVIL], outcome: 'error', error: EVIL, duration_ms: 5 }], callsNote: EVIL, refreshS: 15,
    });
    const page = renderStatusPage(view);
    const tags = new Set([...page.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1]!.toLowerCase()));
    expect([...tags].filter((t) => !['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'div', 'strong', 'form', 'button', 'p', 'span', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br', 'time', 'details', 'summary', 'code'].includes(t))).toEqual([]);
    expect(page).not.toContain('<script');
    expect(page.split(escapeHtml(EVIL)).length - 1).toBeGreaterThanOrEqual(12);
    expect(renderLoginPage({ error: EVIL })).toContain(`<p class="error" role="alert">${escapeHtml(EVIL)}</p>`);
  });
});

describe('http bits', () => {
  it('wants HTML only when the client names text/html at least as high as JSON', () => {
    expect(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true);
    expect(prefersHtml('text/html')).toBe(true);
    for (const machine of [undefined, '', '*/*', 'application/json', 'application/json, text/html;q=0.5', 'text/html;q=0', ',,;;']) expect(prefersHtml(machine), String(machine)).toBe(false);
  });

  it('reads cookies, writes the session cookie and its clearing, and detects HTTPS behind a proxy', () => {
    expect(Object.entries(parseCookies('a=1; lanmcp_session=abc; a=2; junk; =x; __proto__=p; toString=t')))
      .toEqual([['a', '1'], ['lanmcp_session', 'abc'], ['__proto__', 'p'], ['toString', 't']]);
    expect(Object.entries(parseCookies(undefined))).toEqual([]);
    expect(sessionCookie('id', 60, true)).toBe('lanmcp_session=id; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure');
    expect(sessionCookie('', 0, false)).toBe('lanmcp_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict');
    expect(cameOverHttps('https', {})).toBe(true);
    expect(cameOverHttps('http', { 'x-forwarded-proto': 'https, http' })).toBe(true);
    expect(cameOverHttps('http', { forwarded: 'for=1.2.3.4;proto=https' })).toBe(true);
    expect(cameOverHttps('http', { 'x-forwarded-proto': 'http' })).toBe(false);
    expect(cameOverHttps('http', {})).toBe(false);
  });
});

describe('view', () => {
  it('phrases durations, spans and moments', () => {
    expect([formatDuration(412), formatDuration(1234), formatDuration(123_000)]).toEqual(['412 ms', '1.2 s', '2 min 3 s']);
    expect([formatSpan(12_000), formatSpan(250_000), formatSpan(7_500_000), formatSpan(277_000_000)]).toEqual(['12 s', '4 min 10 s', '2 h 5 min', '3 d 4 h']);
    const now = Date.parse('2026-11-26T02:00:00Z');
    expect(momentOf('2026-11-26T01:59:48.123Z', now)).toEqual({ ago: '11 s ago', iso: '2026-11-26T01:59:48Z' });
    expect(momentOf('2026-11-26T02:00:00Z', now)?.ago).toBe('just now');
    expect(momentOf('yesterday-ish', now)).toBeUndefined();
  });

  it('counts devices by status and lists calls newest first', () => {
    const status = (s: 'up' | 'down' | 'unknown') => ({ name: s, kind: 'edge' as const, status: s, in_flight: 0, queued: 0, error: 'boom' });
    const devices = (['up', 'down', 'unknown', 'up'] as const).map((s) => ({ spec: { name: s, kind: 'edge' as const, url: 'u', address: 'a', tags: [], groups: [] }, status: status(s), tools: [] }));
    const calls = parseAuditLines([line(1), line(2)].join('\n'), 20).calls;
    const view = planStatusView({ version: '1', startedAt: 0, now: 5000, tokenName: 't', devices, calls, refreshS: 15 });
    expect(view.summary).toEqual({ total: 4, up: 2, down: 1, unknown: 1 });
    expect(view.devices.map((d) => d.error)).toEqual([undefined, 'boom', 'boom', undefined]);
    expect(view.calls.map((c) => c.duration)).toEqual(['2 ms', '1 ms']);
    expect(view.uptime).toBe('5 s');
  });
});

describe('audit tail', () => {
  it('keeps the last readable entries, oldest first, and counts the unreadable ones', () => {
    const text = [line(1), '{"time": 3}', 'garbage', '[]', line(2, { token: 7, devices: ['a', 3], outcome: 'weird', error: 'x'.repeat(1000) }), line(3), ''].join('\n');
    const { calls, unreadable } = parseAuditLines(text, 2);
    expect(calls.map((c) => c.duration_ms)).toEqual([2, 3]);
    expect(calls[0]).toMatchObject({ token: '?', devices: ['a'], outcome: 'error' });
    expect(calls[0]!.error).toHaveLength(300);
    expect(unreadable).toBe(0);
    expect(parseAuditLines(text, 10)).toMatchObject({ unreadable: 3 });
  });

  it('reads only the end of a large log, and says why there is nothing to show', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanmcp-audit-tail-'));
    const file = join(dir, 'audit.jsonl');
    writeFileSync(file, `${Array.from({ length: 5000 }, (_, i) => line(i, { args: { pad: 'p'.repeat(i % 7 === 0 ? 3000 : 40) } })).join('\n')}\n`);
    const { calls, note } = await readRecentCalls(file, 20);
    expect(note).toBeUndefined();
    expect(calls.map((c) => c.duration_ms)).toEqual(Array.from({ length: 20 }, (_, i) => 4980 + i));
    expect(await readRecentCalls(join(dir, 'missing.jsonl'), 20)).toEqual({ calls: [], note: 'No calls yet.' });
    expect(await readRecentCalls(undefined, 20)).toEqual({ calls: [], note: 'This hub was started without an audit log.' });
    expect((await readRecentCalls(dir, 20)).note).toMatch(/^The audit log cannot be read: .*EISDIR/);
  });
});

describe('login sessions', () => {
  it('random ids, a fixed expiry, a bound on how many, and revocation', () => {
    const clock = { now: 0 };
    let valid = true;
    const sessions = createLoginSessions({ ttlMs: 1000, max: 3, now: () => clock.now, stillValid: () => valid });
    const a = sessions.create('phone', 'f'.repeat(64));
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.expiresAt).toBe(1000);
    expect(sessions.get(a.id)).toEqual({ tokenName: 'phone', tokenSha256: 'f'.repeat(64), expiresAt: 1000 });
    expect(sessions.get(`${a.id}x`)).toBeUndefined();
    expect(sessions.get(undefined)).toBeUndefined();
    clock.now = 999;
    expect(sessions.get(a.id)?.tokenName).toBe('phone');
    clock.now = 1000;
    expect(sessions.get(a.id)).toBeUndefined();
    const ids = [1, 2, 3, 4].map(() => sessions.create('phone', 'f'.repeat(64)).id);
    expect(new Set(ids).size).toBe(4);
    expect(sessions.size).toBe(3);
    expect(sessions.get(ids[0])).toBeUndefined();
    expect(sessions.get(ids[3])).toBeDefined();
    sessions.delete(ids[3]);
    expect(sessions.get(ids[3])).toBeUndefined();
    valid = false;
    expect(sessions.get(ids[2])).toBeUndefined();
    expect(sessions.size).toBe(1);
  });
});
