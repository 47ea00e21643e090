// The status page and the login page as HTML strings. Pure: a view in, a document out; every value goes
// through `html`, which escapes it. No script: the page refreshes itself with a meta refresh.
import { html, type SafeHtml } from './html.js';
import { STATUS_PAGE_CSS } from './style.js';
import type { CallRow, DeviceRow, Moment, StatusView } from './view.js';

function documentOf(title: string, body: SafeHtml, refreshS?: number): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
${refreshS ? html`<meta http-equiv="refresh" content="${refreshS}">` : ''}
<title>${title}</title>
<style>${{ safeHtml: STATUS_PAGE_CSS }}</style>
</head>
<body>
${body}
</body>
</html>
`.safeHtml;
}

const moment = (m: Moment | undefined) => (m ? html`<time datetime="${m.iso}" title="${m.iso}">${m.ago}</time>` : '');
const tags = (list: readonly string[]) => list.map((t) => html`<span class="tag">${t}</span>`);

function toolsCell(tools: readonly string[]): SafeHtml {
  if (tools.length === 0) return html`<span class="muted">none</span>`;
  return html`<details><summary>${tools.length} tool${tools.length === 1 ? '' : 's'}</summary>${tools.map((t, i) => html`${i > 0 ? ', ' : ''}<code>${t}</code>`)}</details>`;
}

/** A table cell labelled for the phone layout; an empty one stays empty (and is hidden there). */
function cell(label: string, content: unknown): SafeHtml {
  const inner = html`${content}`;
  return inner.safeHtml === '' ? html`<td data-label="${label}"></td>` : html`<td data-label="${label}"><div>${inner}</div></td>`;
}

function deviceRow(d: DeviceRow): SafeHtml {
  const since = d.since ? html` <span class="muted">since ${moment(d.since)}</span>` : '';
  const groups = d.groups.length > 0 ? html` <span class="muted">groups: ${d.groups.join(', ')}</span>` : '';
  return html`<tr class="device" data-device="${d.name}">
${cell('Device', html`<strong>${d.name}</strong> <span class="muted">${d.kind}</span><br><span class="muted break">${d.where}</span>`)}
${cell('Status', html`<span class="badge ${d.status}">${d.status}</span>${since}${d.error ? html`<div class="error">${d.error}</div>` : ''}`)}
${cell('Last seen', moment(d.lastSeen))}
${cell('Latency', d.latency)}
${cell('Version', d.version)}
${cell('Tags', html`${tags(d.tags)}${groups}`)}
${cell('Description', d.description)}
${cell('Tools', toolsCell(d.tools))}
</tr>`;
}

function callRow(c: CallRow): SafeHtml {
  return html`<tr class="call">
${cell('Time', moment(c.time))}
${cell('Token', c.token)}
${cell('Tool', html`<code>${c.tool}</code>`)}
${cell('Devices', c.devices.join(', '))}
${cell('Outcome', html`<span class="badge ${c.outcome === 'ok' ? 'ok' : 'failed'}">${c.outcome}</span>${c.error ? html`<div class="error">${c.error}</div>` : ''}`)}
${cell('Duration', c.duration)}
</tr>`;
}

function devicesSection(view: StatusView): SafeHtml {
  const { total, up, down, unknown } = view.summary;
  const counts = html`${total} device${total === 1 ? '' : 's'}: <span class="up">${up} up</span>${down > 0 ? html`, <span class="down">${down} down</span>` : ''}${unknown > 0 ? html`, <span class="unknown">${unknown} not checked yet</span>` : ''}`;
  if (total === 0) return html`<h2>Devices</h2><p class="note">No devices in the inventory.</p>`;
  return html`<h2>Devices</h2><p class="meta" id="device-summary">${counts}</p>
<table id="devices"><thead><tr><th>Device</th><th>Status</th><th>Last seen</th><th>Latency</th><th>Version</th><th>Tags</th><th>Description</th><th>Tools</th></tr></thead>
<tbody>
${view.devices.map(deviceRow)}
</tbody></table>`;
}

function callsSection(view: StatusView): SafeHtml {
  const table = view.calls.length === 0 ? '' : html`<table id="calls"><thead><tr><th>Time</th><th>Token</th><th>Tool</th><th>Devices</th><th>Outcome</th><th>Duration</th></tr></thead>
<tbody>
${view.calls.map(callRow)}
</tbody></table>`;
  return html`<h2>Recent calls</h2>${view.callsNote ? html`<p class="note">${view.callsNote}</p>` : ''}${table}`;
}

/** The signed-in page: hub version and uptime, every device, the latest audited calls. */
export function renderStatusPage(view: StatusView): string {
  const body = html`<header>
<h1>lanmcp hub</h1>
<div class="meta">v${view.version} · up ${view.uptime} · signed in as <strong>${view.tokenName}</strong>
<form class="inline" method="post" action="/logout"><button type="submit">Sign out</button></form></div>
</header>
${devicesSection(view)}
${callsSection(view)}
<p class="muted">Generated ${view.generatedAt}; refreshes every ${view.refreshS} s.</p>`;
  return documentOf('lanmcp hub', body, view.refreshS);
}

/** The sign-in form; `error` (a bad token, too many attempts) is shown above it. */
export function renderLoginPage(options: { error?: string } = {}): string {
  const body = html`<main class="login">
<h1>lanmcp hub</h1>
<p class="muted">Sign in with a client token (<code>lanmcp token create NAME</code> prints one).</p>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
<form method="post" action="/login">
<label for="token">Client token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</main>`;
  return documentOf('lanmcp hub — sign in', body);
}
