#!/usr/bin/env bash
# End-to-end tests of campaigns with treatment arms: common random numbers, identical rows at any
# rank count, kill/resume, and the contrasts of `tmex analyze` and `tmex compare`.
# Usage: e2e_arms.sh TMEX TEST [ARGS]
set -euo pipefail
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
TMEX=$(realpath "$1")
TEST=$2
shift 2
source "$TESTS_DIR/driver/e2e_common.sh" tmex-e2e-arms

# The linear model with noise under two arms that differ only in the intercept, by 1. Both
# intercepts lie in [1024, 2048), where doubles are evenly spaced, so adding the same terms to
# either gives results exactly 1 apart: with common random numbers every paired difference is 1.
write_linear() {  # write_linear FILE SAMPLES REPLICATES [EXTRA ARMS LINE]
  cat >"$1" <<YAML
campaign: {name: arms-e2e, seed: 99, samples: $2, replicates: $3}
design: {method: lhs}
model:
  name: linear
  settings: {noise_sd: 0.5, intercept: 1536}
arms:
  base: {}
  plus1: {settings: {intercept: 1537}}
${4:-}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: loguniform, min: 0.1, max: 10}
  x3: {distribution: uniform, min: -1, max: 1}
storage: {path: campaign.db}
execution: {progress_interval: 0.5, commit_interval: 0.1}
YAML
}

# Paired differences plus1 - base of every (sample, replicate), through the primary key.
differences() {
  sqlite3 "$1" "SELECT b.y - a.y FROM runs a JOIN runs b ON b.id = a.id + $2
                WHERE a.arm = 0 ORDER BY a.id"
}

case "$TEST" in
  ranks)  # same arms campaign on N ranks == on a single process; common random numbers
    n=$1
    write_linear c.yaml 300 3
    launch 0 run c.yaml --db ref.db 2>/dev/null
    launch "$n" run c.yaml --db par.db
    [ "$(sqlite3 par.db 'SELECT count(*) FROM runs')" = 1800 ] || fail "expected 1800 rows"
    diff <(rows ref.db) <(rows par.db) >/dev/null || fail "rows differ between 1 and $n ranks"
    # Every sample under both arms with the same parameters and noise: differences exactly 1.
    [ "$(differences par.db 3 | sort -u)" = "1.0" ] || fail "paired differences are not all 1"
    [ "$(differences par.db 3 | wc -l)" = 900 ] || fail "expected 900 pairs"
    [ "$(sqlite3 par.db "SELECT count(DISTINCT y) FROM runs WHERE arm = 0")" -gt 800 ] ||
      fail "the noise does not vary between runs"
    [ "$(sqlite3 par.db "SELECT count(*) FROM arm_runs WHERE arm_name = 'plus1'")" = 900 ] ||
      fail "arm_runs view"
    launch "$n" run c.yaml --db par.db >again.txt 2>&1
    grep -q "is complete" again.txt || fail "no 'complete' message"
    # Every run re-evaluates to the stored bits under its own arm.
    launch "$n" verify par.db --fraction 1 2>verify.log || fail "verify: $(tail -3 verify.log)"
    grep -q "identical: 1800 re-evaluated runs" verify.log || fail "verify: $(tail -1 verify.log)"
    "$TMEX" status par.db >status.txt
    grep -q "^  plus1 .*900 of 900 stored: 900 ok" status.txt || fail "status per arm"
    ;;
  kill-resume)  # SIGKILL the master at random moments of an arms campaign, resume until done
    n=$1
    cat >c.yaml <<YAML
campaign: {name: arms-kill, seed: 5, samples: 700, replicates: 1}
design: {method: lhs}
model:
  name: faulty
  settings: {sleep_ms: 2}
arms:
  plain: {}
  failing: {settings: {nan_below: 0.15, throw_below: 0.05}}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: uniform, min: 0, max: 1}
  x3: {distribution: uniform, min: 0, max: 1}
storage: {path: campaign.db}
execution: {progress_interval: 0.5, commit_interval: 0.1}
YAML
    launch 0 run c.yaml --db ref.db 2>/dev/null
    [ "$(sqlite3 ref.db "SELECT count(*) FROM runs WHERE arm = 1 AND status <> 'ok'")" -gt 50 ] ||
      fail "the failing arm has no failures"
    [ "$(sqlite3 ref.db "SELECT count(*) FROM runs WHERE arm = 0 AND status <> 'ok'")" = 0 ] ||
      fail "the plain arm failed"
    kills=0
    partial=0
    for attempt in $(seq 1 30); do
      launch_bg "$n" run c.yaml >run.log 2>&1
      pid=$!
      if kill_after_start "$n" 0 "0.$((RANDOM % 9 + 1))"; then kills=$((kills + 1)); fi
      wait "$pid" || true
      stored=$(sqlite3 campaign.db 'SELECT count(*) FROM runs' 2>/dev/null || echo 0)
      if [ "$stored" -gt 0 ] && [ "$stored" -lt 1400 ]; then partial=$((partial + 1)); fi
      [ "$kills" -ge 3 ] && [ "$partial" -ge 1 ] && break
      if [ "$stored" = 1400 ]; then rm -f campaign.db*; kills=0; partial=0; fi
    done
    # Finish whatever is left. A kill that lands while a quarantined run runs alone makes it
    # "in flight at two crashes", stored as crashed: --retry-crashed runs those again.
    launch "$n" run c.yaml --retry-crashed 2>/dev/null || true
    [ "$kills" -ge 3 ] || fail "killed only $kills times"
    [ "$partial" -ge 1 ] || fail "no kill happened part-way through the campaign"
    [ "$(sqlite3 campaign.db 'PRAGMA integrity_check')" = ok ] || fail "integrity check"
    diff <(rows ref.db) <(rows campaign.db) >/dev/null || fail "rows differ after $kills kills"
    echo "killed $kills times; rows identical to an uninterrupted run"
    ;;
  extend)  # design.extend_from enlarges an arms campaign: stored runs keep their ids and values
    write_linear a.yaml 200 2
    launch 0 run a.yaml 2>/dev/null
    rows campaign.db >before.txt
    sed 's/samples: 200, replicates: 2}/samples: 500, replicates: 2}/; s/design: {method: lhs}/design: {method: lhs, extend_from: 200}/' a.yaml >b.yaml
    launch 2 run b.yaml 2>err.log || fail "extension run failed: $(cat err.log)"
    grep -q "extending campaign" err.log || fail "no extension message"
    [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 2000 ] || fail "not 500 x 2 x 2 runs"
    diff before.txt <(rows campaign.db | head -800) >/dev/null || fail "original rows changed"
    [ "$(differences campaign.db 2 | sort -u)" = "1.0" ] || fail "new samples are not paired"
    "$TMEX" analyze campaign.db --format json --bootstrap 100 >a.json
    grep -q '"samples": 500,' a.json ||
      fail "the contrast does not pair 500 samples"
    ;;
  contrast)  # tmex analyze of the linear arms: the contrast is 1, with a zero-width interval
    write_linear c.yaml 300 3
    launch 0 run c.yaml 2>/dev/null
    "$TMEX" analyze campaign.db --format json --bootstrap 200 >a.json
    python3 - a.json <<'PY' || fail "contrast of the linear arms"
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["contrasts"]["outputs"][0]["rows"]
assert len(rows) == 1 and rows[0]["arm"] == "plus1" and rows[0]["reference"] == "base", rows
r = rows[0]
assert r["samples"] == 300, r
for k in ("mean", "ci_low", "ci_high", "median", "median_low", "median_high"):
    assert r[k] == 1.0, (k, r[k])
assert r["increased"] == 300 and r["p_benefit"] is None, r
# Each arm's usual analysis: PRCC per arm, the same in both (the intercept does not rank).
prcc = d["prcc"]["outputs"]
assert [t["arm"] for t in prcc] == ["base", "plus1"], prcc
assert prcc[0]["rows"] == prcc[1]["rows"]
PY
    "$TMEX" analyze campaign.db --better higher --bootstrap 200 >a.txt
    grep -q "who is helped" a.txt || fail "no benefit table with --better"
    grep -Eq "^ +plus1 +1\.0000 " a.txt || fail "P(benefit) is not 1"
    # CSV: the arm and reference of every line.
    # Through a file: grep -q stops reading at the match, and under pipefail tmex's SIGPIPE would
    # fail the test.
    "$TMEX" analyze campaign.db --format csv --bootstrap 200 >a.csv
    grep -q "^contrasts,plus1,base,y,,,mean,1,1,1," a.csv ||
      fail "CSV contrast line"
    # Bad contrast options are usage errors.
    set +e
    "$TMEX" analyze campaign.db --contrast nobody 2>err.txt
    [ $? = 2 ] && grep -q "unknown arm 'nobody'; the campaign's arms are: base, plus1" err.txt ||
      fail "unknown arm: $(cat err.txt)"
    "$TMEX" analyze campaign.db --better y=up 2>err.txt
    [ $? = 2 ] || fail "--better y=up accepted"
    "$TMEX" analyze campaign.db --margin -1 2>err.txt
    [ $? = 2 ] || fail "--margin -1 accepted"
    set -e
    ;;
  compare)  # separate stores of the same samples give the contrasts of the campaign with arms
    write_linear c.yaml 200 2
    launch 0 run c.yaml --db arms.db 2>/dev/null
    for arm in base plus1; do
      intercept=$([ "$arm" = base ] && echo 1536 || echo 1537)
      sed -e "/^arms:/,/^parameters:/{/^parameters:/!d}" \
          -e "s/intercept: 1536/intercept: $intercept/" -e "s/name: arms-e2e/name: $arm/" c.yaml >"$arm.yaml"
      launch 2 run "$arm.yaml" --db "$arm.db" 2>/dev/null
    done
    "$TMEX" analyze arms.db --format json --bootstrap 300 >arms.json
    "$TMEX" compare base.db plus1.db --format json --bootstrap 300 >compare.json
    python3 - arms.json compare.json <<'PY' || fail "compare disagrees with the arms campaign"
import json, sys
a, c = (json.load(open(p)) for p in sys.argv[1:3])
for section in ("contrasts", "contrast_prcc", "subgroups"):
    assert a[section].get("outputs", a[section].get("contrasts")) == \
        c[section].get("outputs", c[section].get("contrasts")), section
assert a["contrasts"]["outputs"][0]["rows"][0]["mean"] == 1.0
assert [t["rows"] for t in a["prcc"]["outputs"]] == [t["rows"] for t in c["prcc"]["outputs"]]
assert c["arms"]["arms"][0]["rows"][1]["arm"] == "plus1"
PY
    # Stores of other samples are refused, saying exactly what differs.
    sed -e "s/seed: 99/seed: 98/" -e "s/samples: 200/samples: 100/" base.yaml >other.yaml
    launch 0 run other.yaml --db other.db 2>/dev/null
    set +e
    "$TMEX" compare base.db other.db >out.txt 2>err.txt
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "compare of other samples: exit $rc"
    grep -q "other.db does not hold the samples of base.db" err.txt || fail "$(cat err.txt)"
    grep -q "  seed: 99 -> 98" err.txt || fail "seed difference not named: $(cat err.txt)"
    grep -q "  samples: 200 -> 100" err.txt || fail "sample difference not named"
    [ ! -s out.txt ] || fail "a refused compare wrote a report"
    set +e
    "$TMEX" compare base.db arms.db 2>err.txt
    [ $? = 2 ] && grep -q "arms.db holds a campaign with arms" err.txt || fail "arms store compared"
    "$TMEX" compare base.db 2>err.txt
    [ $? = 2 ] || fail "one store compared"
    "$TMEX" compare base.db missing.db 2>err.txt
    [ $? = 2 ] && grep -q "'missing.db' does not exist" err.txt || fail "missing store: $(cat err.txt)"
    set -e
    # The stores are opened read-only: nothing appears beside them.
    mkdir quiet && cp base.db plus1.db quiet/
    "$TMEX" compare quiet/base.db quiet/plus1.db --outputs y >/dev/null || fail "compare in quiet/"
    [ "$(ls quiet | tr '\n' ' ')" = "base.db plus1.db " ] || fail "files beside the stores: $(ls quiet)"
    ;;
  *)
    fail "unknown test $TEST"
    ;;
esac
echo "ok: $TEST $*"
