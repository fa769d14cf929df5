#!/usr/bin/env bash
# The command line's small frictions end to end: a mistyped command gets the nearest one, `check`
# prints numbers as written and warns before a run about ranges outside the model's domain and
# designs too small for their method. Usage: cli_e2e.sh TMEX
set -euo pipefail
# contains (tests/store_rows.sh)
source "$(cd "$(dirname "$0")/.." && pwd)/store_rows.sh"
TMEX=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() {
  echo "FAIL: $*"
  exit 1
}

set +e
"$TMEX" anlyze x.db 2> typo.err
rc=$?
set -e
[[ $rc == 2 ]] || fail "tmex anlyze exited $rc, expected 2"
grep -q "unknown command 'anlyze'; did you mean 'analyze'?" typo.err || fail "$(cat typo.err)"
if "$TMEX" frobnicate 2> far.err; then fail "an unknown command was accepted"; fi
grep -q "unknown command 'frobnicate' (commands:" far.err || fail "$(cat far.err)"

cat > domain.yaml << 'YAML'
campaign: {name: domain, seed: 5, samples: 40}
design: {method: saltelli}
model: {name: emdr}
parameters:
  growth_rate: {distribution: uniform, min: -0.1, max: 0.2}
  death_ratio: {distribution: uniform, min: 0.3, max: 1.2}
  resistance_cost: {distribution: uniform, min: 0, max: 0.03}
storage: {path: domain.db}
YAML
"$TMEX" check domain.yaml > check.out || fail "check refused domain.yaml"
grep -q "domain.yaml: valid (3 warnings)" check.out || fail "$(cat check.out)"
grep -q "resistance_cost            uniform(min=0, max=0.03)$" check.out || fail "$(cat check.out)"
grep -q "growth_rate: .*must be >= 0): about 33% of its values" check.out || fail "$(cat check.out)"
grep -q "death_ratio: .*must be in \[0, 1)): about 22% of its values" check.out ||
  fail "$(cat check.out)"
grep -q "Sobol' indices from 40 base rows cannot be trusted: at least 100" check.out ||
  fail "$(cat check.out)"
# What check warns about, the run shows: a third of the growth rates fail.
"$TMEX" run domain.yaml > /dev/null 2>&1 || true
"$TMEX" status domain.db | contains "invalid_parameters" || fail "no invalid_parameters runs"

cat > small.yaml << 'YAML'
campaign: {name: small, seed: 5, samples: 20}
design: {method: lhs}
model: {name: ishigami}
parameters:
  x1: {distribution: uniform, min: -3, max: 3}
  x2: {distribution: uniform, min: -3, max: 3}
storage: {path: small.db}
YAML
"$TMEX" check small.yaml | contains "PRCC from 20 samples of 2 parameters cannot be trusted" ||
  fail "no warning for a small LHS"
"$TMEX" run small.yaml > /dev/null 2>&1
"$TMEX" analyze small.db | grep -A2 "^Warnings" | contains "PRCC from 20 samples" ||
  fail "analyze does not warn about 20 samples"

cat > fine.yaml << 'YAML'
campaign: {name: fine, seed: 5, samples: 200}
design: {method: lhs}
model: {name: emdr}
parameters:
  growth_rate: {distribution: loguniform, min: 0.02, max: 0.2}
  death_ratio: {distribution: uniform, min: 0.3, max: 0.8}
storage: {path: fine.db}
YAML
"$TMEX" check fine.yaml > fine.out
grep -q "^fine.yaml: valid$" fine.out || fail "$(cat fine.out)"
if grep -q "^warning" fine.out; then fail "warnings for a campaign inside the domain"; fi
echo "cli: ok"
