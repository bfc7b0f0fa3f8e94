#!/usr/bin/python3
"""A tight loop of cheap pure-Python lines, for a line profiler's overhead.

spin() runs N turns of four light lines (4.25 line events a turn, 3.2
million with the default N = 750,000). main() times the call alone and prints

    lines_loop_seconds W cpu_seconds C checksum S

W is wall time, C the process's CPU time (time.process_time) around the
call: interpreter start-up, imports and the profiler's own report are left
out. Run it plainly, under kernprof -l, under proflab run and proflab lines
(@profile marks spin); the slowdown of each line timer is its time over the
untraced time of the same interpreter.

    lines_loop.py [--turns N]
"""
import sys
import time

try:
    profile
except NameError:  # untraced run
    def profile(func):
        return func


@profile
def spin(turns):
    total = 0
    for i in range(turns):
        total += i
        if i & 3 == 0:
            total -= 1
        total ^= 5
    return total


def main(argv):
    turns = 750000
    if len(argv) == 3 and argv[1] == "--turns":
        turns = int(argv[2])
    elif len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    wall, cpu = time.perf_counter(), time.process_time()
    checksum = spin(turns)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    print("lines_loop_seconds {:.4f} cpu_seconds {:.4f} checksum {}".format(wall, cpu, checksum))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
