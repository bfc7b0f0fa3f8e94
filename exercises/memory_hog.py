#!/usr/bin/env python3
"""Grab memory line by line, then give it back, to read with a memory profiler.

hold_and_release() makes a few big objects, one per line, so each line's
increment in a line-by-line memory table is easy to predict:

- 2 million Python ints in a list: about 76 MiB (a 28-byte int object, kept
  in a 32-byte slot, plus an 8-byte pointer in the list, for each number);
- 12.5 million float64 in a numpy array: 100,000,000 bytes, 95.4 MiB;
- a dict of 200,000 short strings, and four 10 MiB buffers made in a loop;
- then `del` hands the array and the list back (negative increments).

    python3 -m memory_profiler memory_hog.py   # memory_profiler, on @profile
    proflab memory memory_hog                  # the same table, from proflab
    python3 memory_hog.py                      # plain run: the decorator does nothing
"""
import resource

try:
    import numpy as np
except ImportError:
    np = None

try:
    profile
except NameError:  # not under a memory profiler: @profile leaves the function as it is
    def profile(func):
        return func

MiB = 1024 * 1024


@profile
def hold_and_release():
    """Allocate four things, then free the two biggest."""
    numbers = list(range(1000000, 3000000))
    grid = np.ones((2500, 5000))
    names = dict(zip(numbers[:200000], map(str, numbers)))
    buffers = []
    for _ in range(4):
        buffers.append(bytearray(10 * MiB))
    total = float(grid.sum()) + sum(numbers)
    del grid
    del numbers
    return total, len(names), len(buffers)


def main():
    if np is None:
        print("memory_hog: numpy is missing (install python3-numpy)")
        return 1
    total, names, buffers = hold_and_release()
    print("hold_and_release: total {:.0f}, {} names, {} buffers of 10 MiB".format(
        total, names, buffers))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("peak resident memory of this process: {:.1f} MiB".format(peak))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
