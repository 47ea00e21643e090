// `lanmcp connect`: ready-to-paste configuration for each MCP client. Pure: URL and token in, text out.
// Formats and traps: notes/clients-and-access.md and docs/clients.md.

export const CLIENT_KINDS = ['claude', 'cursor', 'vscode', 'codex', 'desktop', 'json'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** The environment variable the configs name when no token can be printed (tokens are stored hashed). */
export const TOKEN_ENV = 'LANMCP_TOKEN';
const SERVER = 'lanmcp';

export interface ConnectInput {
  url: string;
  /** A token created just now; undefined prints the configuration with an environment-variable placeholder. */
  token?: string;
}

/** `stdout` is what to paste (it may hold the token); `notes` go to stderr and never hold a secret. */
export interface ClientConfig {
  stdout: string;
  notes: string[];
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const isLoopback = (url: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);

function claude({ url, token }: ConnectInput): ClientConfig {
  const header = token ? `'Authorization: Bearer ${token}'` : `"Authorization: Bearer \${${TOKEN_ENV}}"`;
  return {
    stdout: `claude mcp add --transport http ${SERVER} '${url}' --header ${header}\n`,
    notes: [
      'Run this in a shell; add `--scope user` after `add` to use the hub from every project.',
      `Or commit a .mcp.json: {"mcpServers":{"${SERVER}":{"type":"http","url":"${url}","headers":{"Authorization":"Bearer \${${TOKEN_ENV}}"}}}} (only \${VAR} is expanded, not $VAR).`,
      `Claude Code shows the tools as mcp__${SERVER}__<tool>; permission rules use that form.`,
    ],
  };
}

function cursor({ url, token }: ConnectInput): ClientConfig {
  return {
    stdout: json({ mcpServers: { [SERVER]: { url, headers: { Authorization: `Bearer ${token ?? `\${env:${TOKEN_ENV}}`}` } } } }),
    notes: ['Merge this into ~/.cursor/mcp.json (every project) or .cursor/mcp.json (this project), then reload Cursor.'],
  };
}

function vscode({ url, token }: ConnectInput): ClientConfig {
  const config = json({
    inputs: [{ type: 'promptString', id: `${SERVER}-token`, description: 'lanmcp hub client token', password: true }],
    servers: { [SERVER]: { type: 'http', url, headers: { Authorization: `Bearer \${input:${SERVER}-token}` } } },
  });
  return {
    stdout: token ? `${config}\n# VS Code asks for the token once (password prompt) and keeps it in its secret storage:\n${token}\n` : config,
    notes: ['Put the JSON in .vscode/mcp.json (or the user-level mcp.json via "MCP: Open User Configuration"); the token never lands in the file.'],
  };
}

function codex({ url, token }: ConnectInput): ClientConfig {
  const add = `codex mcp add ${SERVER} --url '${url}' --bearer-token-env-var ${TOKEN_ENV}\n`;
  return {
    stdout: token ? `export ${TOKEN_ENV}='${token}'\n${add}` : add,
    notes: [
      `Codex reads the token from ${TOKEN_ENV} when it starts: set it in the shell profile Codex runs from.`,
      `Same in ~/.codex/config.toml: [mcp_servers.${SERVER}] url = "${url}", bearer_token_env_var = "${TOKEN_ENV}" (a headers table is ignored, inline bearer_token refused).`,
    ],
  };
}

function desktop({ url, token }: ConnectInput): ClientConfig {
  const args = ['-y', 'mcp-remote@latest', url, '--header', 'Authorization:${AUTH_HEADER}', '--transport', 'http-only', ...(url.startsWith('http:') && !isLoopback(url) ? ['--allow-http'] : [])];
  return {
    stdout: json({ mcpServers: { [SERVER]: { command: 'npx', args, env: { AUTH_HEADER: `Bearer ${token ?? 'PASTE-A-CLIENT-TOKEN-HERE'}` } } } }),
    notes: [
      'Merge this into claude_desktop_config.json (Settings → Developer → Edit Config) and restart Claude Desktop; it needs Node.js for npx.',
      'mcp-remote bridges Desktop (stdio only) to the hub; the header value lives in env because spaces inside args break it.',
      ...(token ? [] : ['Claude Desktop does not expand environment variables here: replace PASTE-A-CLIENT-TOKEN-HERE with a token.']),
    ],
  };
}

function jsonConfig({ url, token }: ConnectInput): ClientConfig {
  return { stdout: `${JSON.stringify({ url, headers: { Authorization: `Bearer ${token ?? `\${${TOKEN_ENV}}`}` } })}\n`, notes: [] };
}

const RENDERERS: Record<ClientKind, (input: ConnectInput) => ClientConfig> = { claude, cursor, vscode, codex, desktop, json: jsonConfig };

export function renderClientConfig(kind: ClientKind, input: ConnectInput): ClientConfig {
  return RENDERERS[kind](input);
}

export function isClientKind(value: string): value is ClientKind {
  return (CLIENT_KINDS as readonly string[]).includes(value);
}
