#!/usr/bin/env bash
# End-to-end tests of tmex on a virtual cluster of several nodes on one machine
# (tests/cluster/vcluster.sh): OpenMPI over TCP between nodes, SLURM with one slurmd per node,
# a node lost mid-run, signals reaching ranks on other nodes, a store on one node's local disk.
# Every campaign's rows are compared, value for value, with a single-process run.
# Needs root, iproute2, util-linux, OpenMPI and (for `slurm`) SLURM and munge from
# .ci/install-slurm; exits 77 (skipped) without them, unless TMEX_REQUIRE_CLUSTER=1.
# Usage: cluster_test.sh TMEX JOBS_DIR mpirun|slurm
set -uo pipefail
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
TMEX=$(realpath "$1")
JOBS=$(realpath "$2")
TEST=$3
SKIP=77
START=$SECONDS
# Our own limit, below ctest's TIMEOUT (which kills with SIGKILL, leaving no chance to clean
# up): past it the watchdog sends SIGTERM, and the trap tears the cluster down.
LIMIT=${TMEX_CLUSTER_TEST_LIMIT:-400}

say() { echo "[cluster-$TEST +$((SECONDS - START))s] $*"; }
skip() {
  if [ "${TMEX_REQUIRE_CLUSTER:-0}" = 1 ]; then
    echo "FAIL (TMEX_REQUIRE_CLUSTER=1): $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit "$SKIP"
}
FAILED=0
fail() {
  echo "FAIL: $*" >&2
  FAILED=1
  exit 1
}

case "$TEST" in
  mpirun | slurm) ;;
  *)
    echo "usage: $0 TMEX JOBS_DIR mpirun|slurm" >&2
    exit 2
    ;;
esac
needed=(ip nsenter unshare mount mpirun sqlite3)
if [ "$TEST" = slurm ]; then
  needed+=(slurmctld slurmd sbatch squeue scontrol scancel sinfo munged mungekey runuser)
fi
for cmd in "${needed[@]}"; do
  command -v "$cmd" >/dev/null || skip "$cmd not found (.ci/install and .ci/install-slurm)"
done
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, mounts)"

# shellcheck source=tests/cluster/vcluster.sh
source "$(dirname "$0")/vcluster.sh" || fail "cannot read vcluster.sh"
# shellcheck source=tests/store_rows.sh
source "$TESTS_DIR/store_rows.sh" || fail "cannot read store_rows.sh"
vc_clean_stale
# Not under /tmp: every node mounts its own /tmp over the machine's.
WORK=$(mktemp -d /var/tmp/tmex-cluster.XXXXXX)
chmod 755 "$WORK"
WATCHDOG=""

cleanup() {
  local rc=$?
  set +e
  [ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
  if [ "$rc" != 0 ] && [ "$rc" != "$SKIP" ] || [ "$FAILED" = 1 ]; then
    for f in "$WORK"/*.log "$WORK"/slurm/log/*.log; do
      [ -e "$f" ] || continue
      echo "----- $f (last 30 lines)"
      tail -n 30 "$f"
    done
  fi
  vc_destroy
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted" >&2; FAILED=1; exit 1' INT TERM
# The trap of a shell waiting for a command runs only once the command has ended: the watchdog
# also kills what runs on the cluster. Stopped itself, it stops its sleep, which would otherwise
# keep ctest waiting on the output it inherited.
watchdog() {
  sleep "$LIMIT" &
  local sleeper=$!
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  wait "$sleeper"
  echo "FAIL: the test ran longer than ${LIMIT}s" >&2
  kill -TERM $$
  for node in head node1 node2 node3; do vc_kill_ns "$(vc_ns "$node")"; done
}
watchdog &
WATCHDOG=$!

# A checkout under /tmp (CI's, say) must stay visible on the nodes, whose /tmp is their own.
VC_SHARED=("$(dirname "$TMEX")" "$JOBS" "$TESTS_DIR")
vc_create "$WORK" node1 node2 node3 || skip "could not make the virtual cluster (network namespaces)"
cd "$WORK" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Between nodes only TCP: the ob1 messaging layer over the tcp transport (and self), on the
# cluster's subnet alone, for both MPI messages and OpenMPI's own runtime traffic. For mpirun
# started by the test, the rsh agent enters the other node in the place of ssh.
# shellcheck disable=SC2054  # the commas are OpenMPI's
MCA_ENV=(OMPI_MCA_pml=ob1 OMPI_MCA_btl=tcp,self "OMPI_MCA_btl_tcp_if_include=$VC_SUBNET"
  "OMPI_MCA_oob_tcp_if_include=$VC_SUBNET")
MPIRUN=(env "${MCA_ENV[@]}" OMPI_MCA_plm_rsh_agent="$WORK/bin/rsh-agent" mpirun)
say "cluster up: head and node1-3 on $VC_SUBNET"

# wait_for SECONDS CONDITION...: polls CONDITION every 0.1 s; false after SECONDS.
wait_for() {
  local limit=$1
  shift
  local t0=$SECONDS
  until "$@"; do
    [ $((SECONDS - t0)) -lt "$limit" ] || return 1
    sleep 0.1
  done
}
# stored DB: rows in the store (0 if it cannot be read yet); -readonly so as not to create it.
stored() { sqlite3 -readonly "$1" 'SELECT count(*) FROM runs' 2>/dev/null || echo 0; }
has_rows() { [ "$(stored "$1")" -gt 0 ]; }
# usr1_pending PID: SIGUSR1 (bit 10) is pending for the stopped process PID.
usr1_pending() {
  local key mask
  while read -r key mask _; do
    case "$key" in ShdPnd: | SigPnd:) (((0x$mask >> 9) & 1)) && return 0 ;; esac
  done <"/proc/$1/status"
  return 1
}
all_usr1_pending() {
  local pid
  for pid in "$@"; do usr1_pending "$pid" || return 1; done
}

# write_config FILE NAME SAMPLES SETTINGS: the faulty test model (sleeps, some failures).
write_faulty() {
  cat >"$1" <<YAML
campaign: {name: $2, seed: 20261201, samples: $3, replicates: 1}
design: {method: lhs}
model:
  name: faulty
  settings: {$4}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: loguniform, min: 0.1, max: 10}
  x3: {distribution: uniform, min: -1, max: 1}
storage: {path: $2.db}
execution: {progress_interval: 2, commit_interval: 0.2, drain_timeout: 10, per_rank: 4}
YAML
}
# reference NAME: the campaign NAME.yaml on one process without launcher, 16 evaluations at a
# time (an execution setting: the rows do not depend on it), into ref_NAME.db.
reference() {
  sed 's/per_rank: 4}/per_rank: 16}/' "$1.yaml" >"ref_$1.yaml"
  "$TMEX" run "ref_$1.yaml" --db "ref_$1.db" >"ref_$1.log" 2>&1 || fail "reference run $1"
}
# check_rows DB REF TOTAL: a complete, intact store equal row for row to the reference.
check_rows() {
  [ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ] || fail "$1: integrity check"
  [ "$(stored "$1")" = "$3" ] || fail "$1: $(stored "$1") runs, expected $3"
  diff <(rows "$2") <(rows "$1") >/dev/null || fail "$1: rows differ from the single-process run"
}
# last_session DB COLUMNS: those columns of the newest session.
last_session() { sqlite3 "$1" "SELECT $2 FROM sessions ORDER BY id DESC LIMIT 1"; }

mpirun_tests() {
  # The store lives in node1's /tmp, a directory the other nodes do not have (a node-local disk).
  vc_on node1 mkdir /tmp/store
  local hosts=(--host "node1:2,node2:2")

  # --- ishigami and emdr on 2 nodes x 2 ranks == a single process ----------------------------
  local name
  for name in ishigami emdr; do
    cp "$TESTS_DIR/../examples/$name.yaml" "$name.yaml"
    "$TMEX" run "$name.yaml" --db "ref_$name.db" >"ref_$name.log" 2>&1 || fail "reference $name"
    vc_on node1 "${MPIRUN[@]}" "${hosts[@]}" "$TMEX" run "$name.yaml" --db "/tmp/store/$name.db" \
      >"$name.log" 2>&1 || fail "$name on 2 nodes: $(tail -n 5 "$name.log")"
    local db=$WORK/nodes/node1/tmp/store/$name.db
    check_rows "$db" "ref_$name.db" "$(stored "ref_$name.db")"
    [ "$(last_session "$db" "hosts || ' ' || ranks")" = "node1,node2 4" ] ||
      fail "$name: session hosts/ranks $(last_session "$db" "hosts || ' ' || ranks")"
    # By slot: ranks 0-1 on node1, 2-3 on node2; both evaluated runs.
    [ "$(sqlite3 "$db" "SELECT count(DISTINCT rank) FROM runs WHERE rank IN (2, 3)")" -ge 1 ] ||
      fail "$name: no run evaluated on node2"
    say "$name: 2 nodes x 2 ranks over TCP == 1 process ($(stored "$db") rows); ranks:" \
      "$(sqlite3 "$db" "SELECT group_concat(rank || ':' || n, ' ') FROM
         (SELECT rank, count(*) AS n FROM runs GROUP BY rank)")"
  done
  # (Only folders there: the mount points of VC_SHARED paths, where the checkout is in /tmp.)
  local strays
  strays=$(find "$WORK/nodes/node2/tmp" -mindepth 1 ! -type d)
  [ -z "$strays" ] || fail "node2 has files in its /tmp: $strays"
  # The path is node1's alone: started on node2 (rank 0 there) the same command fails, clearly.
  vc_on node2 "${MPIRUN[@]}" --host node2:2,node1:2 "$TMEX" run ishigami.yaml --db /tmp/store/x.db \
    >wrong_node.log 2>&1
  local rc=$?
  [ "$rc" != 0 ] || fail "a store in a directory that rank 0's node lacks was accepted"
  # A missing folder is a configuration error of the store path (exit 2, issue 19).
  grep -q "error: --db: the folder '/tmp/store' of '/tmp/store/x.db' does not exist" wrong_node.log ||
    fail "no clear message for the missing store directory: $(tail -n 3 wrong_node.log)"
  say "store on node1's local disk: works with rank 0 on node1, refused on node2"

  # --- SIGUSR1 to mpirun reaches the ranks on node2 ----------------------------------------
  write_faulty usr1.yaml usr1 4000 "sleep_ms: 10, nan_below: 0.3, throw_below: 0.05"
  reference usr1
  # In the background as an external command (not a function) so that $! is mpirun itself: bash
  # execs on-node, which execs mpirun.
  "$VC_WORK/bin/on-node" node1 "${MPIRUN[@]}" "${hosts[@]}" "$TMEX" run usr1.yaml \
    --db /tmp/store/usr1.db >usr1.log 2>&1 &
  local launcher=$!
  local db=$WORK/nodes/node1/tmp/store/usr1.db
  wait_for 60 has_rows "$db" || fail "usr1: no rows after 60 s"
  local ranks1 ranks2
  ranks1=$(vc_pids node1 "$TMEX")
  ranks2=$(vc_pids node2 "$TMEX")
  [ "$(echo "$ranks1" | wc -w) $(echo "$ranks2" | wc -w)" = "2 2" ] ||
    fail "usr1: expected 2 tmex ranks per node, got '$ranks1' and '$ranks2'"
  # Every rank stopped first, so that the signal stays pending where we can see it (and no rank
  # acts on it before all have it); then SIGUSR1 to mpirun alone.
  # shellcheck disable=SC2086
  kill -STOP $ranks1 $ranks2
  kill -USR1 "$launcher"
  # shellcheck disable=SC2086
  wait_for 30 all_usr1_pending $ranks1 $ranks2 ||
    fail "usr1: SIGUSR1 did not reach every rank (node1: $ranks1, node2: $ranks2)"
  # shellcheck disable=SC2086
  kill -CONT $ranks1 $ranks2
  wait "$launcher"
  rc=$?
  [ "$rc" = 3 ] || fail "usr1: mpirun exited $rc, expected 3 (interrupted)"
  [ "$(last_session "$db" outcome)" = interrupted ] || fail "usr1: session not interrupted"
  local before
  before=$(stored "$db")
  [ "$before" -lt 4000 ] || fail "usr1: the campaign finished before the signal"
  vc_on node1 "${MPIRUN[@]}" "${hosts[@]}" "$TMEX" run usr1.yaml --db /tmp/store/usr1.db \
    >>usr1.log 2>&1 || fail "usr1: resume"
  check_rows "$db" ref_usr1.db 4000
  say "SIGUSR1 to mpirun on node1 reached the 2 ranks on node2 (pending while stopped):" \
    "stopped at $before runs, exit 3, resumed to 4000 == 1 process"

  # --- every process of node2 killed mid-run --------------------------------------------------
  write_faulty lost.yaml lost 4000 "sleep_ms: 10, nan_below: 0.3, throw_below: 0.05"
  reference lost
  db=$WORK/nodes/node1/tmp/store/lost.db
  "$VC_WORK/bin/on-node" node1 "${MPIRUN[@]}" "${hosts[@]}" "$TMEX" run lost.yaml \
    --db /tmp/store/lost.db >lost.log 2>&1 &
  launcher=$!
  wait_for 60 has_rows "$db" || fail "lost: no rows after 60 s"
  sleep 0.5
  vc_kill_node node2
  local t0=$SECONDS
  wait "$launcher"
  rc=$?
  local took=$((SECONDS - t0))
  [ "$rc" != 0 ] || fail "lost: mpirun exited 0 after node2 was killed"
  # OpenMPI names the lost peer by host name or address, depending on which rank noticed first.
  grep -q "node2\|$(vc_addr node2)" lost.log || fail "lost: mpirun's messages do not name node2"
  before=$(stored "$db")
  [ "$before" -lt 4000 ] || fail "lost: the campaign finished before the node was killed"
  # Resume on another allocation: node1 (which holds the store) and node3.
  vc_on node1 "${MPIRUN[@]}" --host node1:2,node3:2 "$TMEX" run lost.yaml --db /tmp/store/lost.db \
    >>lost.log 2>&1 || fail "lost: resume on node1,node3"
  check_rows "$db" ref_lost.db 4000
  [ "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE session = 1")" = "$before" ] ||
    fail "lost: runs committed before node2 was lost went missing"
  [ "$(last_session "$db" hosts)" = node1,node3 ] || fail "lost: resumed on $(last_session "$db" hosts)"
  say "node2 killed at $before runs: mpirun exited $rc after ${took}s naming node2;" \
    "resumed on node1,node3 to 4000 == 1 process; sessions:" \
    "$(sqlite3 "$db" "SELECT group_concat(outcome || '@' || hosts, ' ') FROM sessions")"
}

# job_state JOB: SLURM's state of the job (RUNNING, COMPLETED, ...).
job_state() { vc_on head scontrol show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
job_done() { case "$(job_state "$1")" in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL) return 0 ;; esac; return 1; }
# submit ARGS...: sbatch on the head node (the login node) from WORK; prints the job id. The
# job inherits this environment: the tmex settings and OpenMPI's TCP-only parameters.
submit() { vc_on head env "${MCA_ENV[@]}" sbatch --parsable "$@"; }

slurm_tests() {
  vc_slurm_start 16917 16918 || skip "SLURM did not start on the virtual cluster"
  say "SLURM up: $(vc_on head sinfo -h -N -o '%N:%t' | paste -sd' ')"
  export TMEX TMEX_MIN_SESSION_S=0
  # A long time limit: SLURM's own early warning (USR1 60 s before the end) never comes here.
  local limits=(--time=10 --signal=B:USR1@60)
  vc_on node1 mkdir /tmp/store

  # --- tmex.sbatch with --nodes=2: emdr with srun (store in the shared submit directory),
  # ishigami with TMEX_LAUNCHER=mpirun (store on the batch node's local disk) -------------------
  local name
  for name in emdr ishigami; do
    cp "$TESTS_DIR/../examples/$name.yaml" "$name.yaml"
    "$TMEX" run "$name.yaml" --db "ref_$name.db" >"ref_$name.log" 2>&1 || fail "reference $name"
  done
  local job_srun job_mpirun
  job_srun=$(TMEX_CONFIG=emdr.yaml TMEX_ARGS="--db emdr.db" submit "${limits[@]}" --nodes=2 \
    --ntasks-per-node=2 "$JOBS/tmex.sbatch") || fail "sbatch (srun)"
  job_mpirun=$(TMEX_CONFIG=ishigami.yaml TMEX_ARGS="--db /tmp/store/ishigami.db" \
    TMEX_LAUNCHER=mpirun submit "${limits[@]}" --nodes=2 --ntasks-per-node=2 \
    --nodelist=node1,node2 "$JOBS/tmex.sbatch") || fail "sbatch (mpirun)"
  wait_for 120 job_done "$job_srun" || fail "job $job_srun (srun) still $(job_state "$job_srun")"
  wait_for 120 job_done "$job_mpirun" || fail "job $job_mpirun (mpirun) still $(job_state "$job_mpirun")"
  local job db
  for job in "$job_srun" "$job_mpirun"; do
    [ "$(job_state "$job")" = COMPLETED ] || fail "job $job: $(job_state "$job")"
    grep -q "the campaign is complete" "tmex-$job.log" || fail "job $job did not complete the campaign"
  done
  grep -q ", srun: " "tmex-$job_srun.log" || fail "job $job_srun did not use srun"
  grep -q ", mpirun: " "tmex-$job_mpirun.log" || fail "job $job_mpirun did not use mpirun"
  check_rows emdr.db ref_emdr.db "$(stored ref_emdr.db)"
  db=$WORK/nodes/node1/tmp/store/ishigami.db
  check_rows "$db" ref_ishigami.db "$(stored ref_ishigami.db)"
  for db in emdr.db "$db"; do
    [ "$(sqlite3 "$db" "SELECT count(*) FROM sessions WHERE ranks = 4 AND hosts LIKE '%,%'
          AND slurm_job_id != ''")" = 1 ] ||
      fail "$db: sessions $(sqlite3 "$db" 'SELECT ranks, hosts, slurm_job_id FROM sessions')"
  done
  say "sbatch --nodes=2: emdr with srun --mpi=pmix on $(last_session emdr.db hosts), ishigami" \
    "with mpirun on $(last_session "$db" hosts) (store on node1's disk) == 1 process"

  # --- SIGUSR1 to the batch shell reaches the ranks on both nodes through srun --------------
  write_faulty usr1.yaml usr1 6000 "sleep_ms: 10, nan_below: 0.3, throw_below: 0.05"
  reference usr1
  job=$(TMEX_CONFIG=usr1.yaml submit "${limits[@]}" --nodes=2 --ntasks-per-node=2 \
    --nodelist=node1,node2 "$JOBS/tmex.sbatch") || fail "sbatch (usr1)"
  wait_for 60 has_rows usr1.db || fail "usr1: no rows after 60 s ($(job_state "$job"))"
  # Reading a running campaign on rank 0's node, as jobs/README.md advises for shared file
  # systems: a step of the job itself.
  vc_on head srun --jobid="$job" --overlap -N1 -n1 -w node1 "$TMEX" status usr1.db >status.log 2>&1 ||
    fail "usr1: srun --overlap tmex status: $(cat status.log)"
  grep -q "^campaign *usr1" status.log || fail "usr1: tmex status printed $(cat status.log)"
  local ranks1 ranks2
  ranks1=$(vc_pids node1 "$TMEX")
  ranks2=$(vc_pids node2 "$TMEX")
  [ "$(echo "$ranks1" | wc -w) $(echo "$ranks2" | wc -w)" = "2 2" ] ||
    fail "usr1: expected 2 tmex ranks per node, got '$ranks1' and '$ranks2'"
  # shellcheck disable=SC2086
  kill -STOP $ranks1 $ranks2
  vc_on head scancel --batch --signal=USR1 "$job"
  # shellcheck disable=SC2086
  wait_for 30 all_usr1_pending $ranks1 $ranks2 ||
    fail "usr1: SIGUSR1 did not reach every rank (node1: $ranks1, node2: $ranks2)"
  # shellcheck disable=SC2086
  kill -CONT $ranks1 $ranks2
  wait_for 120 job_done "$job" || fail "usr1: job $job still $(job_state "$job")"
  [ "$(job_state "$job")" = COMPLETED ] || fail "usr1: job $job $(job_state "$job")"
  grep -q "SIGUSR1 (the job ends soon)" "tmex-$job.log" || fail "usr1: the batch shell got no USR1"
  grep -q "requeued job $job" "tmex-$job.log" || fail "usr1: the job was not requeued"
  check_rows usr1.db ref_usr1.db 6000
  [ "$(sqlite3 usr1.db "SELECT group_concat(outcome, ',') FROM sessions")" = interrupted,complete ] ||
    fail "usr1: sessions $(sqlite3 usr1.db 'SELECT outcome FROM sessions')"
  say "SIGUSR1 to job $job's batch shell on node1 reached the 2 ranks on node2 through srun;" \
    "stopped at $(sqlite3 usr1.db 'SELECT runs_stored FROM sessions WHERE id = 1') runs, requeued," \
    "resumed to 6000 == 1 process"

  # --- node2 fails under TMEX_LAUNCHER=mpirun: mpirun notices the lost daemon at once and the
  # job fails (status != 3, not requeued); submitted again, it resumes ----------------------
  write_faulty lostm.yaml lostm 6000 "sleep_ms: 10, nan_below: 0.3, throw_below: 0.05"
  reference lostm
  job=$(TMEX_CONFIG=lostm.yaml TMEX_LAUNCHER=mpirun submit "${limits[@]}" --nodes=2 \
    --ntasks-per-node=2 --nodelist=node1,node2 "$JOBS/tmex.sbatch") || fail "sbatch (lostm)"
  wait_for 60 has_rows lostm.db || fail "lostm: no rows after 60 s ($(job_state "$job"))"
  sleep 0.5
  vc_kill_node node2
  local t0=$SECONDS
  script_ended() { grep -q "not requeueing" "tmex-$job.log"; }
  wait_for 60 script_ended || fail "lostm: the batch script did not end: $(tail -n 3 "tmex-$job.log")"
  local took=$((SECONDS - t0))
  # The job itself stays COMPLETING until SLURM gives up on node2.
  wait_for 60 job_done "$job" || fail "lostm: job $job still $(job_state "$job")"
  [ "$(job_state "$job")" = FAILED ] || fail "lostm: job $job $(job_state "$job"), expected FAILED"
  grep -q "node2\|$(vc_addr node2)" "tmex-$job.log" || fail "lostm: the log does not name node2"
  local first
  first=$(stored lostm.db)
  # node2 comes back (its slurmd restarts and registers; ReturnToService=2 takes it back).
  vc_on node2 slurmd -f "$SLURM_CONF" -N node2 || fail "slurmd on node2 did not restart"
  node_idle() { [ "$(vc_on head sinfo -h -n node2 -o %t)" = idle ]; }
  wait_for 60 node_idle || fail "node2 not idle again: $(vc_on head sinfo -N)"
  local job2
  job2=$(TMEX_CONFIG=lostm.yaml TMEX_LAUNCHER=mpirun submit "${limits[@]}" --nodes=2 \
    --ntasks-per-node=2 "$JOBS/tmex.sbatch") || fail "sbatch (lostm again)"
  wait_for 120 job_done "$job2" || fail "lostm: job $job2 still $(job_state "$job2")"
  [ "$(job_state "$job2")" = COMPLETED ] || fail "lostm: job $job2 $(job_state "$job2")"
  check_rows lostm.db ref_lostm.db 6000
  [ "$(sqlite3 lostm.db "SELECT count(*) FROM runs WHERE session = 1")" = "$first" ] ||
    fail "lostm: runs committed by the first job went missing"
  say "node2 killed under mpirun: the batch script ended ${took} s later (mpirun lost its daemon)," \
    "job $job FAILED at $first runs, not requeued; job $job2 resumed to 6000 == 1 process"

  # --- a node fails mid-run: SLURM ends the job, requeues it, it resumes on the other two -----
  # Not pinned to nodes: the requeued job must be free to run on the node that is left.
  write_faulty lost.yaml lost 6000 "sleep_ms: 10, nan_below: 0.3, throw_below: 0.05"
  reference lost
  job=$(TMEX_CONFIG=lost.yaml submit "${limits[@]}" --nodes=2 --ntasks-per-node=2 \
    "$JOBS/tmex.sbatch") || fail "sbatch (lost)"
  wait_for 60 has_rows lost.db || fail "lost: no rows after 60 s ($(job_state "$job"))"
  local nodes victim survivor spare
  nodes=$(vc_on head scontrol show hostnames "$(vc_on head squeue -h -j "$job" -o %N)" | paste -sd' ')
  read -r survivor victim <<<"$nodes"
  spare=$(printf '%s\n' node1 node2 node3 | grep -vx "$survivor" | grep -vx "$victim")
  # The batch node (the first) keeps running; the other one fails.
  sleep 0.5
  vc_kill_node "$victim"
  t0=$SECONDS
  wait_for 150 job_done "$job" || fail "lost: job $job still $(job_state "$job")"
  [ "$(job_state "$job")" = COMPLETED ] || fail "lost: job $job $(job_state "$job")"
  grep -q "Node failure on $victim" "tmex-$job.log" || fail "lost: no 'Node failure on $victim' in the log"
  check_rows lost.db ref_lost.db 6000
  [ "$(sqlite3 lost.db "SELECT count(*) FROM runs WHERE session = 1")" = \
    "$(sqlite3 lost.db "SELECT runs_stored FROM sessions WHERE id = 1")" ] ||
    fail "lost: runs committed by the first session went missing"
  local expected
  expected=$(printf '%s\n' "$survivor" "$spare" | sort | paste -sd,)
  [ "$(last_session lost.db "outcome || ' ' || hosts || ' ' || slurm_job_id")" = \
    "complete $expected $job" ] || fail "lost: last session $(last_session lost.db '*')"
  say "$victim killed: SLURM declared it down, ended job $job and requeued it; resumed on" \
    "$expected $((SECONDS - t0)) s after the kill, 6000 runs == 1 process; sessions:" \
    "$(sqlite3 lost.db "SELECT group_concat(outcome || '@' || hosts || ':' || runs_stored, ' ')
       FROM sessions")"
}

case "$TEST" in
  mpirun) mpirun_tests ;;
  slurm) slurm_tests ;;
esac
say "PASS in $((SECONDS - START)) s"
