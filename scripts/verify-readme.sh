#!/usr/bin/env bash
# Checks the README's promise: its first code block holds exactly two commands, and both work as written in a
# fresh clone of this repository (committed files only: nothing from this working tree's node_modules, dist/ or
# .lanmcp/). The first (the quick start) must end with the `claude mcp add` line; the second (the test suite)
# must report no failed and no skipped test. The lab and hub the quick start leaves running are stopped here.
# This is not part of the test suite (it runs the suite); run it before a release or after touching the README.
#   --cold   also rebuild the lab's root filesystem in an empty cache (what a brand-new machine pays once)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cold=0
[ "${1:-}" = "--cold" ] && cold=1

# The README's first ```sh block, comments and blank lines dropped.
mapfile -t commands < <(awk '/^```sh/ { inside = 1; next } /^```/ { if (inside) exit } inside' "$repo/README.md" | sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d')
if [ "${#commands[@]}" -ne 2 ]; then
  echo "verify-readme: the README's first code block should hold 2 commands, found ${#commands[@]}: ${commands[*]}" >&2
  exit 1
fi

work=$(mktemp -d /tmp/lanmcp-fresh-clone.XXXXXX)
lab=vr$(( $$ % 100000 ))   # lab names are at most 8 characters
hub_pid=
cleanup() {
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true
  [ -x "$work/lanmcp/bin/lanmcp.mjs" ] && node "$work/lanmcp/bin/lanmcp.mjs" lab down --name "$lab" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet --no-local "$repo" "$work/lanmcp"
echo "verify-readme: fresh clone of $(git -C "$repo" rev-parse --short HEAD) in $work/lanmcp" >&2
cd "$work/lanmcp"
export LANMCP_QUICKSTART_LAB=$lab LANMCP_QUICKSTART_LISTEN=127.0.0.1:0
[ "$cold" = 1 ] && export LANMCP_LAB_CACHE=$work/rootfs-cache

run() { # name, command, log → seconds taken (exit status of the command is the function's)
  local started=$SECONDS
  echo "verify-readme: \$ ${2}" >&2
  set +e; bash -c "$2" > "$3" 2>&1; local code=$?; set -e
  echo "verify-readme: exit $code after $((SECONDS - started)) s (log: $3)" >&2
  return "$code"
}

quick_log=$work/quickstart.log
run quickstart "${commands[0]}" "$quick_log" || { tail -n 40 "$quick_log" >&2; exit 1; }
hub_pid=$(sed -n 's/^  stop hub:   kill $(cat \(.*\))$/\1/p' "$quick_log" | xargs -r cat 2>/dev/null || true)
grep -q '^claude mcp add' "$quick_log" || { echo "verify-readme: the quick start printed no 'claude mcp add' line" >&2; tail -n 40 "$quick_log" >&2; exit 1; }
[ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true
hub_pid=
node bin/lanmcp.mjs lab down --name "$lab" >/dev/null

test_log=$work/test.log
run tests "${commands[1]}" "$test_log" || { tail -n 60 "$test_log" >&2; exit 1; }
summary=$(grep -E '^tests: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$test_log" | tail -n 1)
echo "verify-readme: $summary" >&2
[[ "$summary" =~ ^tests:\ [1-9][0-9]*\ passed,\ 0\ failed,\ 0\ skipped$ ]] || { echo "verify-readme: the suite did not pass cleanly" >&2; exit 1; }
echo "verify-readme: both README commands work from a fresh clone" >&2
