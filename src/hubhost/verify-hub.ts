import { X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { LanmcpError } from '../shared/errors.js';

export interface HubVerifyTarget {
  host: string;
  /** `http://10.0.0.2:8765` or https with hub.tls. */
  base: string;
  version: string;
  /** hub.tls's certificate (PEM): the hub must present exactly this one. */
  cert?: string;
  timeoutMs?: number;
}

/**
 * Proves the hub answers where clients will reach it: `GET /healthz` over the LAN from this machine, with
 * the version just pushed. Waits for it, since a restarted hub needs a moment (and its first health checks).
 */
export async function verifyHub(target: HubVerifyTarget): Promise<{ version: string; latencyMs: number }> {
  const timeoutMs = target.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const started = performance.now();
    try {
      const answer = await getHealth(`${target.base}/healthz`, target.cert);
      if (answer.status === 200 && answer.version === target.version) return { version: answer.version, latencyMs: performance.now() - started };
      last = `HTTP ${answer.status}, version ${answer.version ?? 'unknown'}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new LanmcpError('E_VERIFY_FAILED', `the hub on ${target.host} did not answer ${target.base}/healthz with version ${target.version} within ${timeoutMs} ms (last: ${last})`, {
    hint: `look at its log on the device: journalctl -u lanmcp-hub -n 50; a firewall between here and ${target.host} also stops the check`,
  });
}

function getHealth(url: string, cert: string | undefined): Promise<{ status: number; version?: string }> {
  const https = url.startsWith('https:');
  // With hub.tls the certificate may be self-signed: trust is "it is the certificate we installed", checked
  // below. A fresh connection each time (agent: false): a resumed TLS session does not show the peer's
  // certificate, and a kept-alive socket could still reach the hub that was just replaced.
  const request = https ? httpsRequest(url, { agent: false, rejectUnauthorized: false, timeout: 2000 }) : httpRequest(url, { agent: false, timeout: 2000 });
  return new Promise((resolve, reject) => {
    request.on('timeout', () => request.destroy(new Error('timed out after 2000 ms')));
    request.on('error', reject);
    request.on('response', (response) => {
      if (https && cert && !sameCertificate(response.socket as TLSSocket, cert)) {
        response.destroy();
        return reject(new Error('the hub presented a different TLS certificate than hub.tls.cert_file'));
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        let version: string | undefined;
        try {
          version = (JSON.parse(body) as { version?: string }).version;
        } catch {
          // Not JSON: reported as "version unknown".
        }
        resolve({ status: response.statusCode ?? 0, ...(version ? { version } : {}) });
      });
    });
    request.end();
  });
}

function sameCertificate(socket: TLSSocket, pem: string): boolean {
  const presented = socket.getPeerCertificate()?.raw;
  return Boolean(presented) && new X509Certificate(pem).raw.equals(presented);
}
