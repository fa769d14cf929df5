#!/usr/bin/env bash
# The golden test of `tmex analyze`: the stores of stores/*.sql (written by an earlier tmex,
# store schema 1) analysed now give the numbers of expected/*.json (tolerance in golden.py).
# Usage: golden_test.sh TMEX
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TMEX=$(realpath "$1")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmex-golden-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
failed=0
while read -r name store args; do
  [ -f "$store.db" ] || sqlite3 "$store.db" <"$HERE/stores/$store.sql"
  # shellcheck disable=SC2086
  if ! "$TMEX" analyze "$store.db" --format json $args >"$name.report.json" 2>"$name.err"; then
    echo "FAIL: $name: tmex analyze $store.db $args: $(cat "$name.err")"
    failed=1
    continue
  fi
  if ! python3 "$HERE/golden.py" compare "$HERE/expected/$name.json" "$name.report.json"; then
    echo "FAIL: $name (tmex analyze $store.db $args)"
    failed=1
  fi
done < <(grep -v '^#' "$HERE/analyses.txt")
[ "$failed" = 0 ] && echo "golden analyses: ok"
exit "$failed"
