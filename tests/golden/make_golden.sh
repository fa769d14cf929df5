#!/usr/bin/env bash
# Regenerates the golden analyses. Usage: make_golden.sh TMEX [--stores]
#   default:   re-reads the stores of stores/*.sql and rewrites expected/NAME.json from
#              `TMEX analyze --format json` (run it only when a change of the numbers is intended,
#              and say why in the commit message)
#   --stores:  first reruns the campaigns of campaigns/*.yaml with TMEX and rewrites their
#              stores as SQL dumps (stores/NAME.sql)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TMEX=$(realpath "$1")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmex-golden.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

if [ "${2:-}" = --stores ]; then
  mkdir -p "$HERE/stores"
  for config in "$HERE"/campaigns/*.yaml; do
    name=$(basename "$config" .yaml)
    cp "$config" .
    # Run as `tmex` from PATH, so that the stored session command names no build folder.
    PATH="$(dirname "$TMEX"):$PATH" tmex run "$name.yaml" 2>/dev/null
    {
      echo "PRAGMA application_id=$(sqlite3 "$name.db" 'PRAGMA application_id');"
      echo "PRAGMA user_version=$(sqlite3 "$name.db" 'PRAGMA user_version');"
      sqlite3 "$name.db" .dump
    } >"$HERE/stores/$name.sql"
  done
fi

mkdir -p "$HERE/expected"
grep -v '^#' "$HERE/analyses.txt" | while read -r name store args; do
  [ -f "$store.db" ] || sqlite3 "$store.db" <"$HERE/stores/$store.sql"
  # shellcheck disable=SC2086
  "$TMEX" analyze "$store.db" --format json $args >"$name.report.json"
  python3 "$HERE/golden.py" flatten "$name.report.json" >"$HERE/expected/$name.json"
done
echo "golden analyses written to $HERE/expected"
