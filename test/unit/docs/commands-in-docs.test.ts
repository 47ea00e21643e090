import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../src/cli/commands/index.js';
import { parseInventory } from '../../../src/inventory/parse.js';

const pages = ['getting-started.md', 'remote-access.md', 'gitops.md', 'troubleshooting.md', 'README.md'];
const read = (page: string): string => readFileSync(new URL(`../../../docs/${page}`, import.meta.url), 'utf8');

/** The code a page shows: fenced blocks (comments dropped) and inline `code` spans. */
function codeOf(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].flatMap((m) => (m[1] ?? '').split('\n').map((l) => l.replace(/\s#\s.*$/, '')));
  const inline = [...markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
  return [...fenced, ...inline];
}

/**
 * `lanmcp CMD …` invocations (at the start of a line or after `&&`, `;`, `|`, `(` or `sudo`: elsewhere
 * "lanmcp" is an argument, as in `cloudflared tunnel run lanmcp`) that name an unknown command or flag.
 */
function problems(code: string): string[] {
  return [...code.matchAll(/(?:^\s*|[;&|(]\s*|\bsudo\s+)lanmcp[ \t]+([a-z]+)([^\n|;&<>`]*)/gm)].flatMap((m) => {
    const name = m[1] ?? '';
    const command = commands.find((c) => c.name === name);
    if (command === undefined) return [`lanmcp ${name}: no such command`];
    const known = new Set(['--help', '-h', ...Object.entries(command.options).flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}`] : [])])]);
    return (m[2] ?? '').split(/\s+/).filter((w) => /^--?[a-z]/.test(w)).map((w) => w.replace(/=.*$/, ''))
      .filter((flag) => !known.has(flag)).map((flag) => `lanmcp ${name} ${flag}: no such flag`);
  });
}

describe('commands shown in the docs', () => {
  it.each(pages)('%s shows only real lanmcp commands and flags', (page) => {
    expect(codeOf(read(page)).flatMap(problems)).toEqual([]);
  });

  it('finds the invocations it checks (a pattern that matched nothing would pass every page)', () => {
    const found = pages.flatMap((page) => codeOf(read(page))).flatMap((code) => [...code.matchAll(/(?:^\s*|[;&|(]\s*|\bsudo\s+)lanmcp[ \t]+[a-z]+/gm)]);
    expect(found.length).toBeGreaterThan(40);
  });

  it('the check notices a made-up command or flag', () => {
    expect(problems('lanmcp apply --yes --force')).toEqual(['lanmcp apply --force: no such flag']);
    expect(problems('sudo lanmcp deploy --limit pis')).toEqual(['lanmcp deploy: no such command']);
  });

  it("getting-started's inventory is valid as shown", () => {
    const yaml = /```yaml\n(# yaml-language-server[\s\S]*?)```/.exec(read('getting-started.md'))?.[1];
    expect(yaml).toBeDefined();
    const result = parseInventory(yaml ?? '', 'getting-started.md');
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.devices?.map((d) => d.name).sort()).toEqual(['build-box', 'garage-pi', 'homeassistant', 'kitchen-pi', 'nas']);
  });
});
