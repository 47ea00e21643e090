// Secrets never live in the inventory (it is meant for git): the YAML names environment variables,
// and these rules catch a secret written inline instead. Messages never repeat the secret itself.
import type { Diagnostic } from '../shared/diagnostics.js';
import { asMap } from './raw.js';
import type { KeyPath, SourceMap } from './source-map.js';

export const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Keys that, written with a literal value, are a secret in the file. */
const SECRET_KEY = /(^|_)(password|passphrase|passwd|secret|token|bearer|api_?key|auth_header|headers)$/i;
const TOKEN_PREFIX = /^(eyJ|ghp_|gho_|ghs_|github_pat_|glpat-|sk-|xox[abpr]-|Bearer\s)/;

/** Whether a value given where an env var NAME belongs looks like the secret itself. */
export function looksLikeToken(value: string): boolean {
  if (ENV_VAR_NAME.test(value)) return false;
  if (TOKEN_PREFIX.test(value)) return true;
  return value.length >= 20 && /^[A-Za-z0-9._~+/=-]+$/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value);
}

function envValueRule(value: unknown, path: KeyPath, sourceMap: SourceMap): Diagnostic | undefined {
  if (typeof value !== 'string' || !looksLikeToken(value)) return undefined;
  return sourceMap.report('rule/inline-secret', path, `${path.at(-1)} must name an environment variable, but this looks like the secret itself`, {
    hint: 'put the secret in an environment variable (e.g. export HA_TOKEN=…) and write its NAME here; rotate a secret that was committed',
  });
}

function inlineKeyRule(key: string, value: unknown, path: KeyPath, sourceMap: SourceMap): Diagnostic | undefined {
  // Only literal values: a host or group may well be *named* "token".
  const literal = typeof value === 'string' || (key === 'headers' && asMap(value) !== undefined);
  if (!SECRET_KEY.test(key) || !literal) return undefined;
  const hint =
    key === 'headers'
      ? 'write headers_env: { Header-Name: ENV_VAR_NAME } and keep the values in environment variables'
      : path.includes('ssh')
        ? 'lanmcp logs in with SSH keys only: set ssh.identity_file or load the key into your SSH agent'
        : 'keep the secret in an environment variable and name it, e.g. auth: { bearer_env: HA_TOKEN }';
  return sourceMap.report('rule/inline-secret', path, `"${key}" holds a secret inline; secrets never live in the inventory`, { hint, atKey: true });
}

/** Walks the whole document for secret-looking keys and for env var names that are really secrets. */
export function checkSecrets(data: unknown, sourceMap: SourceMap, path: KeyPath = []): Diagnostic[] {
  const map = asMap(data);
  if (!map) return Array.isArray(data) ? data.flatMap((item, i) => checkSecrets(item, sourceMap, [...path, i])) : [];
  const found: Diagnostic[] = [];
  for (const [key, value] of Object.entries(map)) {
    const here = [...path, key];
    const parent = path.at(-1);
    const diagnostic =
      key === 'bearer_env' || parent === 'headers_env'
        ? envValueRule(value, here, sourceMap)
        : key === 'headers_env'
          ? undefined
          : inlineKeyRule(key, value, here, sourceMap);
    if (diagnostic) found.push(diagnostic);
    else found.push(...checkSecrets(value, sourceMap, here));
  }
  return found;
}
