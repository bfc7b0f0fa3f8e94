# Writes its pid to argv[1] (atomically), then spins in a Python loop.
import os
import sys

tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(tmp, sys.argv[1])
n = 0
while True:
    n += 1
