// The page's only stylesheet, inline (no external assets: the hub may run where nothing else is reachable).
// Below 720 px each table row becomes a card whose cells carry their column name (data-label).

export const STATUS_PAGE_CSS = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --muted: #6e7781; --line: #d0d7de; --card: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --ok: #3fb950; --bad: #f85149; --muted: #8b949e; --line: #30363d; --card: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 12px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: baseline; justify-content: space-between; }
h1 { font-size: 1.3em; margin: 4px 0; }
h2 { font-size: 1.1em; margin: 20px 0 8px; }
.meta, .note, .muted { color: var(--muted); font-size: .9em; }
.error { color: var(--bad); overflow-wrap: anywhere; }
.break { overflow-wrap: anywhere; }
.badge { display: inline-block; white-space: nowrap; padding: 0 8px; border-radius: 10px; font-weight: 600; font-size: .85em; border: 1px solid currentColor; }
.up, .ok { color: var(--ok); }
.down, .unknown, .failed { color: var(--bad); }
.tag { display: inline-block; padding: 0 6px; margin: 1px 2px 1px 0; border-radius: 4px; background: var(--card); border: 1px solid var(--line); font-size: .85em; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-size: .85em; color: var(--muted); font-weight: 600; }
td { overflow-wrap: break-word; }
details summary { cursor: pointer; color: var(--muted); }
code { font-size: .9em; }
form.inline { display: inline; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: inherit; cursor: pointer; }
.login { max-width: 420px; margin: 12vh auto; padding: 20px; border: 1px solid var(--line); border-radius: 10px; background: var(--card); }
.login input { width: 100%; font: inherit; padding: 8px; margin: 6px 0 12px; border-radius: 6px; border: 1px solid var(--line); }
@media (max-width: 720px) {
  table, tbody, tr, td { display: block; }
  thead { display: none; }
  tr { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 10px; padding: 4px 8px; background: var(--card); }
  td { border: 0; padding: 3px 0; display: flex; gap: 10px; }
  td::before { content: attr(data-label); flex: 0 0 6.5em; color: var(--muted); font-size: .85em; }
  td > div { flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere; }
  td:empty { display: none; }
}
`;
