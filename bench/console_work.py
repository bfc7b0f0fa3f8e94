"""The statements bench/run section 8 types at proflab's console and at
IPython's: a pure-Python loop, and a wrapper that prints how long the loop
took, so each instrument's slowdown is read from inside the statement."""
import time


def loop(n):
    total = 0
    for i in range(n):
        total += i
    return total


def timed(n):
    start = time.perf_counter()
    loop(n)
    print("elapsed %.6f" % (time.perf_counter() - start))
