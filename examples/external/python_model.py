#!/usr/bin/env python3
"""A toy simulator for tmex's `external` model, reading its parameters as a JSON object on
standard input and printing its outputs as a JSON object on standard output.

Logistic tumour growth with chemotherapy boluses every `cycle_length` days: the drug C (EC50
units) decays at `clearance` and kills at `max_kill` C / (1 + C). Integrated with classical
RK4 (0.05-day steps). The measured burden carries log-normal noise of `noise_sd` drawn from a
generator seeded with TMEX_SEED, so replicates differ and every rerun gives the same values.
Anything for humans goes to standard error; standard output holds only the JSON object.
"""
import json
import math
import os
import random
import sys


def simulate(p):
    rate, capacity, max_kill = p["growth_rate"], p["capacity"], p["max_kill"]
    dose, clearance = p["dose"], p["clearance"]
    cycle, n_cycles, horizon = p["cycle_length"], int(p["n_cycles"]), p["horizon"]
    n0 = 1e9
    dt = 0.05

    def rhs(n, c):
        return rate * n * (1.0 - n / capacity) - max_kill * c / (1.0 + c) * n, -clearance * c

    n, c, t = n0, 0.0, 0.0
    nadir, nadir_time = n0, 0.0
    steps = int(round(horizon / dt))
    per_cycle = int(round(cycle / dt))
    for i in range(steps):
        if i % per_cycle == 0 and i // per_cycle < n_cycles:
            c += dose
        k1 = rhs(n, c)
        k2 = rhs(n + 0.5 * dt * k1[0], c + 0.5 * dt * k1[1])
        k3 = rhs(n + 0.5 * dt * k2[0], c + 0.5 * dt * k2[1])
        k4 = rhs(n + dt * k3[0], c + dt * k3[1])
        n += dt / 6.0 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        c += dt / 6.0 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        t = (i + 1) * dt
        if n < nadir:
            nadir, nadir_time = n, t
    return n, nadir, nadir_time


def main():
    p = json.load(sys.stdin)
    if p["growth_rate"] <= 0 or p["capacity"] <= 0:
        print("python_model.py: growth_rate and capacity must be positive", file=sys.stderr)
        return 2
    final, nadir, nadir_time = simulate(p)
    rng = random.Random(int(os.environ.get("TMEX_SEED", "0")))
    measured = final * math.exp(p.get("noise_sd", 0.0) * rng.gauss(0.0, 1.0))
    json.dump({
        "log10_final_burden": math.log10(max(final, 1e-300)),
        "log10_measured_burden": math.log10(max(measured, 1e-300)),
        "log_kill": math.log10(1e9 / nadir),
        "nadir_time": nadir_time,
    }, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
