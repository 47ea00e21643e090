#!/usr/bin/env bash
# Installs lanmcp's npm dependencies when they are missing or older than package-lock.json, and checks
# Node. Shared by scripts/test.sh and scripts/quickstart.sh so a fresh Debian machine needs no manual step.
set -euo pipefail
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "lanmcp needs Node.js >= 20 on this machine (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "hint: on Debian, install it from your usual Node.js source, then run this again." >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lock file, in the project and in tools/conformance
# (the MCP conformance suite and the Node 22 it needs, kept apart so Node 22 never shadows Node 20 in .bin).
for dir in . tools/conformance; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "==> npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
done

# Debian's Chromium for the hub's status-page test (headless; Playwright drives it, never downloads a browser),
# tcpdump for the edge TLS test's capture of hub-edge traffic on the lab bridge, and openssl for the hub.tls
# tests' throwaway certificates.
missing=""
command -v chromium >/dev/null || missing="$missing chromium"
command -v tcpdump >/dev/null || missing="$missing tcpdump"
command -v openssl >/dev/null || missing="$missing openssl"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -n "$missing" ]; then
  echo "==> apt-get install$missing" >&2
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2 || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2; }
fi
