#!/usr/bin/env python3
"""Golden numbers of `tmex analyze --format json`: flattens a report into {path: value} and
compares it with an expected file.

  golden.py flatten REPORT.json            print the flattened report (sorted JSON)
  golden.py compare EXPECTED.json REPORT.json
      exit 1 when a point estimate or interval differs beyond the tolerance, or is missing.

Paths name what a number is, independent of the report's layout: "prcc/y/x1/coefficient",
"sobol/y/x2/total_low", "uncertainty/y/q50". Numbers agree when
|actual - expected| <= 1e-12 + 1e-9 |expected| (summation order may differ, nothing else).
"""
import json
import math
import sys

ABS_TOL = 1e-12
REL_TOL = 1e-9
INTERVAL_SUFFIXES = ("_low", "_high", "/low", "/high")


def flatten(report):
    """{path: value} of every estimate in a report of `tmex analyze --format json`."""
    if "report" in report:
        return flatten_sections(report)
    return flatten_0_1(report)


def tables(section, key):
    return section.get(key, []) if section else []


def flatten_sections(report):
    """flatten() of the report layout of tmex 0.2 (one object per section)."""
    out = {}
    c = report["campaign"]
    for key in ("total", "stored", "ok", "failed"):
        out["runs/" + key] = c["runs_" + key]
    out["sensitivity_rows"] = c["sensitivity_rows"]
    out["methods"] = ",".join(c["methods"])
    failures = report.get("failures", {})
    if "parameters" in failures:
        out["failures/failed"] = failures["failed"]
        out["failures/succeeded"] = failures["succeeded"]
        for p in failures["parameters"][0]["rows"]:
            for key in ("effect", "z", "p", "p_bonferroni", "median_failed", "median_ok"):
                out["failures/%s/%s" % (p["parameter"], key)] = p[key]
    for method in ("prcc", "pcc", "pearson", "spearman"):
        section = report.get(method)
        if not section:
            continue
        out[method + "/rows"] = section["analysed_rows"]
        for o in section["outputs"]:
            for p in o["rows"]:
                base = "%s/%s/%s/" % (method, o["output"], p["parameter"])
                out[base + "coefficient"] = p[method]
                for key in ("ci_low", "ci_high", "t", "p", "p_bonferroni", "p_bh"):
                    out[base + key] = p[key]
    for method in ("src", "srrc"):
        section = report.get(method)
        if not section:
            continue
        out[method + "/rows"] = section["analysed_rows"]
        for o in section["outputs"]:
            out["%s/%s/r_squared" % (method, o["output"])] = o["r_squared"]
            for p in o["rows"]:
                out["%s/%s/%s/coefficient" % (method, o["output"], p["parameter"])] = p[method]
    sobol = report.get("sobol")
    if sobol:
        out["sobol/base_rows"] = sobol["base_rows"]
        for o in sobol["outputs"]:
            out["sobol/%s/variance" % o["output"]] = o["variance"]
            for p in o["rows"]:
                for key in ("first", "first_low", "first_high", "total", "total_low", "total_high"):
                    out["sobol/%s/%s/%s" % (o["output"], p["parameter"], key)] = p[key]
    morris = report.get("morris")
    if morris:
        out["morris/trajectories"] = morris["trajectories"]
        for o in morris["outputs"]:
            for p in o["rows"]:
                for key in ("mu_star", "mu_star_low", "mu_star_high", "mu", "sigma", "effects"):
                    out["morris/%s/%s/%s" % (o["output"], p["parameter"], key)] = p[key]
    convergence = report.get("convergence")
    if convergence:
        out["convergence/max_change"] = convergence["max_change"]
        out["convergence/converged"] = convergence["converged"]
        out["convergence/sample_sizes"] = ",".join(str(n) for n in convergence["sample_sizes"])
    uncertainty = report.get("uncertainty")
    histograms = {h["output"]: h["rows"] for h in tables(uncertainty, "histogram")}
    for u in tables(uncertainty, "outputs"):
        base = "uncertainty/" + u["output"]
        out[base + "/samples"] = u["samples"]
        for row in u["rows"]:
            statistic = row["statistic"]
            if statistic.startswith("q"):
                name = "%s/q%g" % (base, float(statistic[1:]))
            else:
                name = base + "/" + statistic
            out[name] = row["estimate"]
            if statistic not in ("min", "max"):
                out[name + "_low"] = row["ci_low"]
                out[name + "_high"] = row["ci_high"]
        out[base + "/histogram/counts"] = ",".join(str(b["count"]) for b in histograms[u["output"]])
    for table in tables(report.get("events"), "events"):
        for e in table["rows"]:
            base = "event/" + e["event"]
            for key in ("runs", "events", "probability", "ci_low", "ci_high"):
                out[base + "/" + key] = e[key]
    return out


def flatten_0_1(report):
    """flatten() of the report layout of tmex 0.1 (the expected files were made from it)."""
    out = {}
    runs = report["runs"]
    for key in ("total", "stored", "ok", "failed"):
        out["runs/" + key] = runs[key]
    out["sensitivity_rows"] = report["sensitivity_rows"]
    out["methods"] = ",".join(report["methods"])
    failures = report.get("failures")
    if failures:
        out["failures/failed"] = failures["failed"]
        out["failures/succeeded"] = failures["succeeded"]
        for p in failures["parameters"]:
            for key in ("effect", "z", "p", "p_bonferroni", "median_failed", "median_ok"):
                out["failures/%s/%s" % (p["parameter"], key)] = p[key]
    for table in report.get("correlations", []):
        method = table["method"]
        out[method + "/rows"] = table["rows"]
        for o in table["outputs"]:
            for p in o["parameters"]:
                for key in ("coefficient", "ci_low", "ci_high", "t", "p", "p_bonferroni", "p_bh"):
                    out["%s/%s/%s/%s" % (method, o["output"], p["parameter"], key)] = p[key]
    for table in report.get("regressions", []):
        method = table["method"]
        out[method + "/rows"] = table["rows"]
        for o in table["outputs"]:
            out["%s/%s/r_squared" % (method, o["output"])] = o["r_squared"]
            for p in o["parameters"]:
                out["%s/%s/%s/coefficient" % (method, o["output"], p["parameter"])] = p["coefficient"]
    sobol = report.get("sobol")
    if sobol:
        out["sobol/base_rows"] = sobol["base_rows"]
        for o in sobol["outputs"]:
            out["sobol/%s/variance" % o["output"]] = o["variance"]
            for p in o["parameters"]:
                for key in ("first", "first_low", "first_high", "total", "total_low", "total_high"):
                    out["sobol/%s/%s/%s" % (o["output"], p["parameter"], key)] = p[key]
    morris = report.get("morris")
    if morris:
        out["morris/trajectories"] = morris["trajectories"]
        for o in morris["outputs"]:
            for p in o["parameters"]:
                for key in ("mu_star", "mu_star_low", "mu_star_high", "mu", "sigma", "effects"):
                    out["morris/%s/%s/%s" % (o["output"], p["parameter"], key)] = p[key]
    convergence = report.get("convergence")
    if convergence:
        out["convergence/max_change"] = convergence["max_change"]
        out["convergence/converged"] = convergence["converged"]
        out["convergence/sample_sizes"] = ",".join(str(n) for n in convergence["sample_sizes"])
    uncertainty = report.get("uncertainty") or {}
    for u in uncertainty.get("outputs", []):
        base = "uncertainty/" + u["output"]
        out[base + "/samples"] = u["samples"]
        for key in ("mean", "mean_low", "mean_high", "sd", "sd_low", "sd_high", "min", "max"):
            out[base + "/" + key] = u[key]
        for q in u["quantiles"]:
            name = "%s/q%g" % (base, 100 * q["level"])
            out[name] = q["value"]
            out[name + "_low"] = q["low"]
            out[name + "_high"] = q["high"]
        out[base + "/histogram/counts"] = ",".join(str(c) for c in u["histogram"]["counts"])
    for e in report.get("events", []):
        base = "event/" + e["event"]
        out[base + "/runs"] = e["runs"]
        out[base + "/events"] = e["events"]
        out[base + "/probability"] = e["probability"]
        out[base + "/ci_low"] = e["ci_low"]
        out[base + "/ci_high"] = e["ci_high"]
    return out


def agree(expected, actual):
    if isinstance(expected, float) or isinstance(actual, float):
        if expected is None or actual is None:
            return expected is None and actual is None
        if math.isnan(expected) and math.isnan(actual):
            return True
        return abs(actual - expected) <= ABS_TOL + REL_TOL * abs(expected)
    return expected == actual


def compare(expected, actual):
    """Lists of (path, expected, actual) for point estimates and for intervals that differ."""
    points, intervals = [], []
    for path, want in sorted(expected.items()):
        got = actual.get(path, "<missing>")
        if got == "<missing>" or not agree(want, got):
            is_interval = path.endswith(INTERVAL_SUFFIXES) or path.endswith("ci_low") or \
                path.endswith("ci_high")
            (intervals if is_interval else points).append((path, want, got))
    return points, intervals


def main(argv):
    if len(argv) == 3 and argv[1] == "flatten":
        with open(argv[2]) as f:
            print(json.dumps(flatten(json.load(f)), indent=1, sort_keys=True))
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        with open(argv[2]) as f:
            expected = json.load(f)
        with open(argv[3]) as f:
            actual = flatten(json.load(f))
        points, intervals = compare(expected, actual)
        for kind, rows in (("point estimate", points), ("interval", intervals)):
            for path, want, got in rows:
                print("%s differs: %s expected %r, got %r" % (kind, path, want, got))
        return 1 if points or intervals else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
