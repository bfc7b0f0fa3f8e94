#!/usr/bin/python3
"""Most of the time outside the function a line profiler watches.

walk() and its helpers (many small calls, a loop, a dict) take about 1 s;
summarize(), the function to watch (proflab lines -f summarize), runs 20
times and takes a few milliseconds in all. A line timer should cost next to
nothing here: the ratio of `proflab lines -f summarize` to `proflab run`
is its cost outside the chosen code. Prints

    outside_seconds W cpu_seconds C checksum S

    outside.py [--scale F]
"""
import sys
import time


def step(state, k):
    return (state * 31 + k) % 1000003


def bucket(table, key):
    table[key] = table.get(key, 0) + 1


def walk(n):
    state, table = 1, {}
    for k in range(n):
        state = step(state, k)
        bucket(table, state & 255)
    return state, table


def summarize(table):
    counts = sorted(table.values())
    low, high = counts[0], counts[-1]
    spread = high - low
    return spread + len(counts)


def main(argv):
    scale = 1.0
    if len(argv) == 3 and argv[1] == "--scale":
        scale = float(argv[2])
    elif len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    wall, cpu = time.perf_counter(), time.process_time()
    checksum = 0
    for _ in range(20):
        state, table = walk(int(300000 * scale))
        checksum += state + summarize(table)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    print("outside_seconds {:.4f} cpu_seconds {:.4f} checksum {}".format(wall, cpu, checksum))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
