#!/usr/bin/python3
"""A campaign that stops itself against a fixed design 8 times larger, on emdr version 2.

For each seed: runs examples/emdr_auto.yaml (a nested Latin hypercube checked at 1000, 2000,
4000, ... samples on log10_final_burden: every PRCC interval that excludes 0 within +/- 0.05 and
the top 5 parameters in the same order at two checkpoints), then examples/emdr.yaml (a plain
decorrelated Latin hypercube) with FACTOR times the samples it stopped at and the same seed, and
compares the top 5 parameters of log10_final_burden by |PRCC| and their signs. Reports the runs
the self-stopping campaign computed (kept, and received beyond its checkpoint and dropped)
against the fixed design's, the wall times, and rank 0's analysis thread's CPU time at the
checkpoints against the campaign's wall time. Nothing here passes or fails.

Usage: bench/convergence_emdr.py [BUILD_DIR] (default: build). Environment: SEEDS (space
separated, default "20261129 1 2 3 4"), RANKS (mpiexec ranks, default 3; 0 runs one plain
process), FACTOR (default 8), HALFWIDTH (instead of the example's 0.05). A few seconds per seed
on 2 cores at the example's half-width.
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
TMEX = os.path.join(BUILD, "driver", "tmex")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_pml="ob1")
SEEDS = os.environ.get("SEEDS", "20261129 1 2 3 4").split()
RANKS = int(os.environ.get("RANKS", "3"))
FACTOR = int(os.environ.get("FACTOR", "8"))
HALFWIDTH = os.environ.get("HALFWIDTH")
OUTPUT = "log10_final_burden"


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def config(example, seed, samples, path):
    with open(os.path.join(ROOT, "examples", example)) as f:
        text = f.read()
    text = re.sub(r"seed: \d+", f"seed: {seed}", text, count=1)
    if samples is not None:
        text = re.sub(r"samples: \d+", f"samples: {samples}", text, count=1)
    text = re.sub(r"storage: \{path: [^}]*\}", f"storage: {{path: {path}}}", text)
    if HALFWIDTH:
        text = re.sub(r"halfwidth: [0-9.]+", f"halfwidth: {HALFWIDTH}", text)
    name = path.replace(".db", ".yaml")
    with open(name, "w") as f:
        f.write(text)
    return name


def run(yaml):
    cmd = [TMEX, "run", yaml]
    if RANKS > 0:
        cmd = ["mpiexec", "--oversubscribe", "-n", str(RANKS)] + cmd
    start = time.monotonic()
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    wall = time.monotonic() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return wall, p.stderr


def top(db, k=5):
    p = subprocess.run([TMEX, "analyze", db, "--method", "prcc", "--outputs", OUTPUT, "--format",
                        "json"], env=ENV, capture_output=True, text=True, check=True)
    rows = json.loads(p.stdout)["prcc"]["outputs"][0]["rows"]
    rows.sort(key=lambda r: -abs(r["prcc"]))
    return [(r["parameter"], "+" if r["prcc"] > 0 else "-") for r in rows[:k]], rows


def main():
    work = tempfile.mkdtemp(prefix="tmex-conv-bench-")
    os.chdir(work)
    load_start = load()
    print(f"{'seed':>9} {'stopped':>8} {'kept':>7} {'dropped':>8} {'fixed':>7} {'runs':>6} "
          f"{'wall':>6} {'analysis':>9} {'top 5 same':>10}  top 5 (self-stopping)")
    agree = 0
    for seed in SEEDS:
        auto_db = f"auto{seed}.db"
        auto_wall, log = run(config("emdr_auto.yaml", seed, None, auto_db))
        with sqlite3.connect(auto_db) as db:
            stopped, runs, decision = db.execute(
                "SELECT samples, runs, decision FROM checks ORDER BY checkpoint DESC LIMIT 1"
            ).fetchone()
        dropped = re.search(r"\((\d+) computed beyond the checkpoint were dropped\)", log)
        dropped = int(dropped.group(1)) if dropped else 0
        cpu, session = re.search(
            r"checkpoint analyses: \d+ this session, ([0-9.]+) s CPU .* session's ([0-9.]+) s\)",
            log).groups()
        fixed_db = f"fixed{seed}.db"
        fixed_wall, _ = run(config("emdr.yaml", seed, FACTOR * stopped, fixed_db))
        auto_top, _ = top(auto_db)
        fixed_top, _ = top(fixed_db)
        same = auto_top == fixed_top
        agree += same
        print(f"{seed:>9} {stopped:>8} {runs:>7} {dropped:>8} {FACTOR * stopped:>7} "
              f"{(runs + dropped) / (FACTOR * stopped):>6.3f} {auto_wall / fixed_wall:>6.3f} "
              f"{float(cpu) / float(session):>9.4f} {'yes' if same else 'NO':>10}  "
              + ", ".join(p + s for p, s in auto_top)
              + ("" if same else "  | fixed: " + ", ".join(p + s for p, s in fixed_top))
              + ("" if decision == "converged" else f"  ({decision})"))
    print(f"\n{agree} of {len(SEEDS)} seeds: the same top 5 (names, order, signs) as the fixed "
          f"design {FACTOR} times larger.")
    print("runs: (kept + dropped) / fixed runs; wall: self-stopping / fixed wall time (each with "
          "its start-up); analysis: rank 0's analysis-thread CPU at the checkpoints / the "
          "self-stopping session's wall time.")
    print(f"half-width {HALFWIDTH or 0.05}; ranks {RANKS}; load average {load_start:.2f} at the start, {load():.2f} at the end; "
          f"{work}")


if __name__ == "__main__":
    main()
