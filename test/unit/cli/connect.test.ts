import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectCommand } from '../../../src/cli/commands/connect.js';
import { renderClientConfig } from '../../../src/cli/views/connect-view.js';
import { planHubEndpoint } from '../../../src/hubhost/hub-url.js';
import type { ResolvedHub } from '../../../src/inventory/types.js';
import { createClientTokenStore } from '../../../src/secrets/client-tokens.js';
import { runLanmcp } from '../../support/cli.js';

const run = (argv: string[], cwd: string) => runLanmcp(argv, { cwd, commands: [connectCommand] });

function project(hub: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanmcp-connect-'));
  writeFileSync(join(dir, 'inventory.yaml'), `version: 1\nhub: ${hub}\nhosts:\n  pi: { address: 10.0.0.21 }\n`);
  return dir;
}

const URL = 'http://127.0.0.1:8765/mcp';
const T = 'lmc_TESTTOKEN';

describe('client configs (exact text)', () => {
  it('claude', () => {
    expect(renderClientConfig('claude', { url: URL, token: T }).stdout).toBe(`claude mcp add --transport http lanmcp '${URL}' --header 'Authorization: Bearer ${T}'\n`);
    expect(renderClientConfig('claude', { url: URL }).stdout).toBe(`claude mcp add --transport http lanmcp '${URL}' --header "Authorization: Bearer \${LANMCP_TOKEN}"\n`);
  });

  it('cursor', () => {
    expect(renderClientConfig('cursor', { url: URL, token: T }).stdout).toBe(`{\n  "mcpServers": {\n    "lanmcp": {\n      "url": "${URL}",\n      "headers": {\n        "Authorization": "Bearer ${T}"\n      }\n    }\n  }\n}\n`);
    expect(JSON.parse(renderClientConfig('cursor', { url: URL }).stdout).mcpServers.lanmcp.headers.Authorization).toBe('Bearer ${env:LANMCP_TOKEN}');
  });

  it('vscode keeps the token out of the file (password prompt) and shows a new one after it', () => {
    const placeholder = renderClientConfig('vscode', { url: URL }).stdout;
    expect(JSON.parse(placeholder)).toEqual({
      inputs: [{ type: 'promptString', id: 'lanmcp-token', description: 'lanmcp hub client token', password: true }],
      servers: { lanmcp: { type: 'http', url: URL, headers: { Authorization: 'Bearer ${input:lanmcp-token}' } } },
    });
    expect(renderClientConfig('vscode', { url: URL, token: T }).stdout)
      .toBe(`${placeholder}\n# VS Code asks for the token once (password prompt) and keeps it in its secret storage:\n${T}\n`);
  });

  it('codex goes through bearer_token_env_var', () => {
    expect(renderClientConfig('codex', { url: URL, token: T }).stdout).toBe(`export LANMCP_TOKEN='${T}'\ncodex mcp add lanmcp --url '${URL}' --bearer-token-env-var LANMCP_TOKEN\n`);
    expect(renderClientConfig('codex', { url: URL }).stdout).toBe(`codex mcp add lanmcp --url '${URL}' --bearer-token-env-var LANMCP_TOKEN\n`);
  });

  it('desktop goes through mcp-remote with the header in env, and --allow-http off loopback', () => {
    expect(JSON.parse(renderClientConfig('desktop', { url: URL, token: T }).stdout)).toEqual({
      mcpServers: { lanmcp: { command: 'npx', args: ['-y', 'mcp-remote@latest', URL, '--header', 'Authorization:${AUTH_HEADER}', '--transport', 'http-only'], env: { AUTH_HEADER: `Bearer ${T}` } } },
    });
    const lan = JSON.parse(renderClientConfig('desktop', { url: 'http://gateway:8765/mcp' }).stdout).mcpServers.lanmcp;
    expect(lan.args.at(-1)).toBe('--allow-http');
    expect(lan.env.AUTH_HEADER).toBe('Bearer PASTE-A-CLIENT-TOKEN-HERE');
    expect(JSON.parse(renderClientConfig('desktop', { url: 'https://lan.example.com/mcp' }).stdout).mcpServers.lanmcp.args).not.toContain('--allow-http');
  });

  it('json is exactly url and headers', () => {
    expect(renderClientConfig('json', { url: URL, token: T }).stdout).toBe(`{"url":"${URL}","headers":{"Authorization":"Bearer ${T}"}}\n`);
    expect(renderClientConfig('json', { url: URL }).stdout).toBe(`{"url":"${URL}","headers":{"Authorization":"Bearer \${LANMCP_TOKEN}"}}\n`);
  });

  it('no note ever holds the token', () => {
    for (const kind of ['claude', 'cursor', 'vscode', 'codex', 'desktop', 'json'] as const) {
      expect(renderClientConfig(kind, { url: URL, token: T }).notes.join('\n')).not.toContain(T);
    }
  });

  it('hub URL without hub.host: public_url, else listen with a wildcard replaced by the host name, IPv6 bracketed, https with hub.tls', () => {
    const url = (hub: Partial<ResolvedHub>) => planHubEndpoint({ per_device_tools: false, ...hub } as ResolvedHub, [], 'box').url;
    expect(url({ listen_host: '127.0.0.1', listen_port: 8765, public_url: 'https://lan.example.com/mcp' })).toBe('https://lan.example.com/mcp');
    expect(url({ listen_host: '0.0.0.0', listen_port: 8765 })).toBe('http://box:8765/mcp');
    expect(url({ listen_host: '::', listen_port: 9000 })).toBe('http://box:9000/mcp');
    expect(url({ listen_host: '::1', listen_port: 8765 })).toBe('http://[::1]:8765/mcp');
    expect(url({ listen_host: '127.0.0.1', listen_port: 8765, tls: { cert_file: 'c', key_file: 'k' } })).toBe('https://127.0.0.1:8765/mcp');
  });
});

describe('lanmcp connect', () => {
  it('creates the first client token ("default"), prints it on stdout only, and the hub store accepts it', async () => {
    const dir = project('{ listen: "0.0.0.0:8765" }');
    const result = await run(['connect', 'json'], dir);
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout) as { url: string; headers: { Authorization: string } };
    expect(config.url).toBe(`http://${hostname()}:8765/mcp`);
    const token = config.headers.Authorization.replace(/^Bearer /, '');
    expect(createClientTokenStore(join(dir, '.lanmcp')).verify(token)).toBe('default');
    expect(result.stderr).toMatch(/Created client token "default" \(sha256:[0-9a-f]{12}\)/);
    expect(result.stderr).not.toContain(token);
  });

  it('prints a placeholder when tokens exist, and creates a named one with --token-name', async () => {
    const dir = project('{ public_url: "https://lan.example.com/mcp" }');
    createClientTokenStore(join(dir, '.lanmcp')).create('laptop');
    const placeholder = await run(['connect', 'cursor'], dir);
    expect(placeholder.code).toBe(0);
    expect(placeholder.stdout).toContain('"Authorization": "Bearer ${env:LANMCP_TOKEN}"');
    expect(placeholder.stdout).toContain('"url": "https://lan.example.com/mcp"');
    expect(placeholder.stderr).toMatch(/Client tokens exist \(laptop\) but are stored hashed/);
    expect(placeholder.stderr).toMatch(/lanmcp connect cursor --token-name NAME/);
    const named = await run(['connect', 'claude', '--token-name', 'claude-code'], dir);
    const token = /Bearer (lmc_[A-Za-z0-9_-]+)/.exec(named.stdout)![1]!;
    expect(createClientTokenStore(join(dir, '.lanmcp')).verify(token)).toBe('claude-code');
    const taken = await run(['connect', 'claude', '--token-name', 'claude-code'], dir);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/a client token named "claude-code" already exists/);
  });

  it('refuses an unknown client, naming the ones it knows', async () => {
    const result = await run(['connect', 'emacs'], project('{}'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown client "emacs"[\s\S]*use one of claude, cursor, vscode, codex, desktop, json/);
  });
});
