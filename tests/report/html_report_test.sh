#!/usr/bin/env bash
# `tmex report` end to end: HTML reports of small LHS (emdr, ishigami), Saltelli and Morris
# campaigns, rendered in headless Chromium, fail on a console message, an external resource, a
# script, or a figure that is missing or empty; the store is left as it was (read-only opening
# creates nothing beside it); a broken copy of a report must fail the same checks.
# Usage: html_report_test.sh TMEX
# Exit 77 (skipped) without chromium, unless TMEX_REQUIRE_CHROMIUM=1.
set -euo pipefail
TMEX=$(realpath "$1")
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$CHROMIUM" ]]; then
  if [[ "${TMEX_REQUIRE_CHROMIUM:-0}" == 1 ]]; then
    echo "FAIL: chromium not found (TMEX_REQUIRE_CHROMIUM=1)"
    exit 1
  fi
  echo "SKIP: chromium not found (apt-get install chromium)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

campaign() {  # NAME MODEL DESIGN SAMPLES PARAMETERS...
  local name=$1 model=$2 design=$3 samples=$4
  shift 4
  {
    echo "campaign: {name: $name, seed: 5, samples: $samples}"
    echo "design: {method: $design}"
    echo "model: {name: $model}"
    echo "parameters:"
    printf '  %s\n' "$@"
    echo "storage: {path: $name.db}"
  } > "$name.yaml"
  "$TMEX" run "$name.yaml" > /dev/null 2>&1
}

emdr_parameters=(
  "growth_rate: {distribution: loguniform, min: 0.02, max: 0.2}"
  "death_ratio: {distribution: uniform, min: 0.3, max: 0.8}"
  "stat3_protection: {distribution: uniform, min: 0.2, max: 0.9}"
  "max_kill_rate: {distribution: loguniform, min: 5, max: 10}"
  "drug_clearance: {distribution: loguniform, min: 2, max: 5}"
  "mutation_rate: {distribution: loguniform, min: 1e-9, max: 1e-6}"
  "dummy: {distribution: uniform, min: 0, max: 1, dummy: true}")
ishigami_parameters=(
  "x1: {distribution: uniform, min: -3.14159, max: 3.14159}"
  "x2: {distribution: uniform, min: -3.14159, max: 3.14159}"
  "x3: {distribution: uniform, min: -3.14159, max: 3.14159}"
  "noise: {distribution: uniform, min: 0, max: 1, dummy: true}")
campaign emdr_lhs emdr lhs 400 "${emdr_parameters[@]}"
campaign emdr_saltelli emdr saltelli 64 "${emdr_parameters[@]}"
campaign ishigami_lhs ishigami lhs 1000 "${ishigami_parameters[@]}"
campaign ishigami_morris ishigami morris 20 "${ishigami_parameters[@]}"
# A campaign with arms: chemotherapy alone and with the IL-6 block, on the same tumours.
{
  echo "campaign: {name: emdr_arms, seed: 5, samples: 300}"
  echo "design: {method: lhs}"
  echo "model: {name: emdr}"
  echo "arms:"
  echo "  chemo: {}"
  echo "  il6: {settings: {il6_block: 0.8}, options: {il6_block_schedule: continuous}}"
  echo "parameters:"
  printf '  %s\n' "${emdr_parameters[@]}" "il6_basal: {distribution: loguniform, min: 0.1, max: 10}"
  echo "storage: {path: emdr_arms.db}"
} > emdr_arms.yaml
"$TMEX" run emdr_arms.yaml > /dev/null 2>&1

# check_report FILE: the document as Chromium loads it.
check_report() {
  local html=$1 dom=$1.dom log=$1.log shot=$1.png
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --enable-logging=stderr --v=0 --dump-dom "file://$PWD/$html" > "$dom" 2> "$log" || {
    echo "$html: chromium failed"
    return 1
  }
  if grep -q "CONSOLE" "$log"; then
    echo "$html: console messages:"
    grep "CONSOLE" "$log"
    return 1
  fi
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1200,1600 --screenshot="$PWD/$shot" "file://$PWD/$html" > /dev/null 2>&1 || {
    echo "$html: no screenshot"
    return 1
  }
  python3 - "$html" "$dom" "$shot" << 'EOF'
import re, sys, os
html_path, dom_path, shot = sys.argv[1:]
html = open(html_path, encoding="utf-8").read()
dom = open(dom_path, encoding="utf-8").read()
problems = []
declared = re.search(r'<meta name="tmex-figures" content="(\d+)"', dom)
if not declared:
    problems.append("no tmex-figures meta tag")
figures = re.findall(r'<figure id="fig-[^"]*" data-figure="([^"]*)">(.*?)</figure>', dom, re.S)
if declared and len(figures) != int(declared.group(1)):
    problems.append("%d figures in the DOM, %s declared" % (len(figures), declared.group(1)))
if not figures:
    problems.append("no figures")
for name, body in figures:
    if "<svg" not in body:
        problems.append("figure %s has no SVG" % name)
    # A drawn figure has its axes and data: paths and text.
    elif body.count("<path") < 3 or "<text" not in body:
        problems.append("figure %s is empty" % name)
    if "class=\"missing-figure\"" in body:
        problems.append("figure %s is missing" % name)
if "class=\"missing-figure\"" in dom:
    problems.append("a figure could not be drawn")
# Nothing loaded from elsewhere, no script: the file is all there is.
for pattern, what in ((r"<script", "a script"), (r"<img", "an image"), (r"<link", "a link"),
                      (r"""(src|href)\s*=\s*["'](?!#)""", "an external reference"),
                      (r"url\((?!#)", "an external url()"), (r"@import", "an @import")):
    if re.search(pattern, html, re.I):
        problems.append("the document holds %s" % what)
ids = re.findall(r'\sid="([^"]+)"', dom)
duplicates = sorted({i for i in ids if ids.count(i) > 1})
if duplicates:
    problems.append("duplicate ids: %s" % ", ".join(duplicates[:5]))
if os.path.getsize(shot) < 20000:
    problems.append("the screenshot is nearly empty (%d bytes)" % os.path.getsize(shot))
for p in problems:
    print("%s: %s" % (html_path, p))
sys.exit(1 if problems else 0)
EOF
}

for name in emdr_lhs emdr_saltelli ishigami_lhs ishigami_morris emdr_arms; do
  before=$(sha256sum "$name.db")
  files_before=$(ls "$name".db*)
  outputs=()
  [ "$name" = emdr_arms ] && outputs=(--outputs log10_residual_burden,relapsed)
  "$TMEX" report "$name.db" -o "$name.html" --bootstrap 200 "${outputs[@]}" 2> "$name.err" || {
    cat "$name.err"
    exit 1
  }
  if [[ "$(sha256sum "$name.db")" != "$before" || "$(ls "$name".db*)" != "$files_before" ]]; then
    echo "FAIL: tmex report changed the store $name.db or left files beside it"
    exit 1
  fi
  check_report "$name.html" || {
    echo "FAIL: $name.html"
    exit 1
  }
  echo "ok: $name.html ($(grep -o 'tmex-figures" content="[0-9]*' "$name.html" | grep -o '[0-9]*$') figures)"
done

# The sections a reader expects, and what the campaigns hold.
grep -q 'id="sec-convergence"' emdr_lhs.html
grep -q 'id="sec-sessions"' emdr_lhs.html
# Every kind of figure: tornado, scatter, P(0/1 output) in bins, histogram, lines (convergence),
# Sobol' pairs, Morris bars and mu*-sigma.
for figure in tornado_prcc_log10_final_burden scatter_log10_final_burden probability_relapsed \
  histogram_log10_final_burden convergence_log10_final_burden; do
  grep -q "data-figure=\"$figure\"" emdr_lhs.html || {
    echo "FAIL: no figure $figure in emdr_lhs.html"
    exit 1
  }
done
grep -q 'data-figure="sobol_log10_final_burden"' emdr_saltelli.html
grep -q 'data-figure="morris_bars_y"' ishigami_morris.html
grep -q 'data-figure="morris_y"' ishigami_morris.html
# 64 base rows are too few to trust: the report says so before the results.
grep -q 'id="sec-warnings"' emdr_saltelli.html
grep -q 'loguniform(min=0.02, max=0.2)' emdr_lhs.html
# The arms campaign answers its question first: the contrasts (with their forest plots), who
# benefits (the difference against its top parameter; P(relapse prevented) along it), the fifths;
# then each arm's analysis.
python3 - emdr_arms.html << 'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
sections = re.findall(r'<section id="sec-([^"]+)">', html)
assert sections[:6] == ["campaign", "arms", "failures", "contrasts", "contrast_prcc",
                        "subgroups"], sections
assert "prcc" in sections[6:], sections
def section(key):
    return re.search(r'<section id="sec-%s">(.*?)</section>' % key, html, re.S).group(1)
contrasts = section("contrasts")
for text in ("<caption>output log10_residual_burden (lower is better): paired difference, arm - "
             "chemo (300 samples)</caption>", "<th>P(benefit)</th>", "<th>McNemar p</th>",
             "<th>prevented</th>", "<th>caused</th>", "<td>il6</td>",
             'data-figure="forest_log10_residual_burden"', 'data-figure="forest_relapsed"'):
    assert text in contrasts, text
assert 'data-figure="benefit_il6_log10_residual_burden"' in section("contrast_prcc")
assert "P(relapsed prevented by il6 vs chemo)" in section("contrast_prcc")
assert "<th>fifth</th>" in section("subgroups")
assert 'data-figure="tornado_prcc_log10_residual_burden_il6"' in html
EOF

# The checks fail on a broken report: a console error, an external image, a lost figure.
sed 's#</body>#<script>console.error("broken")</script></body>#' ishigami_lhs.html > broken1.html
sed 's#</body>#<img src="elsewhere.png"></body>#' ishigami_lhs.html > broken2.html
python3 - << 'EOF'
import re
html = open("ishigami_lhs.html", encoding="utf-8").read()
# Drop the first figure's SVG, as a figure gnuplot did not draw.
html = re.sub(r'(<figure id="fig-[^"]*" data-figure="[^"]*">)\s*<svg.*?</svg>',
              r'\1<div class="missing-figure">lost</div>', html, count=1, flags=re.S)
open("broken3.html", "w", encoding="utf-8").write(html)
EOF
for broken in broken1.html broken2.html broken3.html; do
  if check_report "$broken" > /dev/null; then
    echo "FAIL: the checks passed a broken report ($broken)"
    exit 1
  fi
done

# Without gnuplot the report is still written, with each figure marked as missing.
TMEX_GNUPLOT=/nonexistent "$TMEX" report ishigami_lhs.db -o nognuplot.html 2> nognuplot.err
grep -q "figures are missing" nognuplot.err
grep -q 'class="missing-figure"' nognuplot.html
# A report that cannot be written is an error that names the file.
if "$TMEX" report ishigami_lhs.db -o /nonexistent/dir/r.html 2> unwritable.err; then
  echo "FAIL: an unwritable report path was accepted"
  exit 1
fi
grep -q "/nonexistent/dir/r.html" unwritable.err
echo "html report: ok"
