#!/usr/bin/env bash
# End-to-end tests of campaigns that stop themselves (convergence:): the closed-form stop of the
# linear model, identical decisions and rows at 1 and 3 ranks and after SIGKILLs, the cap, a
# check recomputed after a crash, saltelli designs, and campaigns with arms judged on their
# contrasts (a zero-width contrast, the closed-form interval of a mean difference, 1 and 3 ranks,
# a resume inside a checkpoint).
# Usage: e2e_convergence.sh TMEX TEST [ARGS]
set -euo pipefail
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
TMEX=$(realpath "$1")
TEST=$2
shift 2
source "$TESTS_DIR/driver/e2e_common.sh" tmex-e2e-conv

# checks DB: every recorded check and criterion, without the session, time and duration.
checks() {
  sqlite3 "$1" "SELECT checkpoint, samples, runs, rows_used, decision, summary FROM checks
                ORDER BY checkpoint;
                SELECT checkpoint, position, output, criterion, quote(value), quote(target), met,
                detail, quote(contrast) FROM check_criteria ORDER BY checkpoint, position"
}

# The faulty model (y2 = x1 x2 after sleep_ms, 5% exceptions) converges at checkpoint 3 (2000
# samples) with halfwidth 0.007: the widest interval is about 0.0082 at 1000 and 0.0063 at 2000.
write_faulty() {  # write_faulty FILE SAMPLES HALFWIDTH SLEEP_MS
  cat >"$1" <<YAML
campaign: {name: conv, seed: 99, samples: $2}
design: {method: lhs}
model:
  name: faulty
  settings: {sleep_ms: $4, throw_below: 0.05}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: loguniform, min: 0.1, max: 10}
  x3: {distribution: uniform, min: -1, max: 1}
convergence: {start: 250, outputs: [y2], halfwidth: $3, stable_top: 2}
storage: {path: campaign.db}
execution: {progress_interval: 0.5, commit_interval: 0.1}
YAML
}

# A campaign with two arms of the linear model (README, "Campaigns with arms"): ARMS is the arms
# section in flow style, CONV the convergence block.
write_arms() {  # write_arms FILE SAMPLES SETTINGS ARMS CONV
  cat >"$1" <<YAML
campaign: {name: arms-auto, seed: 7, samples: $2}
design: {method: lhs}
model:
  name: linear
  settings: $3
arms: $4
parameters:
  x1: {distribution: normal, mean: 0, sd: 1}
  x2: {distribution: normal, mean: 0, sd: 1}
  x3: {distribution: normal, mean: 0, sd: 1}
convergence: $5
storage: {path: arms.db}
execution: {commit_interval: 0.1}
YAML
}

case "$TEST" in
  closed-form)  # the linear model stops where the closed-form PRCC half-width falls below target
    # y = x1 + 2 x2 + 3 x3 + 2 e, inputs and noise standard normal: ranks of Gaussian pairs
    # correlate as (6 / pi) asin(rho / 2), so PRCC_i = s_i / sqrt(s_i^2 + 1 - sum s_j^2); the
    # widest significant 95% Fisher-z interval is that of the smallest, x1 (PRCC 0.40).
    target=0.045
    cat >c.yaml <<YAML
campaign: {name: linear-auto, seed: 5, samples: 16000}
design: {method: lhs}
model:
  name: linear
  settings: {coefficients: [1, 2, 3], noise_sd: 2}
parameters:
  x1: {distribution: normal, mean: 0, sd: 1}
  x2: {distribution: normal, mean: 0, sd: 1}
  x3: {distribution: normal, mean: 0, sd: 1}
convergence: {start: 250, halfwidth: $target, stable_top: 3}
storage: {path: linear.db}
execution: {commit_interval: 0.1}
YAML
    # The first checkpoint (from the second on) whose closed-form half-width is below the target,
    # and the half-widths there and one checkpoint before.
    read -r predicted hw_at hw_before < <(awk -v target="$target" 'BEGIN {
      pi = atan2(0, -1); z = 1.959963984540054; var = 1 + 4 + 9 + 4
      split("1 2 3", b, " "); sum = 0
      for (i = 1; i <= 3; i++) { r = b[i] / sqrt(var) / 2; s[i] = 6 / pi * atan2(r, sqrt(1 - r * r)); sum += s[i] * s[i] }
      prcc = s[1] / sqrt(s[1] * s[1] + 1 - sum)
      zr = 0.5 * log((1 + prcc) / (1 - prcc))
      for (n = 250; n <= 16000; n *= 2) {
        d = z / sqrt(n - 3 - 2)
        hw = 0.5 * ((exp(2 * (zr + d)) - 1) / (exp(2 * (zr + d)) + 1) - (exp(2 * (zr - d)) - 1) / (exp(2 * (zr - d)) + 1))
        if (n > 250 && hw < target) { print n, hw, before; exit }
        before = hw
      }
    }')
    echo "closed form: stops at $predicted samples (half-width $hw_at there, $hw_before before)"
    # The target sits well between the two (the estimates scatter by about 3% around them).
    awk -v a="$hw_at" -v b="$hw_before" -v t="$target" 'BEGIN { exit !(a < 0.9 * t && b > 1.1 * t) }' ||
      fail "target $target too close to the closed-form half-widths $hw_at and $hw_before"
    launch 0 run c.yaml 2>run.log || fail "run failed: $(tail -3 run.log)"
    [ "$(sqlite3 linear.db "SELECT samples FROM checks WHERE decision = 'converged'")" = "$predicted" ] ||
      fail "stopped at $(sqlite3 linear.db "SELECT samples, decision FROM checks ORDER BY checkpoint DESC LIMIT 1"), expected $predicted: $(cat run.log)"
    [ "$(sqlite3 linear.db "SELECT count(*) FROM checks WHERE decision <> 'continue'")" = 1 ] ||
      fail "more than one final decision"
    [ "$(sqlite3 linear.db 'SELECT count(*), min(sample), max(sample) FROM runs')" = "$predicted|0|$((predicted - 1))" ] ||
      fail "the store does not hold exactly the runs of the checkpoint"
    grep -q "is complete: it converged at checkpoint" run.log || fail "no convergence message"
    "$TMEX" status linear.db >status.txt
    grep -q "state      complete: converged at checkpoint" status.txt || fail "status: $(cat status.txt)"
    grep -q "converged  y: widest" status.txt || fail "status shows no path: $(cat status.txt)"
    [ "$(sqlite3 linear.db 'SELECT total, stored FROM progress')" = "$predicted|$predicted" ] ||
      fail "progress view"
    "$TMEX" analyze linear.db >analysis.txt
    grep -q "A campaign that stops itself: it converged at checkpoint" analysis.txt ||
      fail "analyze shows no checkpoints: $(head -30 analysis.txt)"
    grep -q "runs      $predicted stored of $predicted:" analysis.txt || fail "analyze: runs"
    # Its own convergence verdict (the last two checkpoints) uses the campaign's criteria.
    tr '\n' ' ' <analysis.txt | grep -q "converged: the top 3 significant parameters in the same order at $((predicted / 2)) and $predicted rows, and every interval that excludes 0 no wider than +/- $target" ||
      fail "analyze's convergence verdict: $(sed -n '/^Convergence/,/^Criteria/p' analysis.txt)"
    "$TMEX" analyze linear.db --format csv | contains "^checkpoints,y,x1,,halfwidth_at_$predicted," ||
      fail "analyze CSV"
    # A finished campaign run again says it is complete and does nothing.
    launch 0 run c.yaml 2>again.log || fail "second run failed"
    grep -q "is complete: it converged at checkpoint" again.log || fail "second run: $(cat again.log)"
    [ "$(sqlite3 linear.db 'SELECT count(*) FROM sessions')" = 1 ] || fail "a second session began"
    ;;
  ranks)  # the same decisions and rows at 1 and N ranks
    n=$1
    write_faulty c.yaml 8000 0.007 1
    launch 0 run c.yaml --db ref.db 2>ref.log
    launch "$n" run c.yaml --db par.db 2>par.log || fail "run on $n ranks: $(tail -3 par.log)"
    [ "$(sqlite3 ref.db "SELECT samples FROM checks WHERE decision = 'converged'")" = 2000 ] ||
      fail "the reference did not converge at 2000: $(checks ref.db)"
    diff <(checks ref.db) <(checks par.db) || fail "checks differ between 1 and $n ranks"
    diff <(rows ref.db) <(rows par.db) >/dev/null || fail "rows differ between 1 and $n ranks"
    [ "$(sqlite3 par.db 'SELECT count(*), max(sample) FROM runs')" = "2000|1999" ] ||
      fail "the store keeps runs beyond the checkpoint"
    sqlite3 par.db "SELECT runs_stored FROM sessions" | grep -qx 2000 || fail "session count"
    ;;
  kill-resume)  # SIGKILL at random moments; resume until complete: the same checks and rows
    n=$1
    write_faulty c.yaml 8000 0.007 2
    launch 0 run c.yaml --db ref.db 2>/dev/null
    kills=0
    for attempt in $(seq 1 30); do
      launch_bg "$n" run c.yaml >run.log 2>&1
      pid=$!
      # 0.1 to 2 s in: early checkpoints, their checks, and the runs beyond the last one.
      delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.1 + (r % 191) / 100 }')
      if kill_after_start "$n" 0 "$delay"; then kills=$((kills + 1)); fi
      wait "$pid" || true
      [ "$kills" -ge 3 ] && break
      # Finished before enough kills: start over.
      if sqlite3 campaign.db "SELECT 1 FROM checks WHERE decision = 'converged'" 2>/dev/null | grep -q 1; then
        rm -f campaign.db*
        kills=0
      fi
    done
    [ "$kills" -ge 3 ] || fail "killed only $kills times"
    sessions=0
    until sqlite3 campaign.db "SELECT 1 FROM checks WHERE decision = 'converged'" | grep -q 1; do
      sessions=$((sessions + 1))
      [ "$sessions" -le 6 ] || fail "not converged after $sessions resumes"
      launch "$n" run c.yaml --retry-crashed >>resume.log 2>&1 || true
    done
    # A kill while a quarantined run ran alone stores it as crashed (a failure, for the checks
    # made on it as for any analysis): --retry-crashed runs it again and makes those checks again.
    launch "$n" run c.yaml --retry-crashed >>resume.log 2>&1 || fail "retry: $(tail -3 resume.log)"
    [ "$(sqlite3 campaign.db 'PRAGMA integrity_check')" = ok ] || fail "integrity check"
    diff <(checks ref.db) <(checks campaign.db) || fail "checks differ after $kills kills"
    diff <(rows ref.db) <(rows campaign.db) >/dev/null || fail "rows differ after $kills kills"
    launch "$n" run c.yaml 2>&1 | contains "is complete: it converged" || fail "no 'complete' message"
    echo "killed $kills times; checks and rows identical to an uninterrupted run"
    ;;
  recheck)  # a check not recorded before a crash is made again from the same runs
    write_faulty c.yaml 8000 0.007 0
    launch 0 run c.yaml --db ref.db 2>/dev/null
    cp ref.db campaign.db
    # As if the process died after the runs of checkpoint 3 were committed, before its check.
    sqlite3 campaign.db "DELETE FROM check_criteria WHERE checkpoint = 3;
                         DELETE FROM checks WHERE checkpoint = 3"
    "$TMEX" status campaign.db | contains "^state      incomplete" || fail "status of the crashed store"
    launch 0 run c.yaml 2>again.log || fail "resume failed: $(cat again.log)"
    grep -q "0 of 8000 runs to do\|runs to do" again.log || true
    diff <(checks ref.db) <(checks campaign.db) || fail "the check made again differs"
    diff <(rows ref.db) <(rows campaign.db) >/dev/null || fail "rows changed"
    ;;
  cap)  # a campaign that cannot converge stops at campaign.samples and says so
    write_faulty c.yaml 1000 0.0001 0
    launch 2 run c.yaml 2>run.log || fail "exit status $? at the cap: $(tail -3 run.log)"
    [ "$(sqlite3 campaign.db "SELECT checkpoint, samples, decision FROM checks ORDER BY checkpoint DESC LIMIT 1")" = "2|1000|cap" ] ||
      fail "no cap decision: $(checks campaign.db)"
    grep -q "reached campaign.samples (1000 samples, checkpoint 2) without converging" run.log ||
      fail "no message at the cap: $(cat run.log)"
    [ "$(sqlite3 campaign.db 'SELECT count(*) FROM runs')" = 1000 ] || fail "runs missing"
    "$TMEX" status campaign.db | contains "did not converge by campaign.samples (1000 samples)" ||
      fail "status: $("$TMEX" status campaign.db)"
    launch 0 run c.yaml 2>&1 | contains "is complete: it reached campaign.samples" ||
      fail "a second run does not say it is complete"
    ;;
  change)  # a higher cap goes on from the last checkpoint; other criteria check again
    write_faulty ref.yaml 8000 0.007 0
    launch 0 run ref.yaml --db ref.db 2>/dev/null
    # Stopped at a cap of 1000 samples: not converged.
    write_faulty c.yaml 1000 0.007 0
    launch 0 run c.yaml 2>/dev/null
    [ "$(sqlite3 campaign.db "SELECT decision FROM checks ORDER BY checkpoint DESC LIMIT 1")" = cap ] ||
      fail "expected a cap decision"
    write_faulty c.yaml 8000 0.007 0
    "$TMEX" check c.yaml | contains "a higher campaign.samples: it goes on" || fail "check refuses"
    launch 2 run c.yaml 2>run.log || fail "raised cap: $(cat run.log)"
    grep -q "changed (campaign.samples: 1000 -> 8000): it goes on from its last checkpoint" run.log ||
      fail "no message: $(cat run.log)"
    diff <(checks ref.db) <(checks campaign.db) || fail "checks differ from a campaign run whole"
    diff <(rows ref.db) <(rows campaign.db) >/dev/null || fail "rows differ"
    # A looser criterion checks again and stops earlier, as a campaign run with it from the start.
    write_faulty ref2.yaml 8000 0.009 0
    launch 0 run ref2.yaml --db ref2.db 2>/dev/null
    write_faulty c.yaml 8000 0.009 0
    launch 0 run c.yaml 2>run2.log || fail "looser criterion: $(cat run2.log)"
    grep -q "its checkpoints are checked again" run2.log || fail "no message: $(cat run2.log)"
    [ "$(sqlite3 ref2.db "SELECT samples FROM checks WHERE decision = 'converged'")" = 1000 ] ||
      fail "the looser reference should stop at 1000"
    diff <(checks ref2.db) <(checks campaign.db) || fail "checks differ after the looser criterion"
    diff <(rows ref2.db) <(rows campaign.db) >/dev/null || fail "rows differ after the looser criterion"
    # Anything else is still another campaign.
    sed -i 's/seed: 99/seed: 98/' c.yaml
    set +e
    launch 0 run c.yaml 2>other.log
    rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q "holds a campaign with a different configuration" other.log ||
      fail "another seed was accepted ($rc): $(cat other.log)"
    ;;
  saltelli)  # Sobol' indices decide on a saltelli design: the same at 1 and 3 ranks
    cat >c.yaml <<YAML
campaign: {name: sobol-auto, seed: 3, samples: 1024}
design: {method: saltelli}
model:
  name: linear
  settings: {coefficients: [1, 2, 4]}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: uniform, min: 0, max: 1}
  x3: {distribution: uniform, min: 0, max: 1}
convergence: {start: 64, halfwidth: 0.11, stable_top: 3}
storage: {path: sobol.db}
execution: {commit_interval: 0.1}
YAML
    launch 0 run c.yaml --db ref.db 2>ref.log || fail "run: $(cat ref.log)"
    launch 3 run c.yaml --db par.db 2>/dev/null || fail "run on 3 ranks"
    [ "$(sqlite3 ref.db "SELECT count(*) FROM checks WHERE decision = 'converged'")" = 1 ] ||
      fail "did not converge: $(checks ref.db)"
    stopped=$(sqlite3 ref.db "SELECT samples FROM checks WHERE decision = 'converged'")
    [ "$(sqlite3 ref.db 'SELECT count(*) FROM runs')" = "$((stopped * 5))" ] ||
      fail "the store should hold the $stopped base rows x (k + 2) runs"
    sqlite3 ref.db "SELECT detail FROM check_criteria WHERE criterion = 'stable_top'" |
      tail -1 | grep -q "^ST(x3), ST(x2), ST(x1)" || fail "ranking by ST: $(checks ref.db)"
    diff <(checks ref.db) <(checks par.db) || fail "checks differ between 1 and 3 ranks"
    diff <(rows ref.db) <(rows par.db) >/dev/null || fail "rows differ between 1 and 3 ranks"
    # The analysis of the stopped campaign uses its base rows, none missing.
    "$TMEX" analyze ref.db >analysis.txt
    grep -q "dropped because" analysis.txt && fail "analyze counts base rows beyond the checkpoint"
    grep -q "Sobol' indices" analysis.txt || fail "no Sobol' indices: $(head -40 analysis.txt)"
    ;;
  arms-first)  # two arms that differ by a constant: a zero-width contrast stops at once
    # Outputs in [1024, 2048), where doubles are evenly spaced: every difference is exactly 1.
    write_arms c.yaml 2000 "{noise_sd: 0.5, intercept: 1536}" \
      "{base: {}, plus1: {settings: {intercept: 1537}}}" "{start: 250, difference: 0.01}"
    launch 0 run c.yaml 2>run.log || fail "run: $(tail -3 run.log)"
    [ "$(sqlite3 arms.db "SELECT checkpoint, samples, runs, decision FROM checks")" = "0|250|500|converged" ] ||
      fail "did not stop at the first checkpoint: $(checks arms.db)"
    [ "$(sqlite3 arms.db "SELECT output, criterion, value, target, met, contrast FROM check_criteria")" = \
      "y|difference|0.0|0.01|1|plus1:base" ] || fail "criteria: $(checks arms.db)"
    # Exactly the runs of the checkpoint: its 250 samples under both arms.
    [ "$(sqlite3 arms.db "SELECT count(*), max(sample), count(DISTINCT arm) FROM runs")" = "500|249|2" ] ||
      fail "the store does not hold exactly the checkpoint's runs"
    grep -q "is complete: it converged at checkpoint 0 (250 samples)" run.log || fail "$(cat run.log)"
    "$TMEX" status arms.db >status.txt
    grep -q "y (plus1:base): difference +/- 0 <= 0.01 (1 \[1, 1\] on 250 paired samples)" status.txt ||
      fail "status: $(cat status.txt)"
    "$TMEX" analyze arms.db >analysis.txt
    grep -q "converged  plus1:base  y       difference" analysis.txt ||
      fail "analyze: $(sed -n '/^Checkpoints/,/^Failures/p' analysis.txt)"
    grep -q "runs      500 stored of 500 (250 samples x 2 arms" analysis.txt || fail "analyze: runs"
    "$TMEX" analyze arms.db --format csv | contains "^checkpoints,plus1,base,y,,,difference_at_250,0," ||
      fail "analyze CSV"
    # Who benefits cannot be judged on a constant difference: at the cap, saying why.
    write_arms c2.yaml 1000 "{noise_sd: 0.5, intercept: 1536}" \
      "{base: {}, plus1: {settings: {intercept: 1537}}}" "{start: 250, difference: 0.01, stable_top: 1}"
    sed -i 's/arms.db/arms2.db/' c2.yaml
    launch 0 run c2.yaml 2>run2.log || fail "run: $(tail -3 run2.log)"
    grep -q "reached campaign.samples (1000 samples, checkpoint 2) without converging (not converged: y (plus1:base): a PRCC of the paired difference is not a number (is the difference constant?))" run2.log ||
      fail "no reason at the cap: $(cat run2.log)"
    "$TMEX" status arms2.db | contains "did not converge by campaign.samples (1000 samples)" ||
      fail "status at the cap: $("$TMEX" status arms2.db)"
    ;;
  arms-closed-form)  # the mean difference's interval: 1.96 / sqrt(n) for a noise difference of sd 1
    # Common random numbers: noise_sd 3 against 2 makes each paired difference the run's standard
    # normal draw, so the 95% interval of the mean difference has half-width about 1.96 / sqrt(n)
    # (the sample sd scatters by 1 / sqrt(2 n), the bootstrap's percentiles a little more).
    target=0.105
    read -r predicted hw_at hw_before < <(awk -v target="$target" 'BEGIN {
      for (n = 125; n <= 4000; n *= 2) {
        hw = 1.959963984540054 / sqrt(n)
        if (hw < target) { print n, hw, before; exit }
        before = hw
      }
    }')
    awk -v a="$hw_at" -v b="$hw_before" -v t="$target" 'BEGIN { exit !(a < 0.85 * t && b > 1.15 * t) }' ||
      fail "target $target too close to the closed-form half-widths $hw_at and $hw_before"
    write_arms c.yaml 4000 "{coefficients: [1, 2, 3], noise_sd: 2}" \
      "{base: {}, noisier: {settings: {noise_sd: 3}}}" "{start: 125, difference: $target}"
    launch 0 run c.yaml 2>run.log || fail "run: $(tail -3 run.log)"
    [ "$(sqlite3 arms.db "SELECT samples FROM checks WHERE decision = 'converged'")" = "$predicted" ] ||
      fail "stopped at $(sqlite3 arms.db "SELECT samples, decision FROM checks ORDER BY checkpoint DESC LIMIT 1"), expected $predicted: $(checks arms.db)"
    # Each checkpoint's half-width within 10% of the closed form.
    sqlite3 arms.db "SELECT c.samples, k.value FROM checks c JOIN check_criteria k USING (checkpoint)" |
      awk -F'|' '{ hw = 1.959963984540054 / sqrt($1); if ($2 < 0.9 * hw || $2 > 1.1 * hw) { print; bad = 1 } } END { exit bad }' ||
      fail "half-widths far from 1.96 / sqrt(n): $(checks arms.db)"
    [ "$(sqlite3 arms.db 'SELECT count(*) FROM runs')" = "$((2 * predicted))" ] || fail "runs kept"
    # The check's interval is the one tmex analyze reports for the contrast on the same runs.
    "$TMEX" analyze arms.db --format csv >analysis.csv
    hw=$(sqlite3 arms.db "SELECT value FROM check_criteria JOIN checks USING (checkpoint)
                          WHERE decision = 'converged'")
    awk -F, -v hw="$hw" '$1 == "contrasts" && $2 == "noisier" && $7 == "mean" {
      d = ($10 - $9) / 2 - hw; found = 1; exit !(d < 1e-12 && d > -1e-12) }
      END { if (!found) exit 1 }' analysis.csv ||
      fail "analyze's interval differs from the check's half-width $hw: $(grep '^contrasts' analysis.csv)"
    ;;
  arms-ranks)  # who benefits and the mean difference: the same decisions and rows at 1 and N ranks
    n=$1
    # More weight on x2 and more noise under more_x2: the difference is x2 + e.
    write_arms c.yaml 16000 "{coefficients: [1, 2, 3], noise_sd: 2}" \
      "{base: {}, more_x2: {settings: {coefficients: [1, 3, 3], noise_sd: 3}}}" \
      "{start: 250, difference: 0.06, halfwidth: 0.04, stable_top: 1}"
    launch 0 run c.yaml --db ref.db 2>ref.log || fail "run: $(tail -3 ref.log)"
    launch "$n" run c.yaml --db par.db 2>par.log || fail "run on $n ranks: $(tail -3 par.log)"
    stopped=$(sqlite3 ref.db "SELECT checkpoint FROM checks WHERE decision = 'converged'")
    [ -n "$stopped" ] && [ "$stopped" -ge 2 ] || fail "expected a later stop: $(checks ref.db)"
    [ "$(sqlite3 ref.db "SELECT DISTINCT detail FROM check_criteria WHERE criterion = 'stable_top' AND checkpoint = $stopped")" = x2 ] ||
      fail "who benefits is not x2: $(checks ref.db)"
    diff <(checks ref.db) <(checks par.db) || fail "checks differ between 1 and $n ranks"
    diff <(rows ref.db) <(rows par.db) >/dev/null || fail "rows differ between 1 and $n ranks"
    ;;
  arms-resume)  # a campaign with arms killed inside a checkpoint resumes to the same checks and rows
    write_arms c.yaml 16000 "{coefficients: [1, 2, 3], noise_sd: 2}" \
      "{base: {}, more_x2: {settings: {coefficients: [1, 3, 3], noise_sd: 3}}}" \
      "{start: 250, difference: 0.06, halfwidth: 0.04, stable_top: 1}"
    launch 0 run c.yaml --db ref.db 2>/dev/null
    # As a SIGKILL leaves it: checkpoints 0 and 1 checked, the runs of 2 half committed (the
    # samples 500..749 under both arms, and sample 750 under the first arm only), no check of 2.
    cp ref.db arms.db
    sqlite3 arms.db "DELETE FROM check_criteria WHERE checkpoint >= 2; DELETE FROM checks WHERE checkpoint >= 2;
                     DELETE FROM runs WHERE id > 1500; UPDATE sessions SET outcome = 'crashed'"
    launch 3 run c.yaml 2>resume.log || fail "resume: $(tail -3 resume.log)"
    diff <(checks ref.db) <(checks arms.db) || fail "checks differ after the resume"
    diff <(rows ref.db) <(rows arms.db) >/dev/null || fail "rows differ after the resume"
    ;;
  *)
    fail "unknown test $TEST"
    ;;
esac
echo "ok: $TEST $*"
