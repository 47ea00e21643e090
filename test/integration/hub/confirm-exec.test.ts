import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execCommand } from '../../../src/cli/commands/exec.js';
import { startFakeEdge, type FakeEdge } from '../../fixtures/hub/fake-edge.js';
import { runLanmcp } from '../../support/cli.js';
import { EDGE_TOKEN } from './hub-helpers.js';

// `lanmcp exec` on devices whose policy wants a human: without a terminal it refuses unless --yes, and
// --yes is recorded in the audit log. (The y/N question on a real terminal is in test/lab/hub-confirm.test.ts.)
const run = (argv: string[], cwd: string) => runLanmcp(argv, { cwd, commands: [execCommand] });

let guarded: FakeEdge;
let free: FakeEdge;
let dir: string;

beforeAll(async () => {
  guarded = await startFakeEdge('guarded', EDGE_TOKEN);
  free = await startFakeEdge('free', EDGE_TOKEN);
  dir = mkdtempSync(join(tmpdir(), 'lanmcp-exec-confirm-'));
  writeFileSync(join(dir, 'inventory.yaml'), [
    'version: 1',
    'hub: { audit_log: .lanmcp/audit.jsonl }',
    // The fake edges serve plain HTTP.
    'defaults: { edge: { tls: false } }',
    'hosts:',
    `  guarded: { address: 127.0.0.1, edge: { port: ${guarded.port}, policy: { confirm: destructive } } }`,
    `  free: { address: localhost, edge: { port: ${free.port}, policy: { confirm: never } } }`,
    '',
  ].join('\n'));
  mkdirSync(join(dir, '.lanmcp', 'tokens'), { recursive: true });
  for (const name of ['guarded', 'free']) writeFileSync(join(dir, '.lanmcp', 'tokens', `${name}.token`), `${EDGE_TOKEN}\n`);
});
afterAll(async () => {
  await guarded.stop();
  await free.stop();
});

describe('lanmcp exec and edge.policy.confirm', () => {
  it('without a terminal: refused before anything runs anywhere, with the fix in the hint', async () => {
    const refused = await run(['exec', 'all', '--', 'touch /tmp/marker'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/guarded: edge\.policy\.confirm wants a human to approve this command, and there is no terminal to ask on/);
    expect(refused.stderr).toMatch(/--yes/);
    expect(refused.stderr).not.toMatch(/\bfree\b.*confirm/);
    expect(guarded.calls).toEqual([]);
    expect(free.calls).toEqual([]);
  });

  it('a device with confirm: never runs without --yes; --yes approves and the audit log says so', async () => {
    const plain = await run(['exec', 'free', '--', 'true'], dir);
    expect(plain.code).toBe(0);
    expect(free.calls).toHaveLength(1);
    const approved = await run(['exec', 'all', '--yes', '--', 'touch /tmp/marker'], dir);
    expect(approved.code).toBe(0);
    expect(guarded.calls.map((c) => c.args)).toEqual([{ command: 'touch /tmp/marker' }]);
    const lines = readFileSync(join(dir, '.lanmcp', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const guardedLine = lines.find((l) => (l.devices as string[])[0] === 'guarded');
    expect(guardedLine).toMatchObject({ token: 'cli:lanmcp-exec', outcome: 'ok', confirmation: { decision: 'approved', by: '--yes', devices: ['guarded'] } });
    expect(lines.filter((l) => (l.devices as string[])[0] === 'free').every((l) => l.confirmation === undefined)).toBe(true);
  });

  it('--help documents --yes', async () => {
    expect(execCommand.help).toMatch(/--yes\s+approve devices whose edge\.policy\.confirm/);
  });
});
