# Line-instrument fixture: every shape the line timer must count right.
import threading

import lines_helper


def squares(n):
    total = 0
    for i in range(n):
        if i % 3 == 0:
            total += i * i
        else:
            total -= 1
    return total


def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)


def evens(n):
    for i in range(n):
        if i % 2 == 0:
            yield i


def fails(x):
    y = 10
    return y / x


def tagged(func):
    def inner(*args):
        return func(*args)
    return inner


@tagged
def decorated(a, b):
    c = a + b
    return c * 2


class Grid:
    def __init__(self, n):
        self.cells = [0] * n

    def step(self):
        for i in range(len(self.cells)):
            self.cells[i] += i
        return sum(self.cells)


def outer(n):
    def helper(k):
        return k + 1
    return [helper(i) for i in range(n)]


def never_called():
    return "never"


def in_thread(out):
    out.append(squares(30))


squares(50)
depth(40)
print(sum(evens(10)))
try:
    fails(0)
except ZeroDivisionError:
    print("caught")
fails(2)
decorated(1, 2)
g = Grid(5)
g.step()
g.step()
outer(4)
print(lines_helper.scale([1, 2, 3]))
res = []
t = threading.Thread(target=in_thread, args=(res,))
t.start()
t.join()
print("done", res)
