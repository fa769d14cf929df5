#!/usr/bin/env bash
# End-to-end test of jobs/ against a real SLURM: starts a one-node cluster on localhost (munged,
# slurmctld, slurmd; no systemd, no cgroups), submits jobs/tmex.sbatch, jobs/tmex-array.sbatch
# and jobs/tmex-chain with time limits shorter than their campaigns, waits until they are done
# and checks that every store is complete, equal to a direct run, and shows the interruptions.
# Installs nothing: expects Debian's slurmctld, slurmd, slurm-client and munge (.ci/install-slurm)
# and must run as root. Exits 77 (skipped) when SLURM is missing or cannot be started, unless
# TMEX_REQUIRE_SLURM=1.
# Usage: slurm_test.sh TMEX JOBS_DIR
set -uo pipefail
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
TMEX=$(realpath "$1")
JOBS=$(realpath "$2")
SKIP=77
START=$SECONDS

say() { echo "[slurm-test +$((SECONDS - START))s] $*"; }
# TMEX_REQUIRE_SLURM=1 (CI, after .ci/install-slurm) turns a skip into a failure.
skip() {
  if [ "${TMEX_REQUIRE_SLURM:-0}" = 1 ]; then
    echo "FAIL (TMEX_REQUIRE_SLURM=1): $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit "$SKIP"
}
fail() {
  echo "FAIL: $*" >&2
  FAILED=1
  exit 1
}

for cmd in slurmctld slurmd sbatch squeue scontrol scancel sinfo munged munge unmunge runuser \
  sqlite3; do
  command -v "$cmd" >/dev/null || skip "$cmd not found (install SLURM with .ci/install-slurm)"
done
[ "$(id -u)" = 0 ] || skip "needs root (SlurmUser=root, munged started with runuser)"
# Our own ports, so that a SLURM already on this machine is neither used nor disturbed.
CTLD_PORT=16817
SLURMD_PORT=16818
for port in $CTLD_PORT $SLURMD_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then skip "port $port is in use"; fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmex-slurm.XXXXXX")
chmod 755 "$WORK"
export SLURM_CONF=$WORK/slurm.conf
MUNGED_PID=""
FAILED=0

# Stops what this test started, by process id: the jobs first (their steps would outlive the
# daemons), then slurmd, slurmctld and a munged we started.
cleanup() {
  local rc=$?
  set +e
  if [ -e "$WORK/slurmctld.pid" ]; then
    for signal in TERM KILL; do
      scancel --full --quiet --signal="$signal" --user=root 2>/dev/null
      for _ in $(seq 1 20); do
        [ -z "$(squeue -h 2>/dev/null)" ] && break 2
        sleep 1
      done
    done
  fi
  for daemon in slurmd slurmctld; do
    local pid
    pid=$(cat "$WORK/$daemon.pid" 2>/dev/null)
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && break
        sleep 0.1
      done
    fi
  done
  if [ -n "$MUNGED_PID" ]; then kill "$MUNGED_PID" 2>/dev/null; fi
  if [ "$rc" != 0 ] && [ "$rc" != "$SKIP" ] || [ "$FAILED" = 1 ]; then
    for f in "$WORK"/*.log "$WORK"/log/*.log; do
      [ -e "$f" ] || continue
      echo "----- $f (last 40 lines)"
      tail -n 40 "$f"
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- munge: use a running munged, or start one (Debian's key, socket in /run/munge) ---------
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -r /etc/munge/munge.key ] || skip "no /etc/munge/munge.key (is munge installed?)"
  mkdir -p /run/munge && chown munge:munge /run/munge && chmod 755 /run/munge
  runuser -u munge -- /usr/sbin/munged || skip "munged did not start"
  MUNGED_PID=$(cat /run/munge/munged.pid 2>/dev/null)
  munge -n | unmunge >/dev/null 2>&1 || skip "munge does not work after starting munged"
fi

# --- a one-node cluster on localhost ---------------------------------------------------------
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/log"
cat >"$SLURM_CONF" <<EOF
ClusterName=tmextest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=pmix
ReturnToService=2
KillWait=10
MinJobAge=600
SchedulerParameters=sched_interval=5,bf_interval=5
AuthInfo=cred_expire=10
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
# The test's models sleep: several jobs may share a CPU.
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE OverSubscribe=FORCE:4 State=UP
EOF
slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N localhost || skip "slurmd did not start"
for _ in $(seq 1 40); do
  [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && break
  sleep 0.5
done
[ "$(sinfo -h -o %t 2>/dev/null)" = idle ] ||
  skip "the node did not become idle: $(sinfo 2>&1 | tail -1); $(tail -3 "$WORK/log/slurmd.log")"
say "cluster up: $(sinfo -h -o '%P %t %c CPUs')"

# --- the campaigns ---------------------------------------------------------------------------
cd "$WORK" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1
export TMEX="$TMEX"
write_config() {  # write_config FILE NAME SAMPLES SETTINGS [SLEEP_MS (100)]
  cat >"$1" <<YAML
campaign: {name: $2, seed: 20261129, samples: $3, replicates: 1}
design: {method: lhs}
model:
  name: faulty
  settings: {sleep_ms: ${5:-100}, $4}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: loguniform, min: 0.1, max: 10}
  x3: {distribution: uniform, min: -1, max: 1}
storage: {path: $2.db}
execution: {progress_interval: 10, commit_interval: 0.5, drain_timeout: 5}
YAML
}
# One job: 40 s of evaluations on 1 worker rank, time limit 1 minute; the early warning
# signal (USR1) stops it (tmex does not read the job's end time here).
write_config single.yaml single 400 "nan_below: 0.3"
# Two arms with the same seed (the same parameter samples), 30 s each on one process; tmex's
# own reading of the job's end time stops them (--deadline-margin 40).
write_config arm_a.yaml arm_a 300 "nan_below: 0.2"
write_config arm_b.yaml arm_b 300 "throw_below: 0.3"
# A chain of 4 links of 1 minute, launched with mpirun, 40 s of evaluations stopped 30 s
# before each link's end.
write_config chain.yaml chain 400 "solver_below: 0.3"

# A campaign that stops itself (checkpoints 25, 50, ..., 1600 samples; it converges at 800, 48 s
# of evaluations on one process, so the job's early warning interrupts it and the requeued job
# goes on): the same checks and rows as a direct run.
write_config auto.yaml auto 1600 "throw_below: 0.05" 60
echo "convergence: {start: 25, outputs: [y2], halfwidth: 0.012, stable_top: 2}" >>auto.yaml

# Direct runs of the same campaigns, in the background while SLURM works: 16 evaluations at a
# time (an execution setting; the rows do not depend on it).
for c in single arm_a arm_b chain auto; do
  sed 's/drain_timeout: 5}/drain_timeout: 5, per_rank: 16}/' "$c.yaml" >"ref_$c.yaml"
  "$TMEX" run "ref_$c.yaml" --db "ref_$c.db" >"ref_$c.out" 2>&1 &
done

export TMEX_MIN_SESSION_S=5  # the test's sessions are short
JOB_SINGLE=$(TMEX_CONFIG=single.yaml TMEX_ARGS=--no-slurm-deadline sbatch --parsable --time=1 --nodes=1 --ntasks-per-node=2 \
  --signal=B:USR1@20 "$JOBS/tmex.sbatch") || fail "sbatch tmex.sbatch"
JOB_AUTO=$(TMEX_CONFIG=auto.yaml TMEX_ARGS=--no-slurm-deadline sbatch --parsable --time=1 \
  --nodes=1 --ntasks-per-node=1 --signal=B:USR1@20 "$JOBS/tmex.sbatch") || fail "sbatch (auto)"
JOB_ARRAY=$(TMEX_CONFIGS="arm_a.yaml arm_b.yaml" TMEX_ARGS="--deadline-margin 40" sbatch \
  --parsable --time=1 --array=0-1 --nodes=1 --ntasks-per-node=1 --signal=B:USR1@5 \
  "$JOBS/tmex-array.sbatch") || fail "sbatch tmex-array.sbatch"
CHAIN_OUT=$(TMEX_CONFIG=chain.yaml TMEX_ARGS="--deadline-margin 30" TMEX_LAUNCHER=mpirun "$JOBS/tmex-chain" \
  --links 4 --time=1 --nodes=1 --ntasks-per-node=2 --signal=B:USR1@5 \
  --output=chain-%j.log) || fail "tmex-chain: $CHAIN_OUT"
read -r -a CHAIN <<<"$(echo "$CHAIN_OUT" | tail -1)"
# A chain whose campaign is invalid: the first link fails (status 2) and cancels the others.
printf 'campaign: {name: bad, seed: 1, samples: -5}\n' >bad.yaml
BAD_OUT=$(TMEX_CONFIG=bad.yaml "$JOBS/tmex-chain" --links 3 --time=1 --nodes=1 \
  --ntasks-per-node=1 --output=bad-%j.log) || fail "tmex-chain: $BAD_OUT"
read -r -a BAD <<<"$(echo "$BAD_OUT" | tail -1)"
say "submitted: single $JOB_SINGLE, auto $JOB_AUTO, array $JOB_ARRAY, chain ${CHAIN[*]}"

# A long campaign cancelled with scancel: it stops cleanly and is not requeued.
write_config cancel.yaml cancel 2000 ""
JOB_CANCEL=$(TMEX_CONFIG=cancel.yaml sbatch --parsable --time=5 --nodes=1 --ntasks-per-node=1 \
  "$JOBS/tmex.sbatch") || fail "sbatch tmex.sbatch (cancel)"
for _ in $(seq 1 60); do
  # -readonly: sqlite3 must not create the file before tmex does.
  [ -e cancel.db ] && [ "$(sqlite3 -readonly cancel.db 'SELECT count(*) FROM runs' 2>/dev/null ||
    echo 0)" -gt 0 ] && break
  sleep 0.5
done
scancel "$JOB_CANCEL"
say "cancelled job $JOB_CANCEL"

wait  # the direct runs
for c in single arm_a arm_b chain auto; do
  grep -q "complete" "ref_$c.out" || fail "direct run $c: $(cat "ref_$c.out")"
done
say "direct runs done"

# --- wait (bounded) until every job has left the queue ---------------------------------------
LIMIT=300
while [ -n "$(squeue -h -o %i)" ]; do
  [ $((SECONDS - START)) -lt "$LIMIT" ] || fail "jobs still queued after ${LIMIT}s: $(squeue)"
  restarts=$(scontrol show job | grep -o 'Restarts=[0-9]*' | cut -d= -f2 | sort -n | tail -1)
  [ "${restarts:-0}" -le 6 ] || fail "a job was requeued $restarts times: $(squeue)"
  sleep 3
done
say "all jobs done"

# --- checks ---------------------------------------------------------------------------------
# rows DB: the stored runs with exact values (tests/store_rows.sh).
source "$TESTS_DIR/store_rows.sh"
job_state() { scontrol show job "$1" | grep -o 'JobState=[A-Z]*' | cut -d= -f2; }

check_store() {  # check_store NAME SAMPLES
  local db=$1.db
  [ -e "$db" ] || fail "$db was not created"
  [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "$db: integrity check"
  [ "$(sqlite3 "$db" 'SELECT count(*) FROM runs')" = "$2" ] || fail "$db: not $2 runs"
  [ "$(sqlite3 "$db" "SELECT count(DISTINCT status) FROM runs")" -ge 2 ] ||
    fail "$db: no failed runs (the campaign should have some)"
  diff <(rows "ref_$1.db") <(rows "$db") >/dev/null || fail "$db: rows differ from a direct run"
  local sessions interrupted
  sessions=$(sqlite3 "$db" "SELECT count(*) FROM sessions WHERE slurm_job_id != ''")
  interrupted=$(sqlite3 "$db" "SELECT count(*) FROM sessions WHERE outcome = 'interrupted'")
  [ "$sessions" -ge 2 ] || fail "$db: $sessions sessions with a SLURM job id, expected >= 2"
  [ "$interrupted" -ge 1 ] || fail "$db: no interrupted session"
  [ "$(sqlite3 "$db" "SELECT outcome FROM sessions ORDER BY id DESC LIMIT 1")" = complete ] ||
    fail "$db: the last session is not complete"
  [ "$(sqlite3 "$db" "SELECT count(*) FROM sessions WHERE hosts = '' OR ranks < 1")" = 0 ] ||
    fail "$db: a session without hosts or ranks"
  say "$db: complete, equal to the direct run; sessions (id|outcome|job|array|task|ranks|hosts|runs):"
  sqlite3 "$db" "SELECT id, outcome, slurm_job_id, slurm_array_job_id, slurm_array_task_id, ranks,
                 hosts, runs_stored FROM sessions ORDER BY id" | sed 's/^/    /'
}

check_store single 400
[ "$(sqlite3 single.db "SELECT count(*) FROM sessions WHERE slurm_array_job_id IS NOT NULL
    OR slurm_array_task_id IS NOT NULL")" = 0 ] || fail "single.db: array ids on a plain job"
[ "$(job_state "$JOB_SINGLE")" = COMPLETED ] || fail "job $JOB_SINGLE: $(job_state "$JOB_SINGLE")"
grep -q "requeued job $JOB_SINGLE" "tmex-$JOB_SINGLE.log" || fail "tmex.sbatch did not requeue"
grep -q "SIGUSR1" "tmex-$JOB_SINGLE.log" || fail "tmex.sbatch got no early warning"
REQUEUES_SINGLE=$(grep -c "requeued job" "tmex-$JOB_SINGLE.log")

# The campaign that stops itself: requeued on its way, it converged at the same checkpoint with
# the same checks and rows as the direct run.
checks() {
  sqlite3 "$1" "SELECT checkpoint, samples, runs, rows_used, decision, summary FROM checks;
                SELECT * FROM check_criteria ORDER BY checkpoint, position"
}
[ "$(sqlite3 ref_auto.db "SELECT samples FROM checks WHERE decision = 'converged'")" = 800 ] ||
  fail "ref_auto.db: did not converge at 800: $(checks ref_auto.db)"
check_store auto 800
diff <(checks ref_auto.db) <(checks auto.db) >/dev/null ||
  fail "auto.db: checks differ from a direct run: $(diff <(checks ref_auto.db) <(checks auto.db))"
[ "$(sqlite3 auto.db "SELECT count(DISTINCT session) FROM checks")" -ge 2 ] ||
  fail "auto.db: every check made by one session (the job was not interrupted between checks)"
[ "$(job_state "$JOB_AUTO")" = COMPLETED ] || fail "job $JOB_AUTO: $(job_state "$JOB_AUTO")"
grep -q "requeued job $JOB_AUTO" "tmex-$JOB_AUTO.log" || fail "the self-stopping job was not requeued"
grep -q "is complete: it converged at checkpoint 5" "tmex-$JOB_AUTO.log" ||
  fail "the self-stopping job did not say it converged: $(tail -5 "tmex-$JOB_AUTO.log")"
"$TMEX" status auto.db | contains "state      complete: converged at checkpoint 5 (800 samples)" ||
  fail "tmex status auto.db: $("$TMEX" status auto.db)"
say "auto.db: converged at 800 samples after $(grep -c "requeued job" "tmex-$JOB_AUTO.log")" \
  "requeue(s), checks and rows equal to the direct run"

REQUEUES_ARRAY=0
for task in 0 1; do
  name=$([ $task = 0 ] && echo arm_a || echo arm_b)
  check_store "$name" 300
  [ "$(sqlite3 "$name.db" "SELECT DISTINCT slurm_array_task_id FROM sessions")" = "$task" ] ||
    fail "$name.db: sessions not recorded as array task $task"
  [ "$(sqlite3 "$name.db" "SELECT DISTINCT slurm_array_job_id FROM sessions")" = "$JOB_ARRAY" ] ||
    fail "$name.db: sessions not recorded as tasks of array job $JOB_ARRAY"
  "$TMEX" status "$name.db" | contains "(array ${JOB_ARRAY}_$task)" ||
    fail "$name.db: tmex status does not show array task ${JOB_ARRAY}_$task"
  log="tmex-array-${JOB_ARRAY}_$task.log"
  grep -q "ends at" "$log" || fail "$log: tmex did not read the job's end time"
  grep -q "requeued job ${JOB_ARRAY}_$task" "$log" || fail "$log: task $task was not requeued"
  [ "$(job_state "${JOB_ARRAY}_$task")" = COMPLETED ] || fail "task $task not COMPLETED"
  REQUEUES_ARRAY=$((REQUEUES_ARRAY + $(grep -c "requeued job" "$log")))
done
# The arms share the seed: the same parameter values, sample by sample.
[ "$(sqlite3 arm_a.db "SELECT group_concat(quote(x1) || quote(x2) || quote(x3)) FROM
      (SELECT * FROM runs ORDER BY sample)")" = "$(sqlite3 arm_b.db "SELECT
      group_concat(quote(x1) || quote(x2) || quote(x3)) FROM (SELECT * FROM runs ORDER BY sample)")" ] ||
  fail "the arms sampled different parameters"

check_store chain 400
[ "$(sqlite3 chain.db "SELECT count(DISTINCT slurm_job_id) FROM sessions")" -ge 2 ] ||
  fail "chain.db: fewer than 2 links ran the campaign"
last=${CHAIN[${#CHAIN[@]} - 1]}
[ "$(job_state "$last")" = COMPLETED ] || fail "last link $last: $(job_state "$last")"
grep -q "is complete" "chain-$last.log" || fail "the last link did not find the campaign complete"
grep -q ", mpirun: " "chain-${CHAIN[0]}.log" || fail "the chain did not launch with mpirun"
LINKS_WORKED=$(sqlite3 chain.db "SELECT count(DISTINCT slurm_job_id) FROM sessions")

[ "$(job_state "${BAD[0]}")" = FAILED ] || fail "bad chain: link 1 $(job_state "${BAD[0]}")"
for id in "${BAD[@]:1}"; do
  [ "$(job_state "$id")" = CANCELLED ] || fail "bad chain: link $id $(job_state "$id")"
done
grep -q "cancelling the later links of the chain: ${BAD[1]} ${BAD[2]}" "bad-${BAD[0]}.log" ||
  fail "bad chain: the first link did not cancel the others"

[ "$(job_state "$JOB_CANCEL")" = CANCELLED ] || fail "cancelled job: $(job_state "$JOB_CANCEL")"
scontrol show job "$JOB_CANCEL" | grep -q 'Restarts=0 ' || fail "the cancelled job was requeued"
grep -q "SIGTERM before the time limit" "tmex-$JOB_CANCEL.log" || fail "scancel not recognised"
[ "$(sqlite3 cancel.db "SELECT group_concat(outcome) FROM sessions")" = interrupted ] ||
  fail "cancel.db: the cancelled session is not recorded as interrupted"

say "PASS in $((SECONDS - START)) s: tmex.sbatch requeued $REQUEUES_SINGLE time(s); array tasks" \
  "requeued $REQUEUES_ARRAY time(s) in all; chain: $LINKS_WORKED of ${#CHAIN[@]} links did work"
