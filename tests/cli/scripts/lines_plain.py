# proflab lines / memory fixture: nothing decorated; functions are chosen
# with -f (NAME, Class.method, MODULE:NAME, FILE:LINE).
import lines_mod


def compute(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total


class Grid:
    def step(self, k):
        cells = [i for i in range(k)]
        return len(cells)


def never_called():
    return "never"


print(compute(100), Grid().step(10), lines_mod.helper(5))
