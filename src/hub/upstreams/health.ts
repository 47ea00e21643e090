import { UpstreamFailure, describeNetworkError } from './errors.js';

/** An edge's `GET /healthz` → `{ ok, version }`, timed. No token needed, so it works even before auth. */
export async function checkHealth(url: string, timeoutMs: number, fetchImpl: (input: string, init?: RequestInit) => Promise<Response> = fetch): Promise<{ latencyMs: number; version?: string }> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error)?.name === 'TimeoutError' ? `no answer from ${url} within ${timeoutMs} ms` : describeNetworkError(error);
    throw new UpstreamFailure(url, 'down', reason);
  }
  const body = (await response.json().catch(() => undefined)) as { ok?: boolean; version?: string } | undefined;
  if (!response.ok || body?.ok !== true) throw new UpstreamFailure(url, 'down', `${url} answered HTTP ${response.status}`);
  return { latencyMs: Math.round(performance.now() - started), ...(typeof body.version === 'string' ? { version: body.version } : {}) };
}
