#!/usr/bin/env bash
# End-to-end tests of stores and outputs as files: a kill during creation, the creation race
# (forced with TMEX_TEST_CREATE_BARRIER), a second writer through links, paths that cannot hold a
# store, outputs to devices, links, FIFOs and full disks, one file after a run, and read-only
# stores (permissions, a read-only mount, a log left by a crash).
# Usage: e2e_files.sh TMEX TEST
set -euo pipefail
SCRIPT=$(realpath "$0")
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
TMEX=$(realpath "$1")
TEST=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1
export OMPI_MCA_rmaps_base_oversubscribe=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmex-files.XXXXXX")
cleanup() {
  # Background runs of this test still running (their pids, recorded until waited for), then
  # the folder.
  for pid in ${BG_PIDS:-}; do kill -9 "$pid" 2>/dev/null || true; done
  umount "$WORK/ro_mount" 2>/dev/null || true
  chmod -R u+w "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
chmod 755 "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }
source "$TESTS_DIR/store_rows.sh"

# files: the names in the current folder (hidden ones too), one line.
files() { ls -A | sort | tr '\n' ' '; }

# wait_for FILE: until FILE exists (at most 60 s).
wait_for() {
  for _ in $(seq 1200); do [ -e "$1" ] && return 0; sleep 0.05; done
  fail "$1 did not appear"
}

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# read_only_commands DIR: status, export, analyze, report and check on DIR/campaign.db as nobody;
# nothing in DIR changes.
read_only_commands() {
  local dir=$1 before
  before=$(cd "$dir" && ls -A --full-time | sha256sum && sha256sum ./*)
  as_nobody "$TMEX" status "$dir/campaign.db" >status.txt 2>err.log ||
    fail "$dir: status: $(cat err.log)"
  grep -q "300 of 300 stored" status.txt || fail "$dir: status: $(cat status.txt)"
  as_nobody "$TMEX" export "$dir/campaign.db" >export.csv 2>>err.log || fail "$dir: export"
  [ "$(wc -l <export.csv)" = 301 ] || fail "$dir: export has $(wc -l <export.csv) lines"
  as_nobody "$TMEX" analyze "$dir/campaign.db" --method prcc >analyze.txt 2>>err.log ||
    fail "$dir: analyze: $(cat err.log)"
  as_nobody "$TMEX" report "$dir/campaign.db" --method prcc -o - >report.html 2>>err.log ||
    fail "$dir: report: $(cat err.log)"
  grep -q "</html>" report.html || fail "$dir: report: no HTML document"
  as_nobody "$TMEX" check "$dir/c.yaml" --db "$dir/campaign.db" >check.txt 2>>err.log ||
    fail "$dir: check: $(cat err.log)"
  grep -q "same campaign" check.txt || fail "$dir: check: $(cat check.txt)"
  [ "$before" = "$(cd "$dir" && ls -A --full-time | sha256sum && sha256sum ./*)" ] ||
    fail "$dir: a read-only command changed the folder: $(ls -A "$dir")"
}

write_config() {  # write_config FILE SAMPLES SETTINGS [STORE]
  cat >"$1" <<YAML
campaign: {name: files, seed: 7, samples: $2}
design: {method: lhs}
model:
  name: faulty
  settings: {$3}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: uniform, min: 0, max: 1}
  x3: {distribution: uniform, min: 0, max: 1}
storage: {path: ${4:-campaign.db}}
execution: {progress_interval: 0.5, commit_interval: 0.1}
YAML
}

case "$TEST" in
  kill-during-creation)  # SIGKILL while the store is being created, then resume (issue 19, 1)
    write_config c.yaml 300 "sleep_ms: 1"
    "$TMEX" run c.yaml --db ref.db 2>/dev/null
    # Forced: held just before the new store gets its name, then killed.
    (TMEX_TEST_CREATE_BARRIER=$WORK/go exec "$TMEX" run c.yaml 2>/dev/null) &
    pid=$!
    BG_PIDS="$pid"
    wait_for go.waiting
    kill -9 "$pid"
    wait "$pid" || true
    BG_PIDS=""
    [ ! -e campaign.db ] || fail "a killed creation left a file under the store's name"
    ls -A | grep -q '^\.campaign\.db\.tmex-new-' || fail "no temporary file: $(files)"
    "$TMEX" run c.yaml 2>err.log || fail "resume after a killed creation: $(cat err.log)"
    diff <(rows ref.db) <(rows campaign.db) >/dev/null || fail "rows differ after the resume"
    # At random moments of the first second, ten times: every later command works.
    for attempt in $(seq 10); do
      rm -f campaign.db
      (exec "$TMEX" run c.yaml 2>/dev/null) &
      pid=$!
      sleep "0.0$((RANDOM % 10))"
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" || true
    BG_PIDS=""
      if [ -e campaign.db ]; then
        "$TMEX" status campaign.db >/dev/null 2>err.log ||
          fail "try $attempt: status refuses what a killed run left: $(cat err.log)"
      fi
      "$TMEX" run c.yaml 2>err.log || fail "try $attempt: run after the kill: $(cat err.log)"
      diff <(rows ref.db) <(rows campaign.db) >/dev/null || fail "try $attempt: rows differ"
    done
    ;;
  create-race)  # two runs create one new store; the late one keeps it (issue 19, 2)
    write_config c.yaml 200 "sleep_ms: 0"
    # A builds its store and waits before giving it the name; B creates and completes the store.
    (TMEX_TEST_CREATE_BARRIER=$WORK/go exec "$TMEX" run c.yaml >a.log 2>&1) &
    a=$!
    BG_PIDS="$a"
    wait_for go.waiting
    "$TMEX" run c.yaml 2>b.log || fail "B failed: $(cat b.log)"
    [ "$(sqlite3 -readonly campaign.db 'SELECT count(*) FROM runs')" = 200 ] || fail "B incomplete"
    before=$(rows campaign.db)
    touch go
    set +e
    wait "$a"
    rc=$?
    BG_PIDS=""
    set -e
    cat a.log
    [ "$rc" = 0 ] || fail "the late creator exited $rc"
    grep -q "is complete" a.log || fail "the late creator did not resume the complete store"
    [ "$before" = "$(rows campaign.db)" ] || fail "the complete store changed"
    [ "$(sqlite3 -readonly campaign.db 'PRAGMA integrity_check')" = ok ] || fail "integrity"
    [ "$(files)" = "a.log b.log c.yaml campaign.db go go.waiting " ] || fail "left: $(files)"
    ;;
  second-writer-links)  # a second writer through a symbolic or a hard link is refused (item 4)
    write_config c.yaml 400 "sleep_ms: 5"
    (exec "$TMEX" run c.yaml >run.log 2>&1) &
    pid=$!
    BG_PIDS="$pid"
    for _ in $(seq 200); do grep -q "runs to do" run.log 2>/dev/null && break; sleep 0.05; done
    ln -s campaign.db sym.db
    ln campaign.db hard.db
    for other in sym.db hard.db "$WORK/./campaign.db"; do
      set +e
      "$TMEX" run c.yaml --db "$other" 2>err.log
      rc=$?
      set -e
      [ "$rc" = 1 ] || fail "second writer through $other: exit status $rc: $(cat err.log)"
      grep -q "being written by another tmex run" err.log || fail "$other: $(cat err.log)"
    done
    kill -USR1 "$pid"
    wait "$pid" || true
    BG_PIDS=""
    [ "$(sqlite3 -readonly campaign.db 'PRAGMA integrity_check')" = ok ] || fail "store damaged"
    [ "$(sqlite3 -readonly campaign.db 'SELECT count(*) FROM sessions')" = 1 ] ||
      fail "a second session was recorded"
    "$TMEX" run c.yaml --db hard.db 2>/dev/null || fail "resume through the hard link"
    [ "$(sqlite3 -readonly campaign.db 'SELECT count(*) FROM runs')" = 400 ] || fail "resume"
    ;;
  store-paths)  # :memory:, URIs, FIFOs, devices, folders, missing folders: exit 2, nothing made
    write_config c.yaml 50 "sleep_ms: 0"
    mkfifo pipe
    mkdir folder
    before=$(files)
    for db in ":memory:" "file:x.db?mode=memory" "file:campaign.db" pipe /dev/null folder \
      folder/ missing/c.db; do
      for cmd in check run; do
        set +e
        timeout 60 "$TMEX" "$cmd" c.yaml --db "$db" >out.log 2>err.log
        rc=$?
        set -e
        [ "$rc" = 2 ] || fail "$cmd --db '$db': exit status $rc: $(cat err.log)"
        grep -q "^tmex: error: --db: " err.log || fail "$cmd --db '$db': $(cat err.log)"
      done
      # The same path in the config: the error is located at storage.path.
      write_config d.yaml 50 "sleep_ms: 0" "'$db'"
      set +e
      timeout 60 "$TMEX" run d.yaml >out.log 2>err.log
      rc=$?
      set -e
      [ "$rc" = 2 ] || fail "storage.path '$db': exit status $rc: $(cat err.log)"
      grep -q "^tmex: error: d.yaml:10:17: storage.path: " err.log ||
        fail "storage.path '$db': not located: $(cat err.log)"
      rm -f d.yaml out.log err.log
      [ "$(files)" = "$before" ] || fail "'$db': files made: $(files)"
    done
    # Read-only commands on such paths: refused at once (a FIFO used to hang every command).
    for cmd in status export analyze report; do
      set +e
      timeout 60 "$TMEX" "$cmd" pipe >/dev/null 2>err.log
      rc=$?
      set -e
      [ "$rc" = 2 ] || fail "$cmd on a FIFO: exit status $rc: $(cat err.log)"
    done
    ;;
  outputs)  # export/status/analyze/sample outputs: devices, links, FIFOs, full disks (item 3)
    write_config c.yaml 100 "sleep_ms: 0"
    "$TMEX" run c.yaml 2>/dev/null
    "$TMEX" export campaign.db -o reference.csv
    [ "$(wc -l <reference.csv)" = 101 ] || fail "export has $(wc -l <reference.csv) lines"
    # A device is written through, never replaced (this test runs as root).
    "$TMEX" export campaign.db -o /dev/null || fail "export to /dev/null"
    [ -c /dev/null ] || fail "/dev/null is no longer a device"
    # Standard output by name, through a pipe and into a file opened by the shell.
    "$TMEX" export campaign.db -o /dev/stdout | cmp - reference.csv || fail "-o /dev/stdout"
    "$TMEX" export campaign.db -o /dev/stdout >via_shell.csv
    cmp via_shell.csv reference.csv || fail "-o /dev/stdout into a file"
    # A symbolic link stays a link; its target gets the content (atomically).
    echo old >target.csv
    ln -s target.csv link.csv
    "$TMEX" export campaign.db -o link.csv
    [ -L link.csv ] || fail "the link was replaced"
    cmp target.csv reference.csv || fail "the link's target was not written"
    # A FIFO's reader gets everything.
    mkfifo out.fifo
    cat out.fifo >from_fifo.csv &
    reader=$!
    BG_PIDS="$reader"
    "$TMEX" export campaign.db -o out.fifo || fail "export to a FIFO"
    wait "$reader"
    BG_PIDS=""
    cmp from_fifo.csv reference.csv || fail "the FIFO's reader got $(wc -l <from_fifo.csv) lines"
    [ -p out.fifo ] || fail "the FIFO was replaced"
    # A full disk: non-zero exit, the old file unchanged, no partial file left.
    echo "precious" >full.csv
    for target in full.csv new.csv; do
      set +e
      prlimit --fsize=4096 "$TMEX" export campaign.db -o "$target" 2>err.log
      rc=$?
      set -e
      [ "$rc" = 1 ] || fail "export on a full disk ($target): exit status $rc"
      grep -q "File too large\|No space left" err.log || fail "full disk: $(cat err.log)"
    done
    [ "$(cat full.csv)" = precious ] || fail "a failed export changed the old file"
    [ ! -e new.csv ] || fail "a failed export left new.csv"
    ! ls -A | grep -q "tmex-partial" || fail "partial files left: $(files)"
    # Writes to a full device fail loudly, for every command that writes.
    for cmd in "status campaign.db" "export campaign.db" "analyze campaign.db" \
      "check c.yaml" "sample c.yaml" "models" "export campaign.db -o /dev/full" \
      "sample c.yaml -o /dev/full"; do
      set +e
      # shellcheck disable=SC2086
      "$TMEX" $cmd >/dev/full 2>err.log
      rc=$?
      set -e
      [ "$rc" = 1 ] || fail "'tmex $cmd > /dev/full': exit status $rc"
      grep -q "No space left on device" err.log || fail "'tmex $cmd > /dev/full': $(cat err.log)"
    done
    ;;
  one-file)  # a finished or interrupted campaign leaves one file (issue 18)
    write_config c.yaml 300 "sleep_ms: 2"
    set +e
    "$TMEX" run c.yaml --stop-after 0.3 2>/dev/null
    rc=$?
    set -e
    [ "$rc" = 3 ] || fail "--stop-after: exit status $rc"
    [ "$(files)" = "c.yaml campaign.db " ] || fail "after an interrupted run: $(files)"
    mpiexec --oversubscribe -n 3 "$TMEX" run c.yaml 2>/dev/null
    [ "$(files)" = "c.yaml campaign.db " ] || fail "after a complete run on 3 ranks: $(files)"
    # The file alone holds the campaign: a copy on its own reads complete.
    mkdir alone && cp campaign.db alone/
    "$TMEX" status alone/campaign.db | contains "state      complete" || fail "the copy is incomplete"
    ;;
  read-only)  # read-only commands on read-only stores write nothing anywhere (issue 18)
    write_config c.yaml 300 "sleep_ms: 0"
    "$TMEX" run c.yaml 2>/dev/null
    # Without write permission on the file and its folder.
    mkdir perm && cp campaign.db c.yaml perm/ && chmod 444 perm/* && chmod 555 perm
    read_only_commands perm
    # A store left in WAL mode by an older tmex (no -wal file), read-only.
    mkdir walmode && cp campaign.db c.yaml walmode/
    sqlite3 walmode/campaign.db 'PRAGMA journal_mode=WAL' >/dev/null
    chmod 444 walmode/* && chmod 555 walmode
    read_only_commands walmode
    # A store whose last rows sit in the -wal file of a killed writer.
    write_config k.yaml 300 "sleep_ms: 2" crashed.db
    (exec "$TMEX" run k.yaml >k.log 2>&1) &
    pid=$!
    BG_PIDS="$pid"
    for _ in $(seq 400); do
      n=$(sqlite3 -readonly crashed.db 'SELECT count(*) FROM runs' 2>/dev/null || echo 0)
      [ "$n" -ge 50 ] && break
      sleep 0.05
    done
    kill -9 "$pid"
    wait "$pid" || true
    BG_PIDS=""
    [ -s crashed.db-wal ] || fail "no log left by the killed writer"
    committed=$(sqlite3 -readonly crashed.db 'SELECT count(*) FROM runs')
    mkdir walcrash && cp crashed.db crashed.db-wal crashed.db-shm walcrash/
    chmod 444 walcrash/* && chmod 555 walcrash
    before=$(ls -A walcrash)
    as_nobody "$TMEX" status walcrash/crashed.db >status.txt 2>err.log || fail "status: $(cat err.log)"
    grep -q "^runs       $committed of 300 stored" status.txt ||
      fail "status does not see the $committed committed runs: $(head -6 status.txt)"
    # Without the -shm file it cannot be read in a read-only folder: the warning says so.
    chmod 755 walcrash && rm walcrash/crashed.db-shm && chmod 555 walcrash
    as_nobody "$TMEX" status walcrash/crashed.db >status.txt 2>err.log || fail "status: $(cat err.log)"
    grep -q "warning: .*committed runs sit in 'walcrash/crashed.db-wal'" err.log ||
      fail "no warning about the unread log: $(cat err.log)"
    [ "$(ls -A walcrash)" = "crashed.db
crashed.db-wal" ] || fail "files made beside the store: $(ls -A walcrash)"
    # tmex run on a read-only store in a writable folder: one line, no MPI_ABORT banner, nothing
    # made beside it.
    mkdir writable && cp campaign.db c.yaml writable/ && chmod 444 writable/campaign.db
    chmod 777 writable
    sqlite3 writable/campaign.db 'DELETE FROM runs WHERE sample > 200'
    before=$(ls -A writable; sha256sum writable/campaign.db)
    set +e
    as_nobody "$TMEX" run writable/c.yaml --db writable/campaign.db 2>err.log
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "run on a read-only file: exit status $rc: $(cat err.log)"
    [ "$(wc -l <err.log)" = 1 ] || fail "more than one line: $(cat err.log)"
    grep -q "is read-only" err.log || fail "run on a read-only file: $(cat err.log)"
    ! grep -qi "MPI_ABORT" err.log || fail "MPI_ABORT banner: $(cat err.log)"
    [ "$before" = "$(ls -A writable; sha256sum writable/campaign.db)" ] ||
      fail "files made or changed beside the read-only store: $(ls -A writable)"
    ;;
  read-only-mount)  # the same on a read-only file system: a read-only bind mount of its own
    if [ -z "${TMEX_PRIVATE_MOUNTS:-}" ]; then
      # A private mount namespace, so that the mount is nobody else's business.
      if unshare -m true 2>/dev/null; then
        TMEX_PRIVATE_MOUNTS=1 exec unshare -m "$SCRIPT" "$TMEX" "$TEST"
      fi
      echo "SKIP: cannot make a private mount namespace here (needs root)"
      exit 0
    fi
    write_config c.yaml 300 "sleep_ms: 0"
    "$TMEX" run c.yaml 2>/dev/null
    mkdir ro_source ro_mount && cp campaign.db c.yaml ro_source/
    mount --make-rprivate / 2>/dev/null || true
    mount --bind ro_source ro_mount
    mount -o remount,bind,ro ro_mount
    ! touch ro_mount/probe 2>/dev/null || fail "the bind mount is writable"
    read_only_commands ro_mount
    "$TMEX" status ro_mount/campaign.db >/dev/null || fail "status as root on a read-only mount"
    set +e
    "$TMEX" run ro_mount/c.yaml --db ro_mount/campaign.db 2>err.log
    rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "read-only file system" err.log ||
      fail "run on a read-only mount: $rc $(cat err.log)"
    [ "$(ls -A ro_mount)" = "c.yaml
campaign.db" ] || fail "files on the read-only mount: $(ls -A ro_mount)"
    umount ro_mount
    ;;
  *)
    fail "unknown test $TEST"
    ;;
esac
echo "PASS: $TEST"
