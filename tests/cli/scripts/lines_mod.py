# Imported by lines_plain.py: -f lines_mod:helper chooses helper here.


def helper(n):
    out = []
    for i in range(n):
        out.append(i)
    return out
