#!/usr/bin/env python3
"""A small program to look at with a function-level profiler.

Run it through cProfile and compare the call counts with the code:

    python3 -m cProfile -s ncalls compute.py

main() calls generate_data() and compute_result() twice each (once for a
small and once for a bigger data set); compute_result() calls the builtin
sum() once per slice, ten slices each time, so sum() is called 20 times.
"""

CHUNKS = 10


def generate_data(size):
    """Return a list of `size` numbers, built with a list comprehension."""
    return [(i * 7) % 1000 for i in range(size)]


def compute_result(data):
    """Add up the data in CHUNKS slices with the builtin sum()."""
    step = len(data) // CHUNKS
    total = 0
    for chunk in range(CHUNKS):
        total += sum(data[chunk * step:(chunk + 1) * step])
    return total


def main():
    for size in (180000, 720000):
        data = generate_data(size)
        result = compute_result(data)
        print("{:7d} numbers -> total {}".format(size, result))


if __name__ == "__main__":
    main()
