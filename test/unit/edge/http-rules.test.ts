import { describe, expect, it } from 'vitest';
import { acceptsBoth, allowedHostnames, checkHostAndOrigin, hostnameOf, isJsonContentType, tokenMatches } from '../../../src/edge/http-rules.js';
import { TEST_TOKEN, TEST_TOKEN_SHA256, testConfig } from './test-config.js';

describe('Host and Origin rules', () => {
  const allowed = allowedHostnames(testConfig({}, { allowed_hosts: ['kitchen.lan'], listen: { host: '0.0.0.0', port: 8766 } }), 'kitchen', ['10.0.0.21', 'fe80::1']);

  it('allows localhost, the device name, its hostname, addresses and allowed_hosts; never 0.0.0.0', () => {
    expect([...allowed].sort()).toEqual(['10.0.0.21', '127.0.0.1', '::1', 'fe80::1', 'kitchen', 'kitchen-pi', 'kitchen.lan', 'localhost']);
  });

  it('parses Host headers with ports and IPv6 brackets', () => {
    expect(hostnameOf('10.0.0.21:8766')).toBe('10.0.0.21');
    expect(hostnameOf('[::1]:8766')).toBe('::1');
    expect(hostnameOf('KITCHEN-PI')).toBe('kitchen-pi');
  });

  it('refuses a foreign Host or Origin (DNS rebinding) and accepts a missing Origin', () => {
    expect(checkHostAndOrigin('10.0.0.21:8766', undefined, allowed)).toBeUndefined();
    expect(checkHostAndOrigin('localhost:8766', 'http://localhost:3000', allowed)).toBeUndefined();
    expect(checkHostAndOrigin('evil.example.com', undefined, allowed)).toBe('Host "evil.example.com" is not allowed');
    expect(checkHostAndOrigin('10.0.0.21', 'http://evil.example.com', allowed)).toBe('Origin "http://evil.example.com" is not allowed');
    expect(checkHostAndOrigin('10.0.0.21', 'null', allowed)).toBe('Origin "null" is not allowed');
    expect(checkHostAndOrigin(undefined, undefined, allowed)).toBe('Host "" is not allowed');
  });
});

describe('bearer token', () => {
  it('accepts the token whose sha256 is stored, and nothing else', () => {
    expect(tokenMatches(`Bearer ${TEST_TOKEN}`, TEST_TOKEN_SHA256)).toBe(true);
    expect(tokenMatches(`bearer ${TEST_TOKEN}`, TEST_TOKEN_SHA256)).toBe(true);
    expect(tokenMatches(`Bearer ${TEST_TOKEN}x`, TEST_TOKEN_SHA256)).toBe(false);
    expect(tokenMatches(TEST_TOKEN, TEST_TOKEN_SHA256)).toBe(false);
    expect(tokenMatches(undefined, TEST_TOKEN_SHA256)).toBe(false);
    expect(tokenMatches('Bearer ', TEST_TOKEN_SHA256)).toBe(false);
  });
});

describe('content negotiation', () => {
  it('needs both JSON and SSE in Accept (or a wildcard)', () => {
    expect(acceptsBoth('application/json, text/event-stream')).toBe(true);
    expect(acceptsBoth('*/*')).toBe(true);
    expect(acceptsBoth('application/json')).toBe(false);
    expect(acceptsBoth(undefined)).toBe(false);
  });

  it('takes application/json bodies only', () => {
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
  });
});
