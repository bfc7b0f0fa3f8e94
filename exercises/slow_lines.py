#!/usr/bin/env python3
"""Three small jobs, each done a slow way and a quick way, to read line by line.

Every function below does the same work twice: once with a plain list or a
Python loop, once with a better tool (a set, a deque, numpy). A line profiler
shows the slow line as the one holding nearly all of the function's time,
while the line next to it, with the same number of hits, costs almost nothing.

    kernprof -l -v slow_lines.py          # line_profiler, on the @profile functions
    proflab lines slow_lines              # the same table, from proflab
    python3 slow_lines.py                 # plain run: the decorator does nothing
"""
import collections
import math

try:
    import numpy as np
except ImportError:  # the third job needs numpy; the first two run without it
    np = None

try:
    profile
except NameError:  # not under a line profiler: @profile leaves the function as it is
    def profile(func):
        return func


@profile
def count_known(orders, customers):
    """Orders from known customers: list, then set."""
    known_list = list(customers)
    known_set = set(customers)
    by_list = by_set = 0
    for customer in orders:
        if customer in known_list:
            by_list += 1
        if customer in known_set:
            by_set += 1
    return by_list, by_set


@profile
def serve_in_order(tickets):
    """First come, first served: list, then deque."""
    queue = list(tickets)
    served = 0
    while queue:
        served += queue.pop(0)
    queue = collections.deque(tickets)
    while queue:
        served += queue.popleft()
    return served


@profile
def distances(xs, ys):
    """Distances to the origin: loop, then numpy."""
    looped = []
    for x, y in zip(xs, ys):
        looped.append(math.sqrt(x * x + y * y))
    ax, ay = np.array(xs), np.array(ys)
    vectorized = np.sqrt(ax * ax + ay * ay)
    return sum(looped), float(vectorized.sum())


def main():
    orders = [(i * 7919) % 12000 for i in range(6000)]
    by_list, by_set = count_known(orders, range(6000))
    print("count_known: {} of {} orders from known customers (list {}, set {})".format(
        by_set, len(orders), by_list, by_set))
    total = serve_in_order(range(40000))
    print("serve_in_order: served 40000 tickets twice, checksum {}".format(total))
    if np is None:
        print("distances: skipped, numpy is missing (install python3-numpy)")
        return
    xs = [(i % 1000) / 10.0 for i in range(200000)]
    ys = [(i // 1000) / 10.0 for i in range(200000)]
    looped, vectorized = distances(xs, ys)
    print("distances: {} points, sum {:.1f} (loop) and {:.1f} (numpy)".format(
        len(xs), looped, vectorized))


if __name__ == "__main__":
    main()
