#!/usr/bin/python3
"""An allocation-heavy function, for a line memory meter's overhead.

grow() builds a table of small lists in a loop (about 4 line events per
row, 320,000 with the default 80,000 rows), between a few big allocations
whose increments are easy to check against each other:

- bytearray of 64 MiB            +64 MiB
- 2 million ints in a list       about +76 MiB
- the table of small lists       about +15 MiB in all, over many occurrences
- del of the ints and the bytes  negative

Prints `mem_alloc_seconds W cpu_seconds C rows N` (the call alone).

    mem_alloc.py [--rows N]
"""
import sys
import time

try:
    profile
except NameError:  # unmeasured run
    def profile(func):
        return func

MiB = 1024 * 1024


@profile
def grow(rows):
    blob = bytearray(64 * MiB)
    ints = list(range(1000000, 3000000))
    table = []
    for i in range(rows):
        row = [i, i + 1, i + 2]
        table.append(row)
        if i % 4096 == 0:
            table.append([row] * 64)
    del ints
    del blob
    return len(table)


def main(argv):
    rows = 80000
    if len(argv) == 3 and argv[1] == "--rows":
        rows = int(argv[2])
    elif len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    wall, cpu = time.perf_counter(), time.process_time()
    n = grow(rows)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    print("mem_alloc_seconds {:.4f} cpu_seconds {:.4f} rows {}".format(wall, cpu, n))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
