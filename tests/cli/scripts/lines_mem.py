# proflab memory fixture: one line allocates a 100 MB numpy array (compared
# with python -m memory_profiler's increment for the same line).
import numpy as np

try:
    profile
except NameError:
    def profile(func):
        return func


@profile
def allocate():
    small = [0] * 1000
    big = np.ones(100 * 1000 * 1000 // 8)
    total = float(big.sum()) + len(small)
    del big
    return total


print(allocate())
