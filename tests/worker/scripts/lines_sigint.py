# Loops in a chosen function until interrupted; writes its pid to argv[1] once looping.
import os
import sys


def spin(ready):
    n = 0
    while True:
        n += 1
        if n == 1000:
            with open(ready + ".tmp", "w") as f:
                f.write("%d\n" % os.getpid())
            os.rename(ready + ".tmp", ready)


spin(sys.argv[1])
