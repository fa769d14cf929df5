#!/usr/bin/env bash
# End-to-end tests of `tmex run` under MPI: reproducibility across rank counts, resume after
# SIGKILL, graceful stop on signals and deadlines, refusal of a changed config.
# Usage: e2e.sh TMEX TEST [ARGS]
set -euo pipefail
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
TMEX=$(realpath "$1")
TEST=$2
shift 2
source "$TESTS_DIR/driver/e2e_common.sh" tmex-e2e

write_config() {  # write_config FILE MODEL SAMPLES REPLICATES SETTINGS
  cat >"$1" <<YAML
campaign: {name: e2e, seed: 99, samples: $3, replicates: $4}
design: {method: lhs}
model:
  name: $2
  settings: {$5}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: loguniform, min: 0.1, max: 10}
  x3: {distribution: uniform, min: -1, max: 1}
storage: {path: campaign.db}
execution: {progress_interval: 0.5, commit_interval: 0.1}
YAML
}

case "$TEST" in
  ranks)  # same campaign on N ranks == on a single process
    n=$1
    write_config c.yaml linear 500 3 "noise_sd: 0.3"
    launch 0 run c.yaml --db ref.db 2>/dev/null
    launch "$n" run c.yaml --db par.db
    [ "$(sqlite3 par.db 'SELECT count(*) FROM runs')" = 1500 ] || fail "expected 1500 rows"
    diff <(rows ref.db) <(rows par.db) >/dev/null || fail "rows differ between 1 and $n ranks"
    # A second run of a finished campaign does nothing and succeeds.
    launch "$n" run c.yaml --db par.db 2>&1 | contains "is complete" || fail "no 'complete' message"
    ;;
  kill-resume)  # SIGKILL the master (or a worker) at random moments, resume until done
    n=$1
    victim_rank=${2:-0}
    min_kills=${3:-4}
    write_config c.yaml faulty 2000 1 "sleep_ms: 2, nan_below: 0.15, throw_below: 0.05"
    launch 0 run c.yaml --db ref.db 2>/dev/null
    kills=0
    partial=0  # kills that left a part-done store
    for attempt in $(seq 1 30); do
      launch_bg "$n" run c.yaml >run.log 2>&1
      pid=$!
      # Kill at a random moment after the campaign has started (start-up time varies with load).
      if kill_after_start "$n" "$victim_rank" "0.$((RANDOM % 9 + 1))"; then kills=$((kills + 1)); fi
      wait "$pid" || true
      stored=$(sqlite3 campaign.db 'SELECT count(*) FROM runs' 2>/dev/null || echo 0)
      if [ "$stored" -gt 0 ] && [ "$stored" -lt 2000 ]; then partial=$((partial + 1)); fi
      [ "$kills" -ge "$min_kills" ] && [ "$partial" -ge 1 ] && break
      # Finished before enough kills: start the campaign over.
      if [ "$stored" = 2000 ]; then rm -f campaign.db*; kills=0; partial=0; fi
    done
    # Finish whatever is left. A kill that lands while a quarantined run runs alone makes it
    # "in flight at two crashes", stored as crashed: --retry-crashed runs those again.
    launch "$n" run c.yaml --retry-crashed 2>/dev/null || true
    [ "$kills" -ge "$min_kills" ] || fail "killed only $kills times"
    [ "$partial" -ge 1 ] || fail "no kill happened part-way through the campaign"
    [ "$(sqlite3 campaign.db 'PRAGMA integrity_check')" = ok ] || fail "integrity check"
    diff <(rows ref.db) <(rows campaign.db) >/dev/null || fail "rows differ after $kills kills"
    sqlite3 campaign.db "SELECT count(*) FROM sessions WHERE outcome = 'crashed'" | grep -qv '^0$' ||
      fail "killed sessions not marked crashed"
    echo "killed $kills times; rows identical to an uninterrupted run"
    ;;
  crash-quarantine)  # runs that kill their process: quarantined, stored as crashed, retried
    n=$1
    kill="-0.985"  # x3 below this kills the evaluating process (SIGKILL)
    write_config ref.yaml faulty 300 1 "sleep_ms: 1"
    write_config c.yaml faulty 300 1 "sleep_ms: 1, kill_below: $kill"
    launch 0 run ref.yaml --db ref.db 2>/dev/null
    expected=$(sqlite3 ref.db "SELECT count(*) FROM runs WHERE x3 < $kill")
    [ "$expected" -ge 1 ] || fail "no sample below kill_below"
    # until_complete ARGS...: runs again until exit 0; each crasher costs at most two sessions
    # (one among others, one alone), plus the first and the last.
    until_complete() {
      local sessions=0 rc=1
      while [ "$rc" != 0 ]; do
        sessions=$((sessions + 1))
        [ "$sessions" -le $((2 * expected + 2)) ] ||
          fail "not complete after $sessions sessions: $(tail -5 run.log)"
        set +e
        launch "$n" run c.yaml "$@" >>run.log 2>&1
        rc=$?
        set -e
        set --  # --retry-crashed only for the first session
      done
      echo "complete after $sessions sessions"
    }
    until_complete
    grep -q "quarantine:" run.log || fail "no quarantine message"
    check_store() {
      [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 300 ] || fail "runs missing"
      [ "$(sqlite3 campaign.db "SELECT count(*) FROM runs WHERE status = 'crashed'")" = "$expected" ] ||
        fail "$(sqlite3 campaign.db "SELECT count(*) FROM runs WHERE status = 'crashed'") crashed, expected $expected"
      [ "$(sqlite3 campaign.db "SELECT count(*) FROM runs WHERE status = 'crashed' AND x3 >= $kill")" = 0 ] ||
        fail "a run that does not crash was stored as crashed"
      # Every other run is value for value the run of an undisturbed campaign.
      sqlite3 campaign.db "ATTACH 'ref.db' AS ref; SELECT count(*) FROM runs a JOIN ref.runs b USING (id)
        WHERE a.status = 'ok' AND a.x1 IS b.x1 AND a.x2 IS b.x2 AND a.x3 IS b.x3 AND a.y IS b.y
        AND a.y2 IS b.y2" | grep -qx "$((300 - expected))" || fail "ok runs differ from the reference"
      [ "$(sqlite3 campaign.db 'SELECT count(*) FROM in_flight')" = 0 ] || fail "in-flight records left"
    }
    check_store
    "$TMEX" status campaign.db | contains "crashed .*the process evaluating it died" ||
      fail "status shows no crashed group: $("$TMEX" status campaign.db)"
    # --retry-crashed runs them again (alone first): they crash again and end as crashed again.
    : >run.log
    until_complete --retry-crashed
    grep -q "retry-crashed: $expected run" run.log || fail "retry not reported: $(cat run.log)"
    check_store
    ;;
  thread-limit)  # a rank that cannot start its per_rank threads stops every rank cleanly
    n=$1
    if ldd "$TMEX" | grep -q libasan; then
      # AddressSanitizer reserves terabytes of address space: no address-space limit fits it.
      echo "SKIP: an address-space limit cannot be used with AddressSanitizer"
      exit 0
    fi
    write_config c.yaml faulty 50 1 "sleep_ms: 1"
    sed -i "s/execution: {/execution: {per_rank: 256, /" c.yaml
    # 256 thread stacks (8 MiB of address space each) do not fit under 1.2 GiB.
    set +e
    prlimit --as=$((1200 * 1024 * 1024)) bash -c "$(declare -f launch); TMEX=$TMEX; launch $n run c.yaml" \
      2>err.log
    rc=$?
    set -e
    cat err.log
    [ "$rc" = 1 ] || fail "exit status $rc, expected 1"
    grep -q "cannot start 256 evaluation threads (execution.per_rank)" err.log || fail "no reason given"
    ! grep -qE "terminate called|MPI_ABORT" err.log || fail "an abort instead of a clean stop"
    [ "$(sqlite3 campaign.db "SELECT outcome FROM sessions")" = failed ] || fail "session not failed"
    [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 0 ] || fail "runs were stored"
    ;;
  signal)  # SIGNAL to the launcher (or process): clean stop, exit 3, resumable
    n=$1
    sig=$2
    write_config c.yaml faulty 2000 1 "sleep_ms: 5"
    set +e
    launch_bg "$n" run c.yaml >run.log 2>&1
    pid=$!
    sleep 2
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    set -e
    cat run.log
    # mpirun forwards SIGUSR1 and passes on the ranks' status 3; on SIGINT/SIGTERM it signals
    # the ranks itself and exits 1 whatever they return (HPC-NOTES.md), so only the store is
    # checked there.
    if [ "$n" = 0 ] || [ "$sig" = USR1 ]; then
      [ "$rc" = 3 ] || fail "exit status $rc after SIG$sig, expected 3"
    else
      [ "$rc" != 0 ] || fail "exit status 0 after SIG$sig"
    fi
    stored=$(sqlite3 campaign.db 'SELECT count(*) FROM runs')
    [ "$stored" -gt 0 ] && [ "$stored" -lt 2000 ] || fail "$stored rows stored after the stop"
    [ "$(sqlite3 campaign.db "SELECT outcome FROM sessions ORDER BY id DESC LIMIT 1")" = interrupted ] ||
      fail "session not recorded as interrupted"
    launch "$n" run c.yaml 2>/dev/null
    [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 2000 ] || fail "resume incomplete"
    ;;
  changed-config)  # a different config is refused and the store is left untouched
    write_config c.yaml ishigami 200 1 "a: 7"
    launch 0 run c.yaml 2>/dev/null
    before=$(sha256sum campaign.db)
    write_config d.yaml ishigami 200 1 "a: 5"
    set +e
    launch 0 run d.yaml --db campaign.db 2>err.log
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "exit status $rc, expected 2"
    grep -q "model.settings.a: 7 -> 5" err.log || fail "message does not name the difference: $(cat err.log)"
    [ "$before" = "$(sha256sum campaign.db)" ] || fail "store changed"
    ;;
  model-version)  # a store made by another version of the model is not resumed, but readable
    cat >c.yaml <<YAML
campaign: {name: e2e, seed: 99, samples: 40}
design: {method: lhs}
model: {name: emdr}
parameters:
  adhesion_strength: {distribution: loguniform, min: 0.25, max: 4}
  il6_basal: {distribution: loguniform, min: 0.1, max: 10}
storage: {path: campaign.db}
YAML
    launch 0 run c.yaml 2>/dev/null
    "$TMEX" status campaign.db | contains "model      emdr (version 2)" || fail "status: no version"
    # What a tmex of store schema 1 made, with emdr version 1: no model_version record.
    sqlite3 campaign.db "DELETE FROM meta WHERE key = 'model_version'; PRAGMA user_version = 1;"
    before=$(sha256sum campaign.db)
    for command in run check; do
      set +e
      "$TMEX" "$command" c.yaml 2>err.log >/dev/null
      rc=$?
      set -e
      [ "$rc" = 2 ] || fail "$command on a version-1 store: exit status $rc, expected 2"
      grep -q "model 'emdr' version 1; this tmex evaluates model 'emdr' version 2" err.log ||
        fail "$command: message does not name both versions: $(cat err.log)"
    done
    [ "$before" = "$(sha256sum campaign.db)" ] || fail "version-1 store changed"
    "$TMEX" status campaign.db | contains "model      emdr (version 1)" || fail "status of v1 store"
    [ "$("$TMEX" export campaign.db | wc -l)" = 41 ] || fail "export of the version-1 store"
    "$TMEX" analyze campaign.db --outputs log_kill >/dev/null || fail "analyze of the version-1 store"
    ;;
  bad-config)  # an invalid config creates nothing and exits 2 with file:line:column
    write_config c.yaml ishigami 200 1 "a: 7"
    sed -i 's/max: 10}/max: 0.01}/' c.yaml
    set +e
    launch 2 run c.yaml 2>err.log
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "exit status $rc, expected 2"
    grep -q "c.yaml:8:" err.log || fail "no file:line in: $(cat err.log)"
    [ ! -e campaign.db ] || fail "a store was created"
    ;;
  storage-faults)  # full disk, read-only file and folder, foreign and corrupt files, newer schema
    write_config c.yaml faulty 3000 1 "sleep_ms: 1"
    launch 0 run c.yaml --db ref.db 2>/dev/null
    # Full disk: a file-size limit, set once the run has started (MPI's own start-up needs
    # space), makes writes fail part-way; committed rows survive.
    launch_bg 0 run c.yaml --db full.db 2>err.log
    pid=$!
    for _ in $(seq 100); do [ -e full.db ] && break; sleep 0.05; done
    prlimit --pid "$pid" --fsize=300000
    set +e
    wait "$pid"
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "disk full: exit status $rc, expected 1"
    grep -q "storage error:.*full" err.log || fail "disk full: $(cat err.log)"
    [ "$(sqlite3 full.db 'PRAGMA integrity_check')" = ok ] || fail "disk full: store damaged"
    launch 0 run c.yaml --db full.db 2>/dev/null
    diff <(rows ref.db) <(rows full.db) >/dev/null || fail "disk full: rows differ after resume"
    # Read-only file and folder (as an unprivileged user: root ignores permissions).
    as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    mkdir ro && cp ref.db ro/ && sqlite3 ro/ref.db 'DELETE FROM runs WHERE sample > 2000'
    chmod 755 ro && chmod 444 ro/ref.db && chmod 755 "$WORK"
    cp c.yaml ro/c.yaml && chmod 444 ro/c.yaml
    before=$(sha256sum ro/ref.db)
    set +e
    as_nobody "$TMEX" run ro/c.yaml --db ro/ref.db 2>err.log
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "read-only: exit status $rc, expected 1: $(cat err.log)"
    [ "$(wc -l <err.log)" -le 3 ] || fail "read-only: more than a short error: $(cat err.log)"
    grep -q "storage error" err.log || fail "read-only: $(cat err.log)"
    [ "$before" = "$(sha256sum ro/ref.db)" ] || fail "read-only: store changed"
    set +e
    as_nobody "$TMEX" run ro/c.yaml --db ro/new.db 2>err.log
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "read-only folder: exit status $rc: $(cat err.log)"
    grep -q "storage error" err.log || fail "read-only folder: $(cat err.log)"
    # A file that is not a tmex store, and a corrupt store: refused, left as they were.
    echo "my thesis draft" >thesis.db
    before=$(sha256sum thesis.db)
    set +e
    "$TMEX" run c.yaml --db thesis.db 2>err.log
    rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "not a tmex store" err.log || fail "foreign file: $rc $(cat err.log)"
    [ "$before" = "$(sha256sum thesis.db)" ] || fail "foreign file changed"
    cp ref.db corrupt.db
    sqlite3 corrupt.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    size=$(stat -c %s corrupt.db)
    dd if=/dev/urandom of=corrupt.db bs=1 seek=$((size / 2)) count=4096 conv=notrunc 2>/dev/null
    set +e
    "$TMEX" run c.yaml --db corrupt.db 2>err.log
    rc=$?
    "$TMEX" status corrupt.db >/dev/null 2>>err.log
    rc2=$?
    set -e
    [ "$rc" != 0 ] && [ "$rc2" != 0 ] || fail "corrupt store accepted ($rc, $rc2)"
    ! grep -qiE "terminate|abort|segmentation" err.log || fail "corrupt store crashed: $(cat err.log)"
    # A store from a newer tmex.
    cp ref.db newer.db
    sqlite3 newer.db 'PRAGMA user_version = 99'
    set +e
    "$TMEX" run c.yaml --db newer.db 2>err.log
    rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "newer tmex" err.log || fail "newer schema: $rc $(cat err.log)"
    ;;
  second-writer)  # a second run on a store that another run is writing is refused
    write_config c.yaml faulty 400 1 "sleep_ms: 5"
    launch_bg 0 run c.yaml 2>/dev/null
    pid=$!
    sleep 1
    set +e
    "$TMEX" run c.yaml 2>err.log
    rc=$?
    set -e
    kill -TERM "$pid"
    wait "$pid" || true
    [ "$rc" = 1 ] || fail "second writer: exit status $rc, expected 1"
    grep -q "being written by another tmex run" err.log || fail "second writer: $(cat err.log)"
    [ "$(sqlite3 campaign.db 'PRAGMA integrity_check')" = ok ] || fail "store damaged"
    ;;
  failures)  # every failure kind is stored with its reason; the campaign goes on
    write_config c.yaml faulty 300 1 "throw_below: 0.1, invalid_below: 0.2, solver_below: 0.2, nan_below: 0.5, hang_below: -0.9, hang_ms: 30000"
    sed -i 's/execution: {/execution: {evaluation_timeout: 0.5, max_failure_fraction: 1, /' c.yaml
    launch "$1" run c.yaml 2>err.log || fail "campaign failed: $(tail -3 err.log)"
    for kind in exception invalid_parameters non_finite solver_failure timeout ok; do
      n=$(sqlite3 campaign.db "SELECT count(*) FROM runs WHERE status = '$kind'")
      [ "$n" -gt 0 ] || fail "no run with status $kind"
    done
    sqlite3 campaign.db "SELECT error FROM runs WHERE status = 'timeout' LIMIT 1" | grep -q watchdog ||
      fail "hang not stopped by the watchdog"
    [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 300 ] || fail "runs missing"
    "$TMEX" status campaign.db >status.txt
    grep -q "e.g. samples" status.txt || fail "status shows no failure groups"
    groups=$(grep -c "e.g. samples" status.txt)
    [ "$groups" -le 6 ] || fail "$groups failure groups: reasons differing in numbers not merged"
    ;;
  failure-limit)  # a model that fails everywhere stops the campaign with status 4
    write_config c.yaml faulty 2000 1 "throw_below: 2"
    set +e
    launch "$1" run c.yaml 2>err.log
    rc=$?
    set -e
    cat err.log
    [ "$rc" = 4 ] || fail "exit status $rc, expected 4"
    grep -q "max_failure_fraction" err.log || fail "no explanation"
    stored=$(sqlite3 campaign.db 'SELECT count(*) FROM runs')
    [ "$stored" -lt 2000 ] || fail "the campaign ran to the end"
    ;;
  extend)  # design.extend_from enlarges a finished LHS campaign; still a Latin hypercube
    write_config a.yaml ishigami 400 1 "a: 7"
    launch 0 run a.yaml 2>/dev/null
    rows campaign.db >before.txt
    sed 's/samples: 400, replicates: 1}/samples: 1200, replicates: 1}/; s/design: {method: lhs}/design: {method: lhs, extend_from: 400}/' a.yaml >b.yaml
    launch 2 run b.yaml 2>err.log || fail "extension run failed: $(cat err.log)"
    grep -q "extending campaign" err.log || fail "no extension message"
    [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 1200 ] || fail "not 1200 runs"
    diff before.txt <(rows campaign.db | head -400) >/dev/null || fail "original rows changed"
    # Every column of the 1200 points occupies each of its 1200 strata once.
    for col in "x1, -1.0" "x2, 0.1" "x3, -1.0"; do
      set -- ${col//,/}
      if [ "$1" = x2 ]; then expr="CAST((ln($1) - ln(0.1)) / (ln(10) - ln(0.1)) * 1200 AS INTEGER)"
      else lo=$2; hi=1; [ "$1" = x3 ] || { lo=0; }; expr="CAST(($1 - $lo) / ($hi - $lo) * 1200 AS INTEGER)"; fi
      distinct=$(sqlite3 campaign.db "SELECT count(DISTINCT $expr) FROM runs")
      [ "$distinct" = 1200 ] || fail "column $1 hits $distinct of 1200 strata"
    done
    # The original config is now refused, the extended one is complete.
    set +e
    launch 0 run a.yaml 2>/dev/null
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "the original config was accepted after the extension"
    launch 0 run b.yaml 2>&1 | contains "is complete" || fail "extended campaign not complete"
    ;;
  sample)  # tmex sample writes the design that tmex run then evaluates, and its quality
    write_config c.yaml ishigami 300 1 "a: 7"
    "$TMEX" sample c.yaml -o design.csv 2>quality.txt
    [ "$(wc -l <design.csv)" = 301 ] || fail "design.csv has $(wc -l <design.csv) lines"
    grep -q "min pairwise distance" quality.txt || fail "no quality: $(cat quality.txt)"
    [ ! -e campaign.db ] || fail "tmex sample created a store"
    launch 0 run c.yaml 2>/dev/null
    diff <(tail -n +2 design.csv | cut -d, -f1,3-5) \
      <(sqlite3 -csv campaign.db "SELECT sample, printf('%.17g', x1), printf('%.17g', x2),
        printf('%.17g', x3) FROM runs ORDER BY sample") >/dev/null ||
      python3 - design.csv campaign.db <<'PY' || fail "design.csv differs from the stored samples"
import csv, sqlite3, sys
rows = list(csv.reader(open(sys.argv[1])))[1:]
db = sqlite3.connect(sys.argv[2]).execute("SELECT x1, x2, x3 FROM runs ORDER BY sample").fetchall()
assert len(rows) == len(db)
for r, d in zip(rows, db):
    assert [float(v) for v in r[2:5]] == list(d), (r, d)
PY
    sqlite3 campaign.db "SELECT value FROM meta WHERE key = 'extra.design_min_distance'" | grep -q . ||
      fail "design quality not stored"
    ;;
  long-eval-stop)  # a stop is prompt even while every evaluation hangs for a minute
    n=$1
    write_config c.yaml faulty 50 1 "hang_below: 2, hang_ms: 60000"
    launch_bg "$n" run c.yaml >run.log 2>&1
    pid=$!
    for _ in $(seq 200); do grep -q "runs to do" run.log 2>/dev/null && break; sleep 0.05; done
    sleep 1
    start=$(date +%s.%N)
    kill -USR1 "$pid"
    set +e
    wait "$pid"
    rc=$?
    set -e
    took=$(echo "$(date +%s.%N) - $start" | bc)
    cat run.log
    [ "$rc" = 3 ] || fail "exit status $rc, expected 3"
    [ "$(echo "$took < 10" | bc)" = 1 ] || fail "the stop took $took s"
    [ "$(sqlite3 campaign.db "SELECT outcome FROM sessions ORDER BY id DESC LIMIT 1")" = interrupted ] ||
      fail "session not recorded as interrupted"
    echo "stopped $took s after the signal"
    ;;
  bad-config-corpus)  # check and run on every malformed config: exit 2, one located line, nothing made
    corpus=$1
    n=0
    mkdir empty
    for f in "$corpus"/*.yaml; do
      for cmd in check run; do
        set +e
        (cd empty && timeout 120 "$TMEX" "$cmd" "$f" >../out.log 2>../err.log)
        rc=$?
        set -e
        [ "$rc" = 2 ] || fail "$cmd $f: exit status $rc, expected 2: $(head -c 300 err.log)"
        grep -q "^tmex: error: $f:" err.log || fail "$cmd $f: no located error: $(head -c 300 err.log)"
        [ -z "$(ls -A empty)" ] || fail "$cmd $f: made $(ls -A empty)"
      done
      n=$((n + 1))
    done
    [ "$n" -ge 100 ] || fail "only $n configs in the corpus"
    echo "$n malformed configs refused"
    ;;
  stop-after)  # --stop-after stops cleanly and the next run finishes
    write_config c.yaml faulty 300 1 "sleep_ms: 5"
    set +e
    launch 2 run c.yaml --stop-after 0.6 2>/dev/null
    rc=$?
    set -e
    [ "$rc" = 3 ] || fail "exit status $rc, expected 3"
    launch 2 run c.yaml 2>/dev/null
    [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 300 ] || fail "resume incomplete"
    ;;
  deadline)  # --deadline (ISO 8601, local time) stops cleanly --deadline-margin before it
    write_config c.yaml faulty 300 1 "sleep_ms: 20"
    set +e
    launch 2 run c.yaml --deadline "$(date -d "@$(($(date +%s) + 62))" +%FT%T)" \
      --deadline-margin 60 2>err.log
    rc=$?
    set -e
    [ "$rc" = 3 ] || fail "exit status $rc, expected 3: $(cat err.log)"
    grep -q "stopping 60 s before it" err.log || fail "deadline not reported: $(cat err.log)"
    stored=$(sqlite3 campaign.db 'SELECT count(*) FROM runs')
    [ "$stored" -lt 300 ] || fail "the deadline did not stop the campaign"
    launch 2 run c.yaml --deadline-margin 0 --deadline "@$(($(date +%s) + 600))" 2>/dev/null
    [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 300 ] || fail "resume incomplete"
    set +e
    launch 0 run c.yaml --deadline tomorrow 2>err.log
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "exit status $rc for a bad --deadline, expected 2"
    grep -q "got 'tomorrow'" err.log || fail "bad --deadline not named: $(cat err.log)"
    # Times that used to be ignored or to wrap around are refused (exit 2) before anything runs.
    for bad in "--stop-after nan" "--deadline-margin nan" "--deadline 2300-01-01T00:00"; do
      set +e
      # shellcheck disable=SC2086
      launch 0 run c.yaml $bad 2>err.log
      rc=$?
      set -e
      [ "$rc" = 2 ] || fail "$bad: exit status $rc, expected 2: $(cat err.log)"
    done
    # A limit beyond what the clock holds means no limit, not "stop at once" (exit 3).
    write_config e.yaml faulty 40 1 "sleep_ms: 1"
    launch 0 run e.yaml --db far.db --stop-after 1e10 2>err.log ||
      fail "--stop-after 1e10: $(cat err.log)"
    [ "$(sqlite3 far.db 'SELECT count(*) FROM runs')" = 40 ] || fail "--stop-after 1e10 stopped early"
    ;;
  verify)  # tmex verify: untouched stores are identical at any rank count; tampering is named
    n=$1
    write_config c.yaml faulty 400 2 "throw_below: 0.1, nan_below: 0.3"
    launch 0 run c.yaml 2>/dev/null
    sqlite3 campaign.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    before=$(sha256sum campaign.db)
    launch "$n" verify campaign.db --fraction 1 2>out.log || fail "untouched store: $(cat out.log)"
    grep -q "identical: 800 re-evaluated runs" out.log || fail "not all compared: $(cat out.log)"
    failed=$(sqlite3 campaign.db "SELECT count(*) FROM runs WHERE status <> 'ok'")
    grep -q "($failed failed ones among them)" out.log || fail "failed runs not re-checked"
    [ "$before" = "$(sha256sum campaign.db)" ] || fail "verify changed the store"
    # The same subset at any rank count: the selection depends on --seed and --fraction only.
    launch 0 verify campaign.db --fraction 0.25 --seed 9 2>one.log
    launch "$n" verify campaign.db --fraction 0.25 --seed 9 2>many.log
    [ "$(grep -o 'verifying [0-9]* of' one.log)" = "$(grep -o 'verifying [0-9]* of' many.log)" ] ||
      fail "subset differs: $(cat one.log many.log)"
    # One output of one successful run changed in its last digits: named with sample and column.
    id=$(sqlite3 campaign.db "SELECT id FROM runs WHERE status = 'ok' AND replicate = 1
                              ORDER BY id LIMIT 1 OFFSET 17")
    sample=$(sqlite3 campaign.db "SELECT sample FROM runs WHERE id = $id")
    sqlite3 campaign.db "UPDATE runs SET y2 = y2 + 1e-15 * abs(y2) + 1e-300 WHERE id = $id"
    set +e
    launch "$n" verify campaign.db --fraction 1 2>out.log
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "tampered value: exit status $rc, expected 1: $(cat out.log)"
    grep -q "differs: sample $sample replicate 1: y2: stored" out.log ||
      fail "tampered value not named: $(cat out.log)"
    grep -q "1 of 800 re-evaluated runs differ" out.log || fail "count: $(cat out.log)"
    # A failed run recorded as ok: the status is the first differing column.
    fid=$(sqlite3 campaign.db "SELECT id FROM runs WHERE status = 'non_finite' ORDER BY id LIMIT 1")
    fsample=$(sqlite3 campaign.db "SELECT sample || ' replicate ' || replicate FROM runs WHERE id = $fid")
    sqlite3 campaign.db "UPDATE runs SET status = 'ok' WHERE id = $fid"
    set +e
    launch "$n" verify campaign.db --fraction 1 2>out.log
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "tampered status: exit status $rc"
    grep -q "differs: sample $fsample: status: stored ok.*, recomputed non_finite" out.log ||
      fail "tampered status not named: $(cat out.log)"
    # Trajectories: a stored value changed is found and named with its variable and time.
    sed -E "s/samples: *[0-9]+/samples: 60/; s|^storage:.*|storage: {path: emdr.db}|;
            s|^  name: emdr|  name: emdr\n  trajectory_times: [0, 60, 120]|" \
      "$TESTS_DIR/../examples/emdr.yaml" >emdr.yaml
    launch 0 run emdr.yaml 2>/dev/null
    launch "$n" verify emdr.db 2>out.log || fail "emdr with trajectories: $(cat out.log)"
    grep -q "identical: 60 re-evaluated runs" out.log || fail "emdr: $(cat out.log)"
    run=$(sqlite3 emdr.db "SELECT min(run) FROM trajectories")
    tsample=$(sqlite3 emdr.db "SELECT sample FROM runs WHERE id = $run")
    sqlite3 emdr.db "UPDATE trajectories SET value = value * 2 + 1 WHERE run = $run AND variable = 1 AND time_index = 2"
    set +e
    launch "$n" verify emdr.db 2>out.log
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "tampered trajectory: exit status $rc"
    grep -q "differs: sample $tsample replicate 0: trajectory F at t = 120" out.log ||
      fail "tampered trajectory not named: $(cat out.log)"
    # Bad input: exit 2 and nothing created.
    for args in "missing.db" "c.yaml" "campaign.db --fraction 0" "campaign.db --fraction 1.5"; do
      set +e
      # shellcheck disable=SC2086
      launch 0 verify $args 2>err.log
      rc=$?
      set -e
      [ "$rc" = 2 ] || fail "verify $args: exit status $rc, expected 2: $(cat err.log)"
    done
    [ ! -e missing.db ] || fail "verify created a store"
    ;;
  provenance)  # sessions record provenance; status shows it; design versions and old stores
    write_config c.yaml linear 300 1 "noise_sd: 0.3"
    launch 2 run c.yaml 2>/dev/null
    for key in tmex_version tmex_commit tmex_commit_dirty compiler cxx_flags boost yaml_cpp sqlite \
      mpi_library libc hosts model model_version; do
      value=$(sqlite3 campaign.db "SELECT value FROM session_provenance WHERE key = '$key'")
      [ -n "$value" ] || fail "provenance $key missing"
    done
    sqlite3 campaign.db "SELECT value FROM session_provenance WHERE key = 'mpi_library'" |
      grep -q "Open MPI" || fail "MPI library version not recorded"
    "$TMEX" status campaign.db >status.txt
    grep -q "^provenance (session 1):" status.txt || fail "status shows no provenance"
    grep -qE "^  tmex_commit +[0-9a-f]{40}$|^  tmex_commit +unknown$" status.txt ||
      fail "no commit in status: $(cat status.txt)"
    # A store whose design an older design algorithm built is resumed with that algorithm; one
    # that no algorithm of this tmex builds is refused and left alone.
    sqlite3 campaign.db "DELETE FROM runs WHERE sample >= 200;
      UPDATE meta SET value = '1' WHERE key = 'design_algorithm_version'"
    launch 0 run c.yaml --stop-after 600 2>err.log || fail "older design algorithm: $(cat err.log)"
    grep -q "building that version" err.log || fail "no note on the design version: $(cat err.log)"
    launch 0 verify campaign.db 2>err.log || fail "verify after resume: $(cat err.log)"
    sqlite3 campaign.db "DELETE FROM runs WHERE sample >= 200;
      UPDATE meta SET value = '3' WHERE key = 'design_algorithm_version'"
    before=$(sha256sum campaign.db)
    set +e
    launch 0 run c.yaml 2>err.log
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "unknown design algorithm: exit status $rc, expected 2: $(cat err.log)"
    grep -q "design algorithm version 3" err.log || fail "not explained: $(cat err.log)"
    [ "$before" = "$(sha256sum campaign.db)" ] || fail "store changed"
    set +e
    "$TMEX" check c.yaml 2>err.log >/dev/null
    rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "design algorithm version 3" err.log || fail "check: $rc $(cat err.log)"
    # A store of schema version 1 (tmex 0.1.0) is read, verified with --config, not resumed.
    sqlite3 campaign.db "
      DELETE FROM meta WHERE key IN ('config_yaml', 'config_file', 'design_algorithm_version');
      DROP TABLE session_provenance; PRAGMA user_version = 1"
    "$TMEX" status campaign.db >status.txt || fail "status of a version 1 store"
    grep -q "provenance: not recorded" status.txt || fail "$(cat status.txt)"
    "$TMEX" export campaign.db -o runs.csv || fail "export of a version 1 store"
    before=$(sha256sum campaign.db)
    set +e
    launch 0 run c.yaml 2>err.log
    rc=$?
    "$TMEX" verify campaign.db 2>verr.log
    vrc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "can be read (status, analyze, export, verify) but not resumed" err.log ||
      fail "version 1 store: $rc $(cat err.log)"
    [ "$vrc" = 2 ] && grep -q "give the campaign's YAML with --config" verr.log ||
      fail "verify without config: $vrc $(cat verr.log)"
    "$TMEX" verify campaign.db --config c.yaml 2>verr.log || fail "verify --config: $(cat verr.log)"
    [ "$before" = "$(sha256sum campaign.db)" ] || fail "version 1 store changed"
    ;;
  limits)  # the largest campaign runs in bounded memory; larger ones are refused before anything
    cat >big.yaml <<YAML
campaign: {name: big, seed: 1, samples: 1099511627776}
model: {name: ishigami}
parameters:
  x1: {distribution: uniform, min: -3.14, max: 3.14}
  x2: {distribution: uniform, min: -3.14, max: 3.14}
storage: {path: big.db}
execution: {progress_interval: 0.5, commit_interval: 0.2}
YAML
    # Rank 0's memory for 2^40 samples is that of a 10^7-sample campaign run as long (the same
    # binary, so this holds under the sanitizers too; the 2^40 resume set alone was 137 GB).
    sed 's/samples: 1099511627776/samples: 10000000/; s/big.db/small.db/' big.yaml >small.yaml
    set +e
    launch 2 run small.yaml --stop-after 2 2>small.log
    launch 2 run big.yaml --stop-after 2 2>err.log
    rc=$?
    set -e
    [ "$rc" = 3 ] || fail "2^40 samples: exit status $rc, expected 3: $(cat err.log)"
    rss=$(grep -o 'peak RSS [0-9]* MB' err.log | grep -o '[0-9]*')
    small=$(grep -o 'peak RSS [0-9]* MB' small.log | grep -o '[0-9]*')
    [ "$rss" -le $((small * 3 / 2 + 30)) ] ||
      fail "2^40 samples: rank 0 peak RSS $rss MB, $small MB at 10^7"
    launch 2 run big.yaml --stop-after 1 2>/dev/null || [ $? = 3 ] || fail "resume of 2^40"
    "$TMEX" status big.db | contains "of 1099511627776 stored" || fail "status of 2^40"
    for bad in "samples: 1099511627777" "samples: 1099511628, replicates: 1001"; do
      sed "s/samples: 1099511627776/$bad/" big.yaml >over.yaml
      sed -i 's/big.db/over.db/' over.yaml
      set +e
      "$TMEX" check over.yaml 2>err.log
      rc=$?
      launch 0 run over.yaml 2>>err.log
      rc2=$?
      set -e
      [ "$rc" = 2 ] && [ "$rc2" = 2 ] || fail "$bad: exit statuses $rc $rc2"
      grep -q "over.yaml:1:[0-9]*: campaign" err.log || fail "$bad: no file:line:column: $(cat err.log)"
      [ ! -e over.db ] || fail "$bad: a store was created"
    done
    ;;
  *)
    fail "unknown test $TEST"
    ;;
esac
echo "PASS: $TEST $*"
