// A measuring stick, not a hub: the least any Node process standing between an MCP client and an edge
// costs. It reads a POST, answers `initialize` and notifications itself, and forwards a tools/call (its
// `host` argument dropped) over one keep-alive HTTPS agent, then answers the edge's result. No auth, no
// sessions, no pin, no timeouts: bench/hub-overhead.ts times it beside the hub, in the same rounds, to
// show how much of what the hub adds is the extra hop itself. Loopback only; env EDGE_URL, EDGE_AUTH, PORT.
import http from 'node:http';
import https from 'node:https';

const edge = new URL(process.env.EDGE_URL);
const agent = new (edge.protocol === 'https:' ? https : http).Agent({ keepAlive: true, rejectUnauthorized: false });
const forward = edge.protocol === 'https:' ? https.request : http.request;
let calls = 0;

function answer(res, status, message, headers = {}) {
  const body = message === undefined ? '' : JSON.stringify(message);
  res.writeHead(status, { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return answer(res, 405);
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { text += chunk; });
  req.on('end', () => {
    const message = JSON.parse(text);
    if (message.method === 'initialize') {
      const result = { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'reference-proxy', version: '1' } };
      return answer(res, 200, { jsonrpc: '2.0', id: message.id, result }, { 'mcp-session-id': 'reference' });
    }
    if (message.id === undefined) return answer(res, 202);
    const { host: _host, ...args } = message.params.arguments ?? {};
    const body = JSON.stringify({ jsonrpc: '2.0', id: `r${++calls}`, method: 'tools/call', params: { name: message.params.name, arguments: args } });
    const headers = { authorization: process.env.EDGE_AUTH, accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-protocol-version': '2025-11-25', 'content-length': Buffer.byteLength(body) };
    forward(edge, { method: 'POST', agent, headers }, (up) => {
      let reply = '';
      up.setEncoding('utf8');
      up.on('data', (chunk) => { reply += chunk; });
      up.on('end', () => {
        const data = reply.startsWith('{') ? reply : reply.split('\n').filter((l) => l.startsWith('data: ')).at(-1).slice(6);
        answer(res, 200, { jsonrpc: '2.0', id: message.id, result: JSON.parse(data).result });
      });
    }).end(body);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stderr.write('reference proxy listening\n'));
