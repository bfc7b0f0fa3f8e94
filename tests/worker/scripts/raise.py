# An uncaught exception two frames deep, with a chained cause.
def inner(n):
    return 10 / n


def outer():
    try:
        inner(0)
    except ZeroDivisionError as e:
        raise ValueError("bad input ü") from e


print("before")
outer()
