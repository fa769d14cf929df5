# Sourced by the end-to-end scripts: rows DB prints every stored run of a campaign store with
# exact values (SQLite's quote() round-trips doubles), without the timing, rank and session
# columns that legitimately differ between runs; the arm too in stores of campaigns with arms.
# contains PATTERN... is grep's test of standard input that reads all of it: under pipefail,
# `tmex ... | grep -q` fails whenever grep exits at its first match and tmex then writes to the
# closed pipe (SIGPIPE, or tmex's own check of its standard output).
contains() { grep "$@" >/dev/null; }

rows() {
  local cols arm=""
  cols=$(sqlite3 "$1" "SELECT group_concat('quote(' || name || ')', ',') FROM
          (SELECT name FROM parameters ORDER BY position)
          UNION ALL SELECT group_concat('quote(' || name || ')', ',') FROM
          (SELECT name FROM outputs ORDER BY position)" | paste -sd, -)
  if [ "$(sqlite3 "$1" "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'arm'")" = 1 ]
  then arm="arm, "; fi
  sqlite3 "$1" "SELECT sample, ${arm}replicate, block, status, $cols, quote(error) FROM runs
                ORDER BY id"
}
