#!/usr/bin/env python3
"""One phase on one core, then one phase on all cores.

Record it and look at the CPU curve:

    a  random numbers with numpy: one core busy (about 100 %)
    b  numpy.dot of two big matrices: every core busy (up to 100 % x cores)
    c  done

numpy.dot hands the work to the BLAS library numpy is linked with. An
optimised BLAS (OpenBLAS, MKL, BLIS) runs it on all cores by itself. The
reference BLAS runs it on one core only; in that case (mode "auto") this
script splits the rows over one thread per core, and numpy.dot releases
the GIL, so the threads really run in parallel.

    python3 multi_core.py [--size 1500] [--seconds 3] [--mode auto|blas|threads]
"""
import argparse
import os
import sys
import threading
import time

import numpy as np

try:
    from proflab import mark
except ImportError:  # plain python3: markers are a no-op
    def mark(label):
        pass


THREADED_BLAS_NAMES = ("openblas", "mkl", "blis", "atlas", "accelerate", "armpl")


def loaded_blas():
    """Return the file name of the BLAS library mapped in this process."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path).lower()
                if "blas" in name or "mkl" in name:
                    return path
    except OSError:
        pass
    return None


def blas_is_threaded(path):
    if path is None:
        # Cannot tell (not Linux): trust numpy.
        return True
    return any(name in path.lower() for name in THREADED_BLAS_NAMES)


def dot_in_threads(a, b, out, nthreads):
    """out = a . b, with the rows of a split over nthreads threads."""
    bounds = [len(a) * k // nthreads for k in range(nthreads + 1)]

    def work(lo, hi):
        np.dot(a[lo:hi], b, out=out[lo:hi])

    threads = [threading.Thread(target=work, args=(lo, hi))
               for lo, hi in zip(bounds, bounds[1:]) if hi > lo]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1500,
                        help="matrices are SIZE x SIZE (default 1500)")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="about how long each phase lasts (default 3)")
    parser.add_argument("--mode", choices=("auto", "blas", "threads"),
                        default="auto",
                        help="how numpy.dot uses the cores (default auto)")
    args = parser.parse_args(argv)
    size = max(2, args.size)
    cores = os.cpu_count() or 1

    mark("a: random numbers (one core)")
    print("a")
    sys.stdout.flush()
    rng = np.random.default_rng(12345)
    start = time.time()
    rounds = 0
    while True:
        a = rng.standard_normal((size, size))
        b = rng.standard_normal((size, size))
        rounds += 1
        if time.time() - start >= args.seconds:
            break
    print("   {} x 2 random {}x{} matrices in {:.2f} s"
          .format(rounds, size, size, time.time() - start))

    blas = loaded_blas()
    mode = args.mode
    if mode == "auto":
        mode = "blas" if blas_is_threaded(blas) or cores == 1 else "threads"

    mark("b: numpy.dot (all cores)")
    print("b")
    sys.stdout.flush()
    out = np.empty((size, size))
    start = time.time()
    products = 0
    while True:
        if mode == "blas":
            np.dot(a, b, out=out)
        else:
            dot_in_threads(a, b, out, cores)
        products += 1
        if time.time() - start >= args.seconds:
            break
    how = ("numpy.dot" if mode == "blas"
           else "numpy.dot split over {} threads".format(cores))
    print("   {} products of {}x{} matrices in {:.2f} s ({}; BLAS: {})"
          .format(products, size, size, time.time() - start, how,
                  os.path.basename(blas) if blas else "unknown"))

    mark("c: done")
    print("c")
    return 0


if __name__ == "__main__":
    sys.exit(main())
