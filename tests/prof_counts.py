"""Prints the call counts of a pstats file in a canonical order, for tests.

    python3 tests/prof_counts.py FILE.prof

One line per function: its std name, ncalls/primitive calls, then each
caller with the calls along that edge. Times are left out: they differ
from run to run, counts must not.
"""
import marshal
import os
import sys


def std(key):
    path, line, name = key
    if path == "~" and line == 0:
        return "{%s}" % name[1:-1] if name.startswith("<") and name.endswith(">") else name
    return "%s:%d(%s)" % (os.path.basename(path), line, name)


def main(path):
    with open(path, "rb") as f:
        stats = marshal.load(f)
    for key in sorted(stats, key=std):
        cc, nc, _tt, _ct, callers = stats[key]
        edges = []
        for caller, value in callers.items():
            count = value if isinstance(value, int) else "%d/%d" % (value[0], value[1])
            edges.append("%s x%s" % (std(caller), count))
        print("%s %d/%d <- %s" % (std(key), nc, cc, ", ".join(sorted(edges))))


if __name__ == "__main__":
    main(sys.argv[1])
