# Functions chosen with the built-in @profile, as kernprof -l honours it.
try:
    profile
except NameError:
    def profile(func):
        return func


@profile
def build(n):
    words = []
    for i in range(n):
        words.append(str(i))
    text = ",".join(words)
    return len(text)


@profile
def count(n):
    seen = set()
    for i in range(n):
        seen.add(i % 7)
    return len(seen)


class Box:
    @profile
    def fill(self, n):
        self.items = list(range(n))
        return len(self.items)

    @staticmethod
    @profile
    def twice(x):
        return 2 * x


print(build(100), count(50), Box().fill(10), Box.twice(4))
print(build.__name__, getattr(build, "__wrapped__", build).__name__, build.__module__, profile(3))
