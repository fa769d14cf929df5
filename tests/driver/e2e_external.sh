#!/usr/bin/env bash
# End-to-end tests of the external model through the tmex executable: the example campaign on
# 2 ranks x per_rank 2 equals the single-process run, a missing program is a config error
# (exit 2), and stopping tmex leaves no program running, not even detached ones. Usage: e2e_external.sh TMEX EXAMPLES TEST
set -euo pipefail
TMEX=$(realpath "$1")
EXAMPLES=$(realpath "$2")
TEST=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1
export OMPI_MCA_rmaps_base_oversubscribe=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmex-e2e-external.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }
# Processes whose command line holds PATTERN (pgrep fails when there are none).
count() { pgrep -f "$1" | wc -l || true; }

rows() {
  sqlite3 "$1" "SELECT sample, replicate, status, quote(rate), quote(capacity), quote(kill),
                quote(final_burden), quote(log10_fold_change), quote(error)
                FROM runs ORDER BY sample, replicate"
}

case "$TEST" in
  campaign)  # the shell example on 2 ranks with 2 programs at once per rank
    # The default scratch space is the system temp directory: a fresh one shows leftovers.
    mkdir tmp
    export TMPDIR=$WORK/tmp
    "$TMEX" run "$EXAMPLES/external_shell.yaml" --db single.db 2>/dev/null
    mpiexec --oversubscribe -n 2 "$TMEX" run "$EXAMPLES/external_shell.yaml" --db par.db 2>par.log
    [ "$(sqlite3 par.db "SELECT count(*) FROM runs WHERE status = 'ok'")" = 200 ] ||
      { cat par.log; sqlite3 par.db "SELECT status, error FROM runs WHERE status != 'ok' LIMIT 5"; fail "expected 200 ok runs"; }
    diff <(rows single.db) <(rows par.db) >/dev/null || fail "rows differ between 1 process and 2 ranks"
    # The values are the closed form's: N(T) below the capacity, the fold change consistent.
    bad=$(sqlite3 par.db "SELECT count(*) FROM runs WHERE final_burden <= 0 OR final_burden > capacity
            OR abs(log10_fold_change - log(10, final_burden / 1e6)) > 1e-9")
    [ "$bad" = 0 ] || fail "$bad rows with inconsistent outputs"
    [ -z "$(ls tmp | grep '^tmex-s')" ] || fail "scratch directories left: $(ls tmp)"
    ;;
  missing-program)  # a missing program is a configuration error, exit 2, nothing created
    mkdir -p cfg/external
    sed 's|command: \[external/shell_model.sh\]|command: [external/no_such_model.sh]|' \
      "$EXAMPLES/external_shell.yaml" >cfg/c.yaml
    set +e
    "$TMEX" run cfg/c.yaml --db m.db 2>err.log
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "exit status $rc, expected 2"
    grep -q "cfg/c.yaml:8:3: model: model 'external': program 'external/no_such_model.sh' not found" err.log ||
      fail "unexpected message: $(cat err.log)"
    [ ! -e m.db ] || fail "a store was created"
    ;;
  stop)  # SIGTERM while programs run: tmex stops and no program outlives it
    cat >slow.sh <<'SH'
#!/bin/sh
sleep 30.5
echo '{"y": 1}'
SH
    chmod +x slow.sh
    cat >c.yaml <<YAML
campaign: {name: stop, seed: 1, samples: 20}
model: {name: external, command: [./slow.sh], outputs: [y]}
parameters:
  x: {distribution: uniform, min: 0, max: 1}
storage: {path: stop.db}
execution: {per_rank: 3, drain_timeout: 0.5, progress_interval: 0.5}
YAML
    "$TMEX" run c.yaml 2>run.log &
    pid=$!
    for _ in $(seq 1 100); do
      [ "$(count 'sleep 30.5')" -ge 3 ] && break
      sleep 0.1
    done
    [ "$(count 'sleep 30.5')" -ge 3 ] || fail "the programs did not start"
    kill -TERM "$pid"
    set +e
    wait "$pid"
    rc=$?
    set -e
    [ "$rc" = 3 ] || { cat run.log; fail "exit status $rc, expected 3"; }
    sleep 0.3
    left=$(count 'sleep 30.5')
    [ "$left" = 0 ] || fail "$left programs outlived tmex"
    ;;
  detached)  # processes a program detaches (setsid, double fork, cleared environment) end too
    cat >detach.sh <<SH
#!/bin/sh
# A daemon in a session of its own, one behind a double fork, and one that clears its
# environment; each sleeps far past the campaign.
setsid sleep 600.25 >/dev/null 2>&1 &
echo \$! >>$WORK/pids
(setsid sleep 600.25 >/dev/null 2>&1 & echo \$! >>$WORK/pids)
env -i setsid sleep 600.25 >/dev/null 2>&1 &
echo \$! >>$WORK/pids
echo '{"y": 1}'
SH
    chmod +x detach.sh
    cat >c.yaml <<YAML
campaign: {name: detach, seed: 1, samples: 6}
model: {name: external, command: [./detach.sh], outputs: [y]}
parameters:
  x: {distribution: uniform, min: 0, max: 1}
storage: {path: detach.db}
execution: {per_rank: 2}
YAML
    for ranks in 1 3; do
      rm -f pids detach.db
      if [ "$ranks" = 1 ]; then
        "$TMEX" run c.yaml 2>run.log || fail "campaign failed: $(cat run.log)"
      else
        mpiexec --oversubscribe -n 3 "$TMEX" run c.yaml 2>run.log || fail "campaign failed: $(cat run.log)"
      fi
      [ "$(sqlite3 detach.db "SELECT count(*) FROM runs WHERE status = 'ok'")" = 6 ] ||
        fail "runs failed: $(sqlite3 detach.db 'SELECT error FROM runs LIMIT 3')"
      [ "$(wc -l <pids)" = 18 ] || fail "$(wc -l <pids) processes recorded, expected 18"
      left=0
      while read -r p; do
        if kill -0 "$p" 2>/dev/null && grep -q '600.25' "/proc/$p/cmdline" 2>/dev/null; then
          left=$((left + 1))
        fi
      done <pids
      [ "$left" = 0 ] || fail "$left detached processes outlived the campaign on $ranks ranks"
    done
    ;;
  *)
    fail "unknown test $TEST"
    ;;
esac
echo "ok: $TEST"
