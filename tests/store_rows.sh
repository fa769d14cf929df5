# Sourced by the end-to-end scripts: rows DB prints every stored run of a campaign store with
# exact values (SQLite's quote() round-trips doubles), without the timing, rank and session
# columns that legitimately differ between runs.
rows() {
  local cols
  cols=$(sqlite3 "$1" "SELECT group_concat('quote(' || name || ')', ',') FROM
          (SELECT name FROM parameters ORDER BY position)
          UNION ALL SELECT group_concat('quote(' || name || ')', ',') FROM
          (SELECT name FROM outputs ORDER BY position)" | paste -sd, -)
  sqlite3 "$1" "SELECT sample, replicate, block, status, $cols, quote(error) FROM runs
                ORDER BY sample, replicate"
}
