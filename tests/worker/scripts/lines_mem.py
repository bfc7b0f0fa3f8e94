# Memory-meter fixture: one big list, one 100 MiB numpy array, freed again.
import numpy as np


@profile
def grow():
    small = [0] * 1000
    big = [1] * (10 ** 7)
    arr = np.ones(100 * 2 ** 20 // 8)
    strs = [str(i) for i in range(20000)]
    del arr
    return len(small) + len(big) + len(strs)


grow()
