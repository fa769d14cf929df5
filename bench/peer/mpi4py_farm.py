#!/usr/bin/python3
"""The peer: the campaign done the way a user would without tmex. An mpi4py master/worker task
farm: rank 0 draws a Latin hypercube with scipy.stats.qmc.LatinHypercube, hands out chunks of
samples (two in flight per worker), and writes the results to SQLite (WAL, synchronous=NORMAL,
executemany in one transaction per received chunk); workers evaluate the model (ishigami
vectorised with NumPy; emdr sample by sample with bench/peer/emdr.py) and send the chunk back.
The master polls with Iprobe and short sleeps, so that it does not busy-wait a core.

    mpiexec -n 3 python3 bench/peer/mpi4py_farm.py --model ishigami --samples 1000000 --db x.db

Prints one line: `peer: MODEL N runs in S s (R runs/s), master CPU C s`.
"""

import argparse
import math
import os
import sqlite3
import sys
import time

import numpy as np
from mpi4py import MPI
from scipy.stats import qmc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

TAG_WORK, TAG_RESULT, TAG_STOP = 1, 2, 3


def ishigami_space():
    return ["x1", "x2", "x3"], [(-math.pi, math.pi, False)] * 3, ["y"]


def ishigami(X, a=7.0, b=0.1):
    y = np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])
    return ["ok"] * len(X), y[:, None], [None] * len(X)


def emdr_space():
    import emdr
    names = list(emdr.SAMPLED)
    return names, [emdr.SAMPLED[n][1:] for n in names], emdr.OUTPUTS


def emdr_chunk(X):
    import emdr
    names = list(emdr.SAMPLED)
    status, Y, errors = [], [], []
    for row in X:
        s, out, err = emdr.evaluate(dict(zip(names, row.tolist())))
        status.append(s)
        Y.append(out)
        errors.append(err)
    return status, np.array(Y), errors


MODELS = {"ishigami": (ishigami_space, ishigami), "emdr": (emdr_space, emdr_chunk)}


def design(n, ranges, seed):
    U = qmc.LatinHypercube(d=len(ranges), seed=seed).random(n)
    X = np.empty_like(U)
    for j, (lo, hi, log) in enumerate(ranges):
        X[:, j] = np.exp(np.log(lo) + U[:, j] * (np.log(hi) - np.log(lo))) if log else \
            lo + U[:, j] * (hi - lo)
    return X


def master(comm, args):
    start = time.perf_counter()
    space, _ = MODELS[args.model]
    params, ranges, outputs = space()
    X = design(args.samples, ranges, args.seed)
    if os.path.exists(args.db):
        os.remove(args.db)
    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    cols = params + outputs
    db.execute("CREATE TABLE runs(id INTEGER PRIMARY KEY, status TEXT NOT NULL, " +
               ", ".join(f'"{c}" REAL' for c in cols) + ", error TEXT, elapsed_s REAL, rank INTEGER)")
    insert = (f"INSERT INTO runs VALUES (?, ?, {', '.join('?' * len(cols))}, ?, ?, ?)")
    workers = comm.Get_size() - 1
    next_sample, outstanding, stored = 0, 0, 0
    sends = []

    def send_chunk(dest):
        nonlocal next_sample, outstanding
        if next_sample >= args.samples:
            return
        end = min(args.samples, next_sample + args.chunk)
        # isend: a blocking send of a large chunk to a worker that is itself blocked sending
        # its results back would deadlock.
        sends.append(comm.isend((next_sample, X[next_sample:end]), dest=dest, tag=TAG_WORK))
        next_sample = end
        outstanding += 1

    for _ in range(2):
        for w in range(1, workers + 1):
            send_chunk(w)
    status = MPI.Status()
    sleep = 0.0
    while outstanding > 0:
        if not comm.Iprobe(source=MPI.ANY_SOURCE, tag=TAG_RESULT, status=status):
            sleep = min(2e-3, sleep * 2 if sleep else 2e-5)
            time.sleep(sleep)
            continue
        sleep = 0.0
        src = status.Get_source()
        first, st, Xc, Y, errors, elapsed = comm.recv(source=src, tag=TAG_RESULT)
        outstanding -= 1
        send_chunk(src)
        ids = range(first, first + len(st))
        rows = zip(ids, st, *Xc.T.tolist(), *np.asarray(Y).T.tolist(), errors, elapsed,
                   [src] * len(st))
        db.execute("BEGIN")
        db.executemany(insert, rows)
        db.execute("COMMIT")
        stored += len(st)
        sends = [r for r in sends if not r.Test()]
    for w in range(1, workers + 1):
        sends.append(comm.isend(None, dest=w, tag=TAG_STOP))
    MPI.Request.Waitall(sends)
    db.close()
    el = time.perf_counter() - start
    print(f"peer: {args.model} {stored} runs in {el:.2f} s ({stored / el:.4g} runs/s), "
          f"master CPU {time.process_time():.2f} s", flush=True)


def worker(comm, args):
    _, evaluate = MODELS[args.model]
    status = MPI.Status()
    while True:
        # Blocking probe: the worker has nothing else to do (busy-polls while idle).
        msg = comm.recv(source=0, tag=MPI.ANY_TAG, status=status)
        if status.Get_tag() == TAG_STOP:
            return
        first, Xc = msg
        t = time.perf_counter()
        st, Y, errors = evaluate(Xc)
        per = (time.perf_counter() - t) / max(1, len(st))
        comm.send((first, st, Xc, Y, errors, [per] * len(st)), dest=0, tag=TAG_RESULT)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=sorted(MODELS), default="ishigami")
    ap.add_argument("--samples", type=int, default=100000)
    ap.add_argument("--chunk", type=int, default=0, help="samples per work message "
                    "(default: 10000 for ishigami, 1 for emdr)")
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--db", default="peer.db")
    args = ap.parse_args()
    if args.chunk <= 0:
        args.chunk = 10000 if args.model == "ishigami" else 1
    comm = MPI.COMM_WORLD
    if comm.Get_size() < 2:
        sys.exit("peer: needs at least 2 ranks (a master and a worker)")
    (master if comm.Get_rank() == 0 else worker)(comm, args)


if __name__ == "__main__":
    main()
