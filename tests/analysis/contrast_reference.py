#!/usr/bin/env python3
"""Reference values of contrast_test.cpp, computed with SciPy (run once; the test embeds them).

Usage: python3 contrast_reference.py  (prints the data and the expected values as C++)
Made with Python 3.11, NumPy 1.24 and SciPy 1.10.1 (Debian 12: python3-scipy).
"""
import numpy as np
from scipy import stats

rng = np.random.default_rng(20261129)
n = 30
p1 = np.round(rng.uniform(0, 1, n), 3)
p2 = np.round(rng.uniform(0, 1, n), 3)
y_ref = np.round(5 + 2 * p1 + rng.normal(0, 0.3, n), 3)
# The arm lowers y more where p1 is high (a benefit that p1 predicts), and not at all in a few.
y_arm = np.round(y_ref - 1.5 * p1 + rng.normal(0, 0.2, n), 3)
y_arm[[3, 17]] = y_ref[[3, 17]]
e_ref = (rng.uniform(0, 1, n) < 0.6).astype(int)
e_arm = np.where(rng.uniform(0, 1, n) < 0.7, 0, e_ref)  # the arm prevents most events...
e_arm[[1, 2]] = 1                                         # ...and causes two

def arr(name, v):
    body = ", ".join(repr(float(x)) if not float(x).is_integer() or name[0] != "e" else str(int(x)) for x in v)
    print(f"const std::vector<double> {name} = {{{body}}};")

for name, v in [("kP1", p1), ("kP2", p2), ("kRef", y_ref), ("kArm", y_arm), ("kEventRef", e_ref), ("kEventArm", e_arm)]:
    arr(name, v)

d = y_arm - y_ref
print("// difference arm - reference")
print(f"mean {d.mean()!r}")
print(f"median {np.median(d)!r}")
print(f"sd {d.std(ddof=1)!r}")
helped = int((d < 0).sum())
ci = stats.binomtest(helped, n).proportion_ci(confidence_level=0.95, method="wilson")
print(f"helped {helped} of {n}; wilson {ci.low!r} {ci.high!r}")
print(f"increased {(d > 0).sum()} decreased {(d < 0).sum()} unchanged {(d == 0).sum()}")

# McNemar, exact: the binomial test of the discordant pairs.
prevented = int(((e_ref == 1) & (e_arm == 0)).sum())
caused = int(((e_ref == 0) & (e_arm == 1)).sum())
both = int(((e_ref == 1) & (e_arm == 1)).sum())
neither = int(((e_ref == 0) & (e_arm == 0)).sum())
p = stats.binomtest(min(prevented, caused), prevented + caused, 0.5).pvalue
print(f"mcnemar both {both} neither {neither} prevented {prevented} caused {caused} p {p!r}")
for b, c in [(8, 62), (1000, 0), (5, 3), (10, 20), (1, 0), (30, 30), (0, 7)]:
    print(f"binomtest({min(b, c)}, {b + c}) = {stats.binomtest(min(b, c), b + c, 0.5).pvalue!r}")

# PRCC of d on (p1, p2): ranks, residuals of least squares on the other parameter, Pearson.
def prcc(x, y, others):
    rx = stats.rankdata(x)
    ry = stats.rankdata(y)
    ro = np.column_stack([np.ones(len(x))] + [stats.rankdata(o) for o in others])
    res_x = rx - ro @ np.linalg.lstsq(ro, rx, rcond=None)[0]
    res_y = ry - ro @ np.linalg.lstsq(ro, ry, rcond=None)[0]
    r = stats.pearsonr(res_x, res_y)[0]
    dof = len(x) - 2 - len(others)
    t = r * np.sqrt(dof / (1 - r * r))
    return r, 2 * stats.t.sf(abs(t), dof)

for name, x, others in [("p1", p1, [p2]), ("p2", p2, [p1])]:
    r, pv = prcc(x, d, others)
    print(f"prcc {name} {r!r} p {pv!r}")

# Fifths of p1 (by value, 6 samples each): mean difference and Student-t interval.
order = np.argsort(p1, kind="stable")
for g in range(5):
    idx = order[6 * g: 6 * (g + 1)]
    m = d[idx].mean()
    lo, hi = stats.t.interval(0.95, len(idx) - 1, loc=m, scale=stats.sem(d[idx]))
    print(f"fifth {g + 1}: p1 [{p1[idx].min()!r}, {p1[idx].max()!r}] mean {m!r} ci {lo!r} {hi!r} "
          f"benefit {(d[idx] < 0).mean()!r}")
