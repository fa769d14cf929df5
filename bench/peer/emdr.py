#!/usr/bin/python3
"""The emdr resistance model, version 2 (models/emdr.md), written the way a Python user would:
the equations as a plain right-hand side, scipy.integrate.solve_ivp (LSODA) between the
chemotherapy boluses, extinction as a terminal solve_ivp event, outputs from the solver's
step points.

This covers the chemotherapy-alone arm (examples/emdr.yaml: no microenvironment agents),
which is what the peer benchmark runs. It was written from models/emdr.md alone, so it also
checks that the page specifies the model; it is a benchmark peer, not a second implementation
that tmex's tests depend on.
"""

import math

import numpy as np
from scipy.integrate import solve_ivp

# name: (baseline, LHS min, LHS max, log-uniform) for the 19 sampleable parameters.
SAMPLED = {
    "growth_rate": (0.10, 0.02, 0.2, True),
    "death_ratio": (0.5, 0.3, 0.8, False),
    "adhesion_arrest": (0.5, 0.2, 0.8, False),
    "adhesion_strength": (1.0, 0.25, 4.0, True),
    "niche_capacity": (1e8, 1e7, 1e9, True),
    "cxcr4_expression": (1.0, 0.25, 4.0, True),
    "sdf1_level": (0.4, 0.1, 1.6, True),
    "camdr_protection": (0.8, 0.3, 0.95, False),
    "stat3_protection": (0.6, 0.2, 0.9, False),
    "max_kill_rate": (7.0, 5.0, 10.0, True),
    "dose": (10.0, 7.0, 15.0, True),
    "drug_clearance": (3.0, 2.0, 5.0, True),
    "il6_contact_induction": (3.0, 0.0, 10.0, False),
    "pge2_amplification": (3.0, 0.0, 10.0, False),
    "sil6r_potentiation": (0.5, 0.0, 3.0, False),
    "il6_basal": (1.0, 0.1, 10.0, True),
    "mutation_rate": (3e-8, 1e-9, 1e-6, True),
    "resistance_cost": (0.1, 0.0, 0.3, False),
    "resistant_sensitivity": (0.05, 0.0, 0.2, False),
}

FIXED = {
    "attach_rate": 2.0,
    "detach_rate": 24.0,
    "sdf1_gain": 30.0,
    "carrying_capacity": 1e12,
    "initial_burden": 1e10,
    "reference_burden": 1e10,
    "detection_limit": 1e9,
    "vegf_sdf1_gain": 0.5,
    "vegf_drug_barrier": 0.5,
    "tumour_il6_induction": 1.0,
    "pge2_production": 2.0,
    "stat3_half_saturation": 5.0,
    "stat3_proliferation": 0.2,
    "il6_rate": 10.0,
    "pge2_rate": 50.0,
    "stat3_rate": 4.0,
    "cycle_length": 21.0,
    "n_cycles": 6,
    "horizon": 365.0,
    "burn_in": 30.0,
}

OUTPUTS = [
    "final_burden", "log10_final_burden", "residual_burden", "log10_residual_burden", "log_kill",
    "nadir_time", "time_to_relapse", "relapse_censored", "relapsed", "cured",
    "resistant_fraction", "resistant_fraction_residual", "adhered_fraction_0",
    "adhered_fraction_residual", "adhered_fraction_T", "expected_mutations",
    "log10_expected_mutations", "p_resistance", "log10_auc_burden",
]

RTOL = 5e-5  # models/emdr.md "Numerics"
SITE_UNIT = 1e8  # cells: attach_rate's niche-site unit


def rhs_factory(p, rho, death_ratio, mu, extinct=False):
    K, Nref, A_max = p["carrying_capacity"], p["reference_burden"], p["niche_capacity"]
    delta = death_ratio * rho
    a = p["adhesion_strength"]  # no integrin inhibitor in the chemotherapy-alone arm
    k_on = p["attach_rate"] * a
    kd = p["detach_rate"] / (1.0 + a)

    def rhs(t, y):
        F, A, R, L, P, Z, C, M, Q = y
        N = F + A + R
        g = max(0.0, 1.0 - N / K)
        V = N / (N + Nref)
        S = p["sdf1_level"] * (1.0 + p["vegf_sdf1_gain"] * V)
        H = S / (1.0 + S)
        c = p["sdf1_gain"] * p["cxcr4_expression"] * H
        J = k_on * F * max(0.0, A_max - A) / SITE_UNIT - kd / (1.0 + c) * A
        kappa = p["max_kill_rate"] * C / (1.0 + C) / (1.0 + p["vegf_drug_barrier"] * V)
        Phi = 1.0 - p["stat3_protection"] * Z
        b_F = rho * (1.0 + p["stat3_proliferation"] * Z) * g
        b_A = (1.0 - p["adhesion_arrest"]) * b_F
        b_R = rho * (1.0 - p["resistance_cost"]) * g
        B = b_F * F + b_A * A
        D = p["il6_basal"] + p["il6_contact_induction"] * A / A_max + p["tumour_il6_induction"] * V
        L_e = L * (1.0 + p["sil6r_potentiation"])
        dL = p["il6_rate"] * (D * (1.0 + p["pge2_amplification"] * P / (1.0 + P)) - L)
        dP = p["pge2_rate"] * (p["pge2_production"] * Z * V - P)
        dZ = p["stat3_rate"] * (L_e / (L_e + p["stat3_half_saturation"]) - Z)
        dC = -p["drug_clearance"] * C
        if extinct:
            return [0.0, 0.0, 0.0, dL, dP, dZ, dC, 0.0, 0.0]
        return [
            (1.0 - mu) * b_F * F - delta * F - kappa * Phi * F - J,
            (1.0 - mu) * b_A * A - delta * A - kappa * (1.0 - p["camdr_protection"]) * Phi * A + J,
            b_R * R - delta * R - p["resistant_sensitivity"] * kappa * R + mu * B,
            dL, dP, dZ, dC, mu * B, N,
        ]

    return rhs


def below_one_cell(t, y):
    return y[0] + y[1] + y[2] - 1.0


below_one_cell.terminal = True
below_one_cell.direction = -1


def evaluate(values):
    """values: dict of the sampled parameters. Returns (status, outputs list, error text)."""
    p = dict(FIXED)
    p.update({k: v[0] for k, v in SAMPLED.items()})
    p.update(values)
    N0, mu, dr = p["initial_burden"], p["mutation_rate"], p["death_ratio"]
    R0 = mu * N0 * math.log(N0)
    M0 = mu * N0 / (1.0 - dr)
    cell = 1e-5
    atol = np.array([cell, cell, max(min(cell, 1e-3 * R0), 1e-12), 1e-5, 1e-5, 1e-5, 1e-6,
                     max(1e-6 * M0, 1e-12), cell])
    y = np.array([N0 - R0, 0.0, R0, 1.0, 0.0, 0.0, 0.0, M0, 0.0])
    burn = solve_ivp(rhs_factory(p, 0.0, 0.0, 0.0), (-p["burn_in"], 0.0), y, method="LSODA",
                     rtol=100 * RTOL, atol=100 * atol)
    if not burn.success:
        return "solver_failure", [math.nan] * len(OUTPUTS), burn.message
    y = burn.y[:, -1].copy()
    y[8] = 0.0
    N_0, A0 = y[0] + y[1] + y[2], y[1]
    T, cycle, n = p["horizon"], p["cycle_length"], int(p["n_cycles"])
    t_E = min(n * cycle, T)
    doses = [j * cycle for j in range(n) if j * cycle < T]
    edges = sorted(set([0.0] + doses + ([t_E] if 0.0 < t_E < T else []) + [T]))
    ts, Ns = [0.0], [N_0]
    extinct, t_ext, y_E = False, None, (y.copy() if t_E == 0.0 else None)
    for a, b in zip(edges[:-1], edges[1:]):
        if a in doses:
            y[6] += p["dose"]
        start = a
        while start < b:
            rhs = rhs_factory(p, p["growth_rate"], dr, mu, extinct)
            seg = solve_ivp(rhs, (start, b), y, method="LSODA", rtol=RTOL, atol=atol,
                            events=None if extinct else below_one_cell)
            if not seg.success:
                return "solver_failure", [math.nan] * len(OUTPUTS), seg.message
            ts.extend(seg.t[1:])
            Ns.extend((seg.y[0] + seg.y[1] + seg.y[2])[1:])
            y = seg.y[:, -1].copy()
            if seg.status == 1:  # extinction: every cell compartment is zero from here on
                extinct, t_ext = True, seg.t_events[0][0]
                y[0] = y[1] = y[2] = 0.0
                ts.append(t_ext)
                Ns.append(0.0)
                start = t_ext
            else:
                start = b
        if b == t_E:
            y_E = y.copy()
    if y_E is None:
        y_E = y.copy()
    ts, Ns = np.array(ts), np.array(Ns)
    k = int(np.argmin(Ns))
    nadir_t, nadir_N = ts[k], Ns[k]
    N_det = p["detection_limit"]
    cells = lambda v: [max(0.0, v[0]), max(0.0, v[1]), max(0.0, v[2])]
    F_E, A_E, R_E = cells(y_E)
    N_E = F_E + A_E + R_E
    F, A, R = cells(y)
    N_T = F + A + R
    relapse_t = None
    if N_E >= N_det:
        relapse_t = t_E
    else:
        after = np.nonzero((ts > t_E) & (Ns >= N_det))[0]
        if after.size:
            j = after[0]  # linear interpolation between the step points around the crossing
            t0, t1, n0, n1 = ts[j - 1], ts[j], Ns[j - 1], Ns[j]
            relapse_t = t1 if n1 == n0 else t0 + (N_det - n0) * (t1 - t0) / (n1 - n0)
    relapsed = relapse_t is not None
    M, Q = y[7], y[8]
    pi_R = max(0.0, 1.0 - dr / (1.0 - p["resistance_cost"]))
    frac = lambda part, whole: part / whole if whole > 0 else 0.0
    out = [
        N_T, math.log10(max(N_T, 1.0)), N_E, math.log10(max(N_E, 1.0)),
        math.log10(N_0) - math.log10(max(nadir_N, 1.0)), nadir_t,
        (relapse_t if relapsed else T) - t_E, 0.0 if relapsed else 1.0, 1.0 if relapsed else 0.0,
        1.0 if extinct else 0.0, frac(R, N_T), frac(R_E, N_E), A0 / N_0, frac(A_E, N_E),
        frac(A, N_T), M, math.log10(M) if M > 0 else -math.inf, 1.0 - math.exp(-pi_R * M),
        math.log10(Q),
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
        print(f"{name:28s} {v:.6g}")
