"""Calls of every kind, for profile tests: recursion, a generator, a method,
a lambda, built-ins, a comprehension."""


def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


def squares(n):
    for i in range(n):
        yield i * i


class Box:
    def __init__(self, items):
        self.items = list(items)

    def total(self):
        return sum(self.items)


def main():
    values = [fact(k) for k in range(1, 8)]
    box = Box(squares(50))
    twice = sorted(values, key=lambda v: -v)
    print(len(twice), box.total(), fact(12))


main()
