"""A call-heavy workload for the profiler benchmark: 7.5 million calls
(25 per round: 4 of walk, one recursive chain, 1 of middle, 10 of leaf
and 10 of the built-in abs), no I/O."""


def leaf(x):
    return x + 1


def middle(x):
    total = 0
    for i in range(10):
        total += leaf(i) + abs(x - i)
    return total


def walk(depth, x):
    return middle(x) if depth == 0 else walk(depth - 1, x + 1)


def main():
    total = 0
    for i in range(300000):
        total += walk(3, i)
    print("calls total", total)


main()
