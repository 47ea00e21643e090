#!/usr/bin/env bash
# lanmcp's main job on its built-in lab, from a fresh Debian machine as root: install, build, boot 3 lab
# devices (real systemd + sshd in systemd-nspawn), show the plan, provision every device with the edge
# (verified over MCP/HTTP), show that a second plan is empty, start the hub, make one real MCP client call
# through it (the MCP Inspector CLI runs `uname -sr` on every device), and print the Claude Code line.
# Leaves the lab and the hub running; the last lines say how to stop them.
#   LANMCP_QUICKSTART_LAB   lab name (default: default)     LANMCP_QUICKSTART_LISTEN   hub address (default: the inventory's)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "==> build" >&2
npm run --silent build

lanmcp() { node bin/lanmcp.mjs "$@"; }
lab=${LANMCP_QUICKSTART_LAB:-default}
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv.slice(1))v=v[k];console.log(v)})' "$@"; }

echo "==> lanmcp lab up 3 --name $lab" >&2
inventory=$(lanmcp lab up 3 --name "$lab" --json | json_field inventory)
state=$(dirname "$inventory")

echo "==> lanmcp validate -i $inventory" >&2
lanmcp validate -i "$inventory"

echo "==> lanmcp diff -i $inventory   (exit 2: changes pending)" >&2
set +e; lanmcp diff -i "$inventory"; code=$?; set -e
[ "$code" -eq 2 ] || [ "$code" -eq 0 ] || exit "$code"

echo "==> lanmcp apply -i $inventory --yes --no-hub" >&2
lanmcp apply -i "$inventory" --yes --no-hub

echo "==> lanmcp diff -i $inventory   (exit 0: devices match the inventory)" >&2
lanmcp diff -i "$inventory"

# The hub runs in the background from here on; a hub left by an earlier quick start is stopped first.
if [ -f "$state/hub.pid" ] && kill -0 "$(cat "$state/hub.pid")" 2>/dev/null; then kill "$(cat "$state/hub.pid")"; sleep 0.5; fi
listen=()
[ -n "${LANMCP_QUICKSTART_LISTEN:-}" ] && listen=(--listen "$LANMCP_QUICKSTART_LISTEN")
echo "==> lanmcp hub -i $inventory ${listen[*]}   (in the background, log: $state/hub.log)" >&2
nohup node bin/lanmcp.mjs hub -i "$inventory" "${listen[@]}" > "$state/hub.log" 2>&1 &
echo $! > "$state/hub.pid"
for _ in $(seq 1 100); do grep -q 'listening on' "$state/hub.log" && break; kill -0 "$(cat "$state/hub.pid")" || { cat "$state/hub.log" >&2; exit 1; }; sleep 0.1; done
url=$(sed -n 's/^lanmcp hub: listening on \(http[^ ]*\).*/\1/p' "$state/hub.log")
[ -n "$url" ] || { cat "$state/hub.log" >&2; exit 1; }

stamp=$(date +%Y%m%d-%H%M%S)
token=$(lanmcp connect json -i "$inventory" --token-name "quickstart-$stamp" | json_field headers Authorization)

echo "==> an MCP client through the hub: run_on_many uname -sr on all devices (MCP Inspector CLI)" >&2
# (Inspector CLI 1.0.3 reads ../package.json from its working folder: run it from scripts/.)
(cd scripts && node ../node_modules/@modelcontextprotocol/inspector-cli/build/index.js "$url" --transport http \
  --header "Authorization: $token" --method tools/call --tool-name run_on_many \
  --tool-arg target=all --tool-arg 'command=uname -sr') > "$state/quickstart-call.json"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (r.isError) { console.error(JSON.stringify(r, null, 2)); process.exit(1); }
  for (const c of r.content ?? []) if (c.type === "text") console.error(c.text);
' "$state/quickstart-call.json"

echo "==> lanmcp connect claude   (paste this into a shell to give Claude Code the whole lab)" >&2
lanmcp connect claude -i "$inventory" --token-name "claude-$stamp"

cat >&2 <<EOT

Done: 3 lab devices run the lanmcp edge, and the hub at $url serves them to any MCP client.
  inventory:  $inventory
  status:     node bin/lanmcp.mjs status -i $inventory
  stop hub:   kill \$(cat $state/hub.pid)
  clean up:   node bin/lanmcp.mjs lab down --name $lab
EOT
