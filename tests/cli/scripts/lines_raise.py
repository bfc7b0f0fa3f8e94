# proflab lines fixture: the chosen function raises and the script dies of it.
def boom(n):
    x = n * 2
    if x > 3:
        raise ValueError("boom %d" % x)
    return x


boom(1)
boom(5)
