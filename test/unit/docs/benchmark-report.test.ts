import { describe, expect, it } from 'vitest';
import { BENCHMARKS, buildReport, type ResultFile } from '../../../bench/report.js';

/** A tiny well-formedness check: every tag closes in order, attributes are quoted, `&` starts an entity. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) problems.push(`bare & in text near ${i}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (m === null) { problems.push(`malformed tag at ${lt}: ${xml.slice(lt, lt + 40)}`); break; }
    const [, close, name = '', , selfClose] = m;
    if (close) { if (stack.pop() !== name) problems.push(`</${name}> closes the wrong element at ${lt}`); }
    else if (!selfClose) stack.push(name);
    i = tag.lastIndex;
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

const fixture: ResultFile[] = [
  { file: 'edge-latency.json', data: { bench: 'edge-latency', time: '2026-01-01T00:00:00Z', host: { cpus: 2 },
    edge_keepalive_raw_http: { p50_ms: 7 }, edge_sdk_client: { p50_ms: 8 }, ssh_new_connection: { p50_ms: 280 }, ssh_controlmaster: { p50_ms: 18 },
    target: { p50_ms: 5, speedup_vs_ssh_new: 20 }, meets_target: { raw_http: false, sdk_client: false } } },
  { file: 'provision.json', data: { date: '2026-01-02T00:00:00Z', machine: { cores: 2, load_avg_start: [1, 2, 3] },
    lanmcp: { fresh_apply: { median: 12 } }, ansible: { fresh: { median: 69 } }, targets: { fresh_apply_le_8s: false, fresh_ge_3x_faster: true } } },
  { file: 'hub.json', error: 'Unexpected token } in JSON at position 7' },
  { file: 'new-thing.json', data: { x: 1 } },
];

describe('bench/report.ts', () => {
  const { markdown, svg } = buildReport(fixture, '2026-01-03T00:00:00Z');

  it('writes a well-formed SVG with every benchmark title, measured or not', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(xmlProblems(svg)).toEqual([]);
    for (const { title } of Object.values(BENCHMARKS)) expect(svg).toContain(title.replace(/&/g, '&amp;'));
    expect(svg).toContain('not measured yet'); // lab-up, edge-memory are missing from the fixture
  });

  it('the XML check itself rejects broken markup', () => {
    expect(xmlProblems('<svg><text>a & b</text></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg><g></svg>')).not.toEqual([]);
  });

  it('tabulates figure, baseline, ratio, target and met? with machine facts and date', () => {
    expect(markdown).toContain('| edge over keep-alive HTTP | 7 ms | ssh host true (new connection): 280 ms | 40.0× | p50 ≤ 5 ms and ≥ 20× ssh | no |');
    expect(markdown).toContain('| fresh apply | 12 s | ansible-playbook, fresh: 69 s | 5.75× | ≤ 8 s; ≥ 3× faster | no; yes |');
    expect(markdown).toContain('Machine: cores: 2; load_avg_start: 1 / 2 / 3.');
    expect(markdown).toContain('2026-01-02T00:00:00Z');
  });

  it('says what is missing instead of failing: absent files, partial files, unreadable files, unknown files', () => {
    expect(markdown).toMatch(/## Local lab[^\n]*\n\nSource: `bench\/results\/lab-up.json`.\n\n\*not measured yet\.\*/);
    expect(markdown).toContain('| no-op apply | not measured yet | ansible-playbook no-op, warm: not measured yet | — | ≤ 2 s; ≥ 3× faster | —; — |');
    expect(markdown).toContain('hub.json could not be read: Unexpected token');
    expect(markdown).toContain('no reader for new-thing.json');
  });
});
