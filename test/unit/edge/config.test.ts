import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTECTED_PATHS, TOOL_NAMES, checkEdgeConfig, parseEdgeConfig } from '../../../src/edge/config.js';
import { isLanmcpError } from '../../../src/shared/errors.js';
import { TEST_TOKEN_SHA256 } from './test-config.js';

const minimal = { name: 'kitchen-pi', listen: { host: '0.0.0.0', port: 8766 }, token_sha256: TEST_TOKEN_SHA256, policy: {} };

describe('parseEdgeConfig', () => {
  it('fills policy defaults (timeout 60 s, 1 MiB output, 8 concurrent, every tool) and the device layout as protected paths', () => {
    const config = parseEdgeConfig(minimal);
    expect(config.policy).toEqual({
      read_only: false, tools: [...TOOL_NAMES], commands: { allow: [], deny: [] }, timeout_s: 60, max_output_bytes: 1_048_576, max_concurrent: 8,
    });
    expect(config.protected_paths).toEqual(DEFAULT_PROTECTED_PATHS);
    expect(config.progress_interval_ms).toBe(10_000);
    expect(config.max_request_bytes).toBe(4 * 1_048_576);
  });

  it('keeps explicit policy values', () => {
    const config = parseEdgeConfig({ ...minimal, policy: { read_only: true, tools: ['logs'], commands: { allow: ['uptime'], deny: ['rm'] }, timeout_s: 5, max_output_bytes: 2048, max_concurrent: 2 } });
    expect(config.policy).toEqual({ read_only: true, tools: ['logs'], commands: { allow: ['uptime'], deny: ['rm'] }, timeout_s: 5, max_output_bytes: 2048, max_concurrent: 2 });
  });

  it('collects every problem, each naming its key', () => {
    const { config, problems } = checkEdgeConfig({
      name: 'Kitchen Pi', listen: { host: '', port: 70000 }, token_sha256: 'abc',
      policy: { read_only: 'yes', tools: ['run_command', 'format_disk'], commands: { allow: [''], deny: 'rm' }, timeout_s: 0, extra: 1 },
      surprise: true,
    });
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      'name: must match ^[a-z][a-z0-9-]{0,30}$ (got "Kitchen Pi")',
      'listen.host: must not be empty (got "")',
      'listen.port: must be an integer from 1 to 65535 (got 70000)',
      'token_sha256: must be 64 lowercase hex digits (got "abc")',
      'policy.read_only: must be true or false',
      'policy.tools[1]: unknown tool (known: run_command, read_file, write_file, list_dir, system_info, service, logs) (got "format_disk")',
      'policy.commands.allow[0]: must not be blank (got "")',
      'policy.commands.deny: must be an array of strings',
      'policy.timeout_s: must be an integer from 1 to 86400 (got 0)',
      'policy.extra: unknown setting',
      'surprise: unknown setting',
    ]);
  });

  it('reports missing sections and non-object input', () => {
    expect(checkEdgeConfig({}).problems).toEqual(['name: is required', 'listen: is required', 'token_sha256: is required', 'policy: is required']);
    expect(checkEdgeConfig([]).problems).toEqual(['config: must be a JSON object']);
  });

  it('throws one E_EDGE_CONFIG error listing all problems', () => {
    try {
      parseEdgeConfig({ ...minimal, name: 'X', policy: { max_concurrent: -1 } });
      expect.unreachable();
    } catch (error) {
      expect(isLanmcpError(error) && error.code).toBe('E_EDGE_CONFIG');
      expect((error as Error).message).toBe('invalid edge config: name: must match ^[a-z][a-z0-9-]{0,30}$ (got "X"); policy.max_concurrent: must be an integer from 1 to 1024 (got -1)');
    }
  });
});
