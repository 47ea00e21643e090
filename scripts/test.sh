#!/usr/bin/env bash
# The whole test suite, exactly what CI runs (.ci/run): dependencies, build, typecheck, then unit,
# in-process integration and real-device tests. The lab tests boot their own devices (test/lab/global-setup.ts)
# and need root on Debian; they fail with a message naming what is missing, never skip silently.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "==> build" >&2
npm run --silent build
echo "==> typecheck" >&2
npx tsc --noEmit
echo "==> vitest (unit, integration, lab)" >&2
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line that any CI reads: "tests: N passed, N failed, N skipped".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
exit "$status"
