#!/usr/bin/env bash
# Tests of cmake/TmexSourceCommit.cmake: the commit a build records from a git checkout, from a
# `git archive` tarball (export-subst), from -DTMEX_SOURCE_COMMIT, and "unknown" otherwise.
# Usage: source_commit_test.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
script=$src/cmake/TmexSourceCommit.cmake
work=$(mktemp -d "${TMPDIR:-/tmp}/tmex-commit.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# recorded DIR [OVERRIDE]: the kSourceCommit, kSourceDirty and kSourceCommitOrigin strings
recorded() {
  rm -f "$work/out.cpp"
  cmake -DSOURCE_DIR="$1" -DOUT="$work/out.cpp" -DOVERRIDE="${2:-}" -P "$script"
  grep -o '"[^"]*"' "$work/out.cpp" | grep -v build_info.hpp | tr -d '"' | paste -sd' ' -
}

# A tree without git metadata and without an expanded commit file.
mkdir "$work/plain"
cp "$src/.tmex-source-commit" "$work/plain/"
[ "$(recorded "$work/plain")" = "unknown unknown none" ] || fail "plain tree: $(recorded "$work/plain")"
[ "$(recorded "$work/plain" abc123)" = "abc123 unknown TMEX_SOURCE_COMMIT" ] || fail "override"
# An expanded commit file, as `git archive` leaves it.
mkdir "$work/archived"
echo 0123456789abcdef0123456789abcdef01234567 >"$work/archived/.tmex-source-commit"
[ "$(recorded "$work/archived")" = "0123456789abcdef0123456789abcdef01234567 unknown archive" ] ||
  fail "archived tree: $(recorded "$work/archived")"
# Rerunning with the same result leaves the file alone, so an unchanged tree rebuilds nothing.
recorded "$work/archived" >/dev/null
touch -d '2000-01-01' "$work/out.cpp"
cmake -DSOURCE_DIR="$work/archived" -DOUT="$work/out.cpp" -DOVERRIDE= -P "$script"
[ "$(stat -c %Y "$work/out.cpp")" = "$(date -d 2000-01-01 +%s)" ] || fail "unchanged content rewritten"

if command -v git >/dev/null && git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
  head=$(git -C "$src" rev-parse HEAD)
  # shellcheck disable=SC2046
  set -- $(recorded "$src")
  [ "$1" = "$head" ] && [ "$3" = git ] || fail "checkout: $*"
  [ "$2" = yes ] || [ "$2" = no ] || fail "checkout dirty flag: $2"
  # A tarball of HEAD knows its commit through export-subst.
  mkdir "$work/tarball"
  git -C "$src" archive HEAD | tar -x -C "$work/tarball"
  [ "$(recorded "$work/tarball")" = "$head unknown archive" ] ||
    fail "git archive tarball: $(recorded "$work/tarball")"
fi
echo "PASS: source commit"
