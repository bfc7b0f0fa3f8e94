#!/usr/bin/python3
"""A pure-Python CPU workload (about 1-2 s): loops, function and method
calls, attribute access, dict and list operations, string formatting.

Prints its own elapsed wall time and CPU time:
    pyloop_seconds X cpu_seconds Y checksum Z
Compare the interpreters that run it (python3 vs proflab-worker).
    pyloop.py [--scale F]
"""
import sys
import time


class Particle:
    __slots__ = ("x", "v", "hits")

    def __init__(self, x, v):
        self.x = x
        self.v = v
        self.hits = 0

    def step(self, width):
        self.x += self.v
        if self.x < 0 or self.x > width:
            self.v = -self.v
            self.hits += 1


class Counter:
    def __init__(self):
        self.table = {}

    def add(self, word):
        self.table[word] = self.table.get(word, 0) + 1


def simulate(rounds):
    particles = [Particle(i * 0.5, (i % 7) - 3.0) for i in range(200)]
    for _ in range(rounds):
        for p in particles:
            p.step(100.0)
    return sum(p.hits for p in particles)


def words(rounds):
    counter = Counter()
    for i in range(rounds):
        counter.add("w%d" % (i % 997))
    return len(counter.table)


def lists(rounds):
    total = 0
    for i in range(rounds):
        row = [j * i for j in range(20)]
        row.sort(reverse=True)
        total += row[0] - row[-1] + len(row[::2])
    return total


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def main(argv):
    scale = 1.0
    if len(argv) > 2 and argv[1] == "--scale":
        scale = float(argv[2])
    t0 = time.perf_counter()
    c0 = time.process_time()
    checksum = simulate(int(9000 * scale))
    checksum += words(int(1800000 * scale))
    checksum += lists(int(600000 * scale)) % 1000003
    checksum += fib(24)
    print("pyloop_seconds {:.4f} cpu_seconds {:.4f} checksum {}".format(
        time.perf_counter() - t0, time.process_time() - c0, checksum))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
