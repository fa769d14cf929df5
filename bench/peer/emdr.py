#!/usr/bin/python3
"""The emdr resistance model (shared/MODEL.md) written the way a Python user would: the
equations as a NumPy right-hand side, scipy.integrate.solve_ivp (LSODA) between the
chemotherapy boluses, outputs from the solver's step points.

This covers the chemotherapy-alone arm (examples/emdr.yaml: no microenvironment agents),
which is what the peer benchmark runs. It is a benchmark peer, not a second implementation to
validate tmex against (tmex's own tests do that).
"""

import math

import numpy as np
from scipy.integrate import solve_ivp

# name: (baseline, LHS min, LHS max, log-uniform) for the 21 sampleable parameters.
SAMPLED = {
    "growth_rate": (0.10, 0.03, 0.3, True),
    "death_ratio": (0.2, 0.05, 0.5, False),
    "adhesion_arrest": (0.7, 0.3, 0.95, False),
    "adhesion_strength": (1.0, 0.1, 10.0, True),
    "detach_rate": (2.0, 0.5, 10.0, True),
    "niche_capacity": (0.01, 0.002, 0.05, True),
    "cxcr4_expression": (1.0, 0.1, 10.0, True),
    "sdf1_level": (1.0, 0.1, 10.0, True),
    "sdf1_gain": (8.0, 0.0, 20.0, False),
    "camdr_protection": (0.8, 0.3, 0.95, False),
    "stat3_protection": (0.6, 0.2, 0.9, False),
    "max_kill_rate": (7.0, 2.0, 20.0, True),
    "dose": (10.0, 2.0, 30.0, True),
    "drug_clearance": (3.0, 2.0, 24.0, False),
    "il6_contact_induction": (3.0, 0.0, 10.0, False),
    "pge2_amplification": (3.0, 0.0, 10.0, False),
    "sil6r_potentiation": (0.5, 0.0, 3.0, False),
    "il6_basal": (1.0, 0.1, 10.0, True),
    "mutation_rate": (1e-7, 1e-12, 1e-6, True),
    "resistance_cost": (0.1, 0.0, 0.3, False),
    "resistant_sensitivity": (0.05, 0.0, 0.2, False),
}

FIXED = {
    "attach_rate": 1.0,
    "carrying_capacity": 1e12,
    "initial_burden": 1e10,
    "reference_burden": 1e10,
    "vegf_sdf1_gain": 0.5,
    "tumour_il6_induction": 0.5,
    "pge2_production": 2.0,
    "stat3_half_saturation": 2.0,
    "stat3_proliferation": 0.2,
    "il6_rate": 10.0,
    "pge2_rate": 50.0,
    "stat3_rate": 4.0,
    "cycle_length": 21.0,
    "n_cycles": 6,
    "horizon": 180.0,
    "burn_in": 30.0,
}

OUTPUTS = [
    "final_burden", "log10_final_burden", "log_kill", "nadir_time", "time_to_relapse",
    "relapsed", "resistant_fraction", "adhered_fraction_0", "adhered_fraction_T",
    "expected_mutations", "log10_expected_mutations", "p_resistance", "log10_auc_burden",
    "cured",
]

RTOL = 3e-5  # as MODEL.md's measured tolerances


def rhs_factory(p, rho, death_ratio, mu):
    K = p["carrying_capacity"]
    Nref = p["reference_burden"]
    A_max = p["niche_capacity"] * K
    delta = death_ratio * rho

    def rhs(t, y):
        F, A, R, L, P, Z, C, M, Q = y
        N = F + A + R
        g = max(0.0, 1.0 - N / K)
        n = N / Nref
        S = p["sdf1_level"] * (1.0 + p["vegf_sdf1_gain"] * n)
        s = p["cxcr4_expression"] * S
        H = s / (1.0 + s)
        k_on = p["attach_rate"] * p["adhesion_strength"] * (1.0 + p["sdf1_gain"] * H)
        k_off = p["detach_rate"] / (1.0 + p["sdf1_gain"] * H)
        J = k_on * F * max(0.0, 1.0 - A / A_max) - k_off * A
        kappa = p["max_kill_rate"] * C / (1.0 + C)
        Phi = 1.0 - p["stat3_protection"] * Z
        b_F = rho * (1.0 + p["stat3_proliferation"] * Z) * g
        b_A = (1.0 - p["adhesion_arrest"]) * b_F
        b_R = rho * (1.0 - p["resistance_cost"]) * g
        births = mu * (b_F * F + b_A * A)
        D = p["il6_basal"] + p["il6_contact_induction"] * A / A_max + p["tumour_il6_induction"] * n
        L_e = L * (1.0 + p["sil6r_potentiation"])
        return [
            (1.0 - mu) * b_F * F - delta * F - kappa * Phi * F - J,
            (1.0 - mu) * b_A * A - delta * A - kappa * (1.0 - p["camdr_protection"]) * Phi * A + J,
            b_R * R - delta * R - p["resistant_sensitivity"] * kappa * R + births,
            p["il6_rate"] * (D * (1.0 + p["pge2_amplification"] * P / (1.0 + P)) - L),
            p["pge2_rate"] * (p["pge2_production"] * Z * n - P),
            p["stat3_rate"] * (L_e / (L_e + p["stat3_half_saturation"]) - Z),
            -p["drug_clearance"] * C,
            births,
            N,
        ]

    return rhs


def evaluate(values):
    """values: dict of the sampled parameters. Returns (status, outputs list, error text)."""
    p = dict(FIXED)
    p.update({k: v[0] for k, v in SAMPLED.items()})
    p.update(values)
    N0, mu, dr = p["initial_burden"], p["mutation_rate"], p["death_ratio"]
    R0 = mu * N0 * math.log(N0)
    M0 = mu * N0 / (1.0 - dr)
    atol = np.array([1e-2, 1e-2, min(1e-2, 1e-3 * R0) if R0 > 0 else 1e-2, 1e-5, 1e-5, 1e-5,
                     1e-6, max(1e-6 * M0, 1e-30), 1e-2])
    y = np.array([N0 - R0, 0.0, R0, 1.0, 0.0, 0.0, 0.0, M0, 0.0])
    burn = solve_ivp(rhs_factory(p, 0.0, 0.0, 0.0), (-p["burn_in"], 0.0), y, method="LSODA",
                     rtol=RTOL, atol=atol)
    if not burn.success:
        return "solver_failure", [math.nan] * len(OUTPUTS), burn.message
    y = burn.y[:, -1].copy()
    y[8] = 0.0
    A0, N_0 = y[1], y[0] + y[1] + y[2]
    rhs = rhs_factory(p, p["growth_rate"], dr, mu)
    T, cycle = p["horizon"], p["cycle_length"]
    doses = [j * cycle for j in range(int(p["n_cycles"])) if j * cycle < T]
    edges = doses + [T] if doses and doses[0] == 0.0 else [0.0] + doses + [T]
    ts, Ns = [0.0], [N_0]
    for a, b in zip(edges[:-1], edges[1:]):
        if a in doses:
            y[6] += p["dose"]
        if b <= a:
            continue
        seg = solve_ivp(rhs, (a, b), y, method="LSODA", rtol=RTOL, atol=atol)
        if not seg.success:
            return "solver_failure", [math.nan] * len(OUTPUTS), seg.message
        ts.extend(seg.t[1:])
        Ns.extend((seg.y[0] + seg.y[1] + seg.y[2])[1:])
        y = seg.y[:, -1].copy()
    ts, Ns = np.array(ts), np.array(Ns)
    F, A, R, _, _, _, _, M, Q = y
    N_T = F + A + R
    k = int(np.argmin(Ns))
    nadir_t, nadir_N = ts[k], Ns[k]
    relapse_t, relapsed = T, 0.0
    if not doses:
        nadir_t, relapse_t, relapsed = 0.0, 0.0, 1.0
    else:
        after = np.nonzero(Ns[k + 1:] >= N_0)[0]
        if after.size:
            j = k + 1 + after[0]
            # linear interpolation between the step points around the crossing
            t0, t1, n0, n1 = ts[j - 1], ts[j], Ns[j - 1], Ns[j]
            relapse_t = t1 if n1 == n0 else t0 + (N_0 - n0) * (t1 - t0) / (n1 - n0)
            relapsed = 1.0
    pi_R = max(0.0, 1.0 - dr / (1.0 - p["resistance_cost"]))
    out = [
        N_T, math.log10(N_T) if N_T > 0 else -math.inf, math.log10(N_0 / nadir_N), nadir_t,
        relapse_t, relapsed, R / N_T, A0 / N_0, A / N_T, M, math.log10(M) if M > 0 else -math.inf,
        1.0 - math.exp(-pi_R * M), math.log10(Q), 1.0 if N_T < 1.0 else 0.0,
    ]
    if not all(math.isfinite(v) for v in out):
        return "non_finite", out, "an output is not finite"
    return "ok", out, None


if __name__ == "__main__":
    import time

    t = time.perf_counter()
    status, out, _ = evaluate({})
    print(status, f"{(time.perf_counter() - t) * 1e3:.1f} ms")
    for name, v in zip(OUTPUTS, out):
        print(f"{name:26s} {v:.6g}")
