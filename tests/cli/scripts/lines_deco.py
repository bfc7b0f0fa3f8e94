# proflab lines / memory fixture: functions chosen with the built-in @profile
# (as kernprof -l and python -m memory_profiler provide it), in every shape
# the hit counts must match kernprof's for: loops, a method, recursion, a
# generator, a function that raises, one decorated twice.
try:
    profile
except NameError:
    def profile(func):
        return func


@profile
def squares(n):
    total = 0
    for i in range(n):
        if i % 3 == 0:
            total += i * i
        else:
            total -= 1
    return total


class Grid:
    def __init__(self, n):
        self.cells = [0] * n

    @profile
    def step(self):
        for i in range(len(self.cells)):
            self.cells[i] += i
        return sum(self.cells)


@profile
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


@profile
def evens(n):
    for i in range(n):
        if i % 2 == 0:
            yield i


@profile
def fails(x):
    y = 10
    return y / x


def logged(func):
    def inner(*args):
        return func(*args)

    return inner


@logged
@profile
def twice(a, b):
    c = a + b
    return c * 2


print(squares(300))
g = Grid(50)
print(g.step(), g.step())
print(fact(12))
print(sum(evens(41)))
for x in (1, 0, 2):
    try:
        fails(x)
    except ZeroDivisionError:
        print("caught")
print(twice(3, 4))
