# What the end-to-end scripts of tmex under MPI share (sourced, after TMEX is set): OpenMPI as
# root and oversubscribed, a work folder removed on exit (the current folder), fail, launch and
# launch_bg, and rows (tests/store_rows.sh).
# Usage: source e2e_common.sh PREFIX   (the work folder is ${TMPDIR:-/tmp}/PREFIX.XXXXXX)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1
export OMPI_MCA_rmaps_base_oversubscribe=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }

# launch N ARGS...: tmex on N ranks (N=0: plain process, no launcher).
launch() {
  local n=$1
  shift
  if [ "$n" = 0 ]; then "$TMEX" "$@"; else mpiexec --oversubscribe -n "$n" "$TMEX" "$@"; fi
}

# launch_bg N ARGS...: like launch, in the background, with $! the pid of tmex or mpiexec.
launch_bg() {
  local n=$1
  shift
  if [ "$n" = 0 ]; then
    (exec "$TMEX" "$@") &
  else
    (exec mpiexec --oversubscribe -n "$n" "$TMEX" "$@") &
  fi
}

# rows DB: the stored runs with exact values.
# shellcheck source=../store_rows.sh
source "$TESTS_DIR/store_rows.sh"

# kill_after_start N RANK DELAY: once run.log says the campaign started, waits DELAY seconds and
# SIGKILLs the process of rank RANK of `tmex run c.yaml` on N ranks (N=0: the plain process).
# Succeeds when it killed one (the campaign may have finished first).
kill_after_start() {
  local n=$1 rank=$2 delay=$3 p victim=""
  for _ in $(seq 200); do grep -q "runs to do" run.log 2>/dev/null && break; sleep 0.05; done
  sleep "$delay"
  for p in $(pgrep -f "$TMEX run c.yaml" || true); do
    if [ "$n" = 0 ] || tr '\0' '\n' </proc/"$p"/environ 2>/dev/null |
      contains -x "OMPI_COMM_WORLD_RANK=$rank"; then victim=$p; fi
  done
  [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null
}
