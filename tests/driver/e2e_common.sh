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
