import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commands } from '../../../src/cli/commands/index.js';

const workflowText = readFileSync(new URL('../../../docs/examples/gitops-workflow.yml', import.meta.url), 'utf8');

interface Invocation { command: string; flags: string[] }

/** Every `lanmcp CMD …` / `lanmcp.mjs CMD …` in a shell script, with the flags up to a redirection or pipe. */
function invocations(script: string): Invocation[] {
  return [...script.matchAll(/\blanmcp(?:\.mjs)?[ \t]+([a-z]+)([^\n|;&<>]*)/g)].map((m) => ({
    command: m[1] ?? '',
    flags: (m[2] ?? '').split(/\s+/).filter((w) => /^--?[a-z]/.test(w)).map((w) => w.replace(/=.*$/, '')),
  }));
}

/** Flags a command does not declare in its Command.options (long `--name` or short `-x`). */
function unknownFlags(inv: Invocation): string[] {
  const command = commands.find((c) => c.name === inv.command);
  if (command === undefined) return [`unknown command ${inv.command}`];
  const known = new Set(Object.entries(command.options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]));
  return inv.flags.filter((f) => !known.has(f));
}

function runScripts(workflow: unknown): string[] {
  const jobs = (workflow as { jobs?: Record<string, { steps?: { run?: unknown }[] }> }).jobs ?? {};
  return Object.values(jobs).flatMap((job) => (job.steps ?? []).map((s) => s.run).filter((r): r is string => typeof r === 'string'));
}

describe('docs/examples/gitops-workflow.yml', () => {
  const workflow: unknown = parse(workflowText, { strict: true, uniqueKeys: true });
  const calls = runScripts(workflow).flatMap(invocations);

  it('is YAML with the three jobs and the triggers the guide describes', () => {
    const w = workflow as { on: Record<string, unknown>; jobs: Record<string, { 'runs-on': unknown }> };
    expect(Object.keys(w.on).sort()).toEqual(['pull_request', 'push']);
    expect(Object.keys(w.jobs).sort()).toEqual(['apply', 'diff', 'validate']);
    expect(w.jobs.apply?.['runs-on']).toEqual(['self-hosted', 'lan']);
  });

  it('runs validate, diff --json and apply --yes --no-hub', () => {
    expect([...new Set(calls.map((c) => c.command))].sort()).toEqual(['apply', 'diff', 'validate']);
    expect(calls.find((c) => c.command === 'diff')?.flags).toContain('--json');
    expect(calls.find((c) => c.command === 'apply')?.flags).toEqual(expect.arrayContaining(['--yes', '--no-hub']));
  });

  it('names only flags the commands have, and never accepts new host keys', () => {
    expect(calls.flatMap(unknownFlags)).toEqual([]);
    expect(calls.flatMap((c) => c.flags)).not.toContain('--accept-new-host-keys');
  });

  it('the flag check catches a flag that does not exist', () => {
    expect(invocations('node bin/lanmcp.mjs apply --yes --no-hubb -i x.yaml > out').flatMap(unknownFlags)).toEqual(['--no-hubb']);
    expect(invocations('lanmcp dif --json').flatMap(unknownFlags)).toEqual(['unknown command dif']);
  });
});
