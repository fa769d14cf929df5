#!/usr/bin/python3
"""How far one master goes: measures rank 0's CPU per stored result and per chunk message
(ishigami-wide and emdr-wide rows, at zero model cost and at several worker counts), checks the
resulting model against runs of a model that only sleeps, and measures what merging per-node
stores would cost. Prints one table per measurement; bench/README.md turns them into the
scaling model. Usage: bench/scaling.py [BUILD_DIR] (default: build). About 2 minutes on 2 cores.

Rank 0's threads are sampled from /proc while it runs (utime + stime of each thread, every
0.05 s): the main thread (receives results, hands out chunks) and the writer thread (SQLite)
are reported apart, since each can use a core of its own.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
TMEX = os.path.join(BUILD, "driver", "tmex")
TICK = os.sysconf("SC_CLK_TCK")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_pml="ob1")


def campaign(path, name, model, params, samples, settings="", execution=""):
    lines = [f"campaign: {{name: {name}, seed: 7, samples: {samples}, replicates: 1}}",
             "design: {method: lhs}", "model:", f"  name: {model}"]
    if settings:
        lines.append(f"  settings: {{{settings}}}")
    lines.append("parameters:")
    lines += [f"  {p}: {{distribution: uniform, min: 0, max: 1}}" for p in params]
    lines.append(f"storage: {{path: {name}.db}}")
    if execution:
        lines.append(f"execution: {{{execution}}}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


def rank0(launcher):
    for pid in children(launcher):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if b"OMPI_COMM_WORLD_RANK=0\0" in f.read():
                    return pid
        except OSError:
            pass
    return None


def thread_cpu(pid):
    """{tid: cpu seconds} of every thread of pid (empty once it has gone)."""
    cpu = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[int(tid)] = (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        pass
    return cpu


def run(ranks, config, db):
    """Runs a fresh campaign; returns tmex's figures plus rank 0's main and writer CPU."""
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    cmd = ["mpiexec", "--oversubscribe", "-n", str(ranks), TMEX, "run", config, "--db", db]
    with open("run.log", "w") as log:
        p = subprocess.Popen(cmd, stderr=log, stdout=log, env=ENV)
        r0, last = None, {}
        while p.poll() is None:
            r0 = r0 or rank0(p.pid)
            if r0:
                # Threads that have ended keep their last reading (the writer ends before rank 0).
                for tid, cpu in thread_cpu(r0).items():
                    last[tid] = max(cpu, last.get(tid, 0.0))
            time.sleep(0.05)
    text = open("run.log").read()
    m = re.search(r"complete: (\d+) runs stored this session .* in ([\d.]+) s \(([\d.e+]+) runs/s\), "
                  r"master CPU ([\d.]+) s \(\+([\d.]+) s start-up", text)
    if p.returncode != 0 or not m:
        sys.exit(f"scaling: {' '.join(cmd)} failed:\n{text}")
    # tmex reports rank 0's CPU after start-up (config, design, store); the main thread's
    # reading includes it.
    main = max(0.0, last.get(r0, 0.0) - float(m[5]))
    others = sorted((v for k, v in last.items() if k != r0), reverse=True)
    return dict(rows=int(m[1]), wall=float(m[2]), rate=float(m[3]), cpu=float(m[4]),
                main=main, writer=others[0] if others else 0.0)


def table(title, header, rows):
    print(f"\n{title}")
    w = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    print("  ".join(f"{h:>{w[i]}}" for i, h in enumerate(header)))
    for r in rows:
        print("  ".join(f"{c:>{w[i]}}" for i, c in enumerate(r)))


def main():
    if not os.access(TMEX, os.X_OK):
        sys.exit(f"scaling: {TMEX} missing: build first")
    work = tempfile.mkdtemp(prefix="tmex-scaling.")
    os.chdir(work)
    try:
        load = open("/proc/loadavg").read().split()[:3]
        print(f"scaling: {os.cpu_count()} cores, load average {' '.join(load)} at the start")
        wide = [f"x{i}" for i in range(1, 22)]
        # Zero model cost: ishigami (3 parameters, 1 output) and linear with 21 parameters (the
        # width of an emdr row's parameters) at 1, 2 and 4 workers.
        campaign("ish.yaml", "ish", "ishigami", ["x1", "x2", "x3"], 1000000)
        campaign("lin21.yaml", "lin21", "linear", wide, 300000,
                 settings="coefficients: [" + ", ".join(["1"] * 21) + "]")
        rows, per_row = [], {}
        for name, cfg in (("ishigami", "ish.yaml"), ("21 params", "lin21.yaml")):
            for workers in (1, 2, 4):
                r = run(workers + 1, cfg, "z.db")
                us = lambda s: 1e6 * s / r["rows"]
                rows.append((name, workers, f"{r['rate']:,.0f}", f"{r['cpu'] / r['wall']:.2f}",
                             f"{us(r['cpu']):.2f}", f"{us(r['main']):.2f}", f"{us(r['writer']):.2f}"))
                per_row.setdefault(name, []).append(r)
        # emdr itself (about 115 us an evaluation): 21 parameters and its outputs per row.
        shutil.copy(os.path.join(ROOT, "examples", "emdr.yaml"), "emdr.yaml")
        with open("emdr.yaml") as f:
            text = re.sub(r"samples: *\d+", "samples: 60000", f.read())
        with open("emdr.yaml", "w") as f:
            f.write(text)
        for workers in (1, 2):
            r = run(workers + 1, "emdr.yaml", "e.db")
            us = lambda s: 1e6 * s / r["rows"]
            rows.append(("emdr", workers, f"{r['rate']:,.0f}", f"{r['cpu'] / r['wall']:.2f}",
                         f"{us(r['cpu']):.2f}", f"{us(r['main']):.2f}", f"{us(r['writer']):.2f}"))
        table("rank 0's CPU per stored row (us): zero model cost (ishigami, a 21-parameter linear "
              "model) and emdr; chunks of 0.2 s of work",
              ("rows", "workers", "rows/s", "rank-0 cores", "rank 0 us/row", "main us/row",
               "writer us/row"), rows)

        # A model that costs time but no CPU (the faulty model sleeping 1 ms, 16 evaluations at
        # once per worker rank): the workers need almost no processor, so rank 0's load at a
        # given result rate is seen without competition, at 1 to 8 worker ranks.
        rows = []
        for workers in (1, 2, 4, 8):
            ideal = workers * 16 * 1000
            campaign("sleep.yaml", "sleep", "faulty", ["x1", "x2", "x3"], 5 * ideal,
                     settings="sleep_ms: 1", execution="per_rank: 16")
            r = run(workers + 1, "sleep.yaml", "s.db")
            rows.append((workers, f"{ideal:,}", f"{r['rate']:,.0f}", f"{r['rate'] / ideal:.2f}",
                         f"{r['cpu'] / r['wall']:.2f}", f"{1e6 * r['cpu'] / r['rows']:.2f}",
                         f"{1e6 * r['main'] / r['rows']:.2f}",
                         f"{1e6 * r['writer'] / r['rows']:.2f}"))
        table("a model of 1 ms that sleeps, 16 at once per worker rank: ideal = workers x 16 / 1 ms",
              ("workers", "ideal rows/s", "rows/s", "ratio", "rank-0 cores", "rank 0 us/row",
               "main us/row", "writer us/row"), rows)

        # One task per chunk (chunk_size: 1), as for a model of a second or more: rank 0's CPU
        # per chunk message (receive a batch of one, hand out the next).
        campaign("chunk1.yaml", "chunk1", "faulty", ["x1", "x2", "x3"], 40000,
                 settings="sleep_ms: 1", execution="chunk_size: 1")
        r = run(9, "chunk1.yaml", "c.db")
        table("one task per chunk, 8 worker ranks of one evaluation each, a model of 1 ms that "
              "sleeps: ideal 8,000 chunks/s",
              ("chunks/s", "rank-0 cores", "rank 0 us/chunk", "main us/chunk", "writer us/chunk"),
              [(f"{r['rate']:,.0f}", f"{r['cpu'] / r['wall']:.2f}",
                f"{1e6 * r['cpu'] / r['rows']:.2f}", f"{1e6 * r['main'] / r['rows']:.2f}",
                f"{1e6 * r['writer'] / r['rows']:.2f}")])

        # Merging per-node stores: one INSERT ... SELECT of every row of one store into another.
        src = sqlite3.connect("z.db")
        n = src.execute("SELECT count(*) FROM runs").fetchone()[0]
        src.close()
        shutil.copy("z.db", "merged.db")
        db = sqlite3.connect("merged.db")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("DELETE FROM runs")
        db.commit()
        db.execute("ATTACH 'z.db' AS part")
        t0 = time.perf_counter()
        db.execute("INSERT INTO runs SELECT * FROM part.runs")
        db.commit()
        dt = time.perf_counter() - t0
        table("merging a store into another (INSERT INTO runs SELECT * FROM part.runs, 21-parameter rows)",
              ("rows", "seconds", "rows/s"), [(f"{n:,}", f"{dt:.2f}", f"{n / dt:,.0f}")])
        load = open("/proc/loadavg").read().split()[:3]
        print(f"\nscaling: load average {' '.join(load)} at the end")
    finally:
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
