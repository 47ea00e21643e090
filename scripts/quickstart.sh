#!/usr/bin/env bash
# lanmcp's main job on its built-in lab, from a fresh Debian machine as root: install, build, boot 3 lab
# devices (real systemd + sshd in systemd-nspawn), show the plan, provision every device with the edge
# (verified over MCP/HTTP), and show that a second plan is empty. Leaves the lab running for you to explore;
# `node bin/lanmcp.mjs lab down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "==> build" >&2
npm run --silent build

lanmcp() { node bin/lanmcp.mjs "$@"; }

echo "==> lanmcp lab up 3" >&2
inventory=$(lanmcp lab up 3 --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).inventory))')

echo "==> lanmcp validate -i $inventory" >&2
lanmcp validate -i "$inventory"

echo "==> lanmcp diff -i $inventory   (exit 2: changes pending)" >&2
set +e; lanmcp diff -i "$inventory"; code=$?; set -e
[ "$code" -eq 2 ] || [ "$code" -eq 0 ] || exit "$code"

echo "==> lanmcp apply -i $inventory --yes --no-hub" >&2
lanmcp apply -i "$inventory" --yes --no-hub

echo "==> lanmcp diff -i $inventory   (exit 0: devices match the inventory)" >&2
lanmcp diff -i "$inventory"

cat >&2 <<EOT

Done: 3 lab devices run the lanmcp edge, provisioned and verified over MCP.
  inventory:  $inventory
  tokens:     $(dirname "$inventory")/.lanmcp/tokens/ (0600)
  next:       node bin/lanmcp.mjs diff -i $inventory --verbose
  clean up:   node bin/lanmcp.mjs lab down
EOT
