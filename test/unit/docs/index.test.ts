import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const docs = new URL('../../../docs/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, docs), 'utf8');

/** GitHub's heading anchors: lowercase, punctuation dropped (except - and _), spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const body = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...body.matchAll(/^#{1,6} (.+)$/gm)].map((m) => (m[1] ?? '').toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

/** Relative links `[text](target)` outside code blocks, as [file, anchor?]. */
function links(markdown: string): { target: string; file: string; anchor: string | undefined }[] {
  const body = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...body.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((t) => !/^[a-z]+:/.test(t))
    .map((target) => { const [file = '', anchor] = target.split('#'); return { target, file, anchor }; });
}

const mine = ['README.md', 'getting-started.md', 'remote-access.md', 'gitops.md', 'troubleshooting.md', 'benchmarks.md'];

describe('docs/', () => {
  it('README.md indexes every page in docs/ and the example workflow', () => {
    const index = read('README.md');
    const pages = readdirSync(docs).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pages.filter((p) => !index.includes(`](${p})`))).toEqual([]);
    expect(index).toContain('](examples/gitops-workflow.yml)');
  });

  it.each(mine)('%s links only to files and headings that exist', (page) => {
    const broken = links(read(page)).filter(({ file, anchor }) => {
      const url = file === '' ? new URL(page, docs) : new URL(file, new URL(page, docs));
      if (!existsSync(url)) return true;
      return anchor !== undefined && url.pathname.endsWith('.md') && !anchors(readFileSync(url, 'utf8')).has(anchor);
    });
    expect(broken.map((l) => l.target)).toEqual([]);
  });
});
