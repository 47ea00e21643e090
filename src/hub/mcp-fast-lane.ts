// The hub's most frequent request — a POST within an open MCP session, from a client that passes every
// check — served on the node request before Fastify sees it. Fastify's request and reply objects, hook
// chain, router and body parser were, after the SDK's Protocol, the largest part of what the hub added to a
// call that is otherwise all network. What is served here is what the `POST /mcp` route would do (both
// call serveSessionPost); any request this lane does not take goes to Fastify untouched, so every refusal
// (403, 401, 429, 413, 415) and every other route keeps one implementation. Once the hub is closing, the
// lane takes nothing (app.ts), so Fastify answers 503 with Connection: close.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientCheck } from './auth.js';
import { INVALID_JSON, serveSessionPost } from './mcp-route.js';
import { isJsonMediaType } from './post-checks.js';
import type { HubRuntime } from './runtime.js';
import type { SessionRegistry } from './sessions.js';

/** Takes the request (true: it answers it) or leaves it to Fastify (false: nothing was read or written). */
export type FastLane = (req: IncomingMessage, res: ServerResponse) => boolean;

const DIGITS = /^\d{1,10}$/;

export function createMcpFastLane(runtime: HubRuntime, sessions: SessionRegistry, checkClient: ClientCheck, bodyLimit: number): FastLane {
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/mcp') return false;
    const { headers } = req;
    const sessionId = headers['mcp-session-id'];
    if (typeof sessionId !== 'string' || !isJsonMediaType(headers['content-type'])) return false;
    // A body of announced length within the limit: Fastify reads (and refuses, 413) chunked or larger ones.
    const length = headers['content-length'];
    if (length === undefined || !DIGITS.test(length) || Number(length) > bodyLimit || headers['transfer-encoding'] !== undefined) return false;
    // Refused clients are answered by Fastify's guard, which runs the same check (a refused request took
    // nothing from the rate budget, so it is refused there again). So is a check that throws (an unreadable
    // or hand-broken clients.json): there it is a 500 for that request, here it would end the process.
    let checked: ReturnType<ClientCheck>;
    try {
      checked = checkClient(headers);
    } catch {
      return false;
    }
    if ('status' in checked) return false;
    readBody(req, Number(length), (text) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = INVALID_JSON;
      }
      void serveSessionPost(runtime, sessions, { token: checked.name, sessionId, body }, req, res);
    });
    return true;
  };
}

/**
 * The body as text, handed on as soon as its announced length has arrived: the parser delivers it while
 * reading the socket, so the call starts without waiting a turn for the stream's `end`. A client that goes
 * away before sending it all gets nothing (its socket is gone).
 */
function readBody(req: IncomingMessage, length: number, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let handed = false;
  const handOn = () => {
    if (handed) return;
    handed = true;
    done(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  };
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
    if (received >= length) handOn();
  });
  req.on('end', handOn);
  req.on('error', () => req.destroy());
}
