# proflab lines fixture for Ctrl-C: writes its pid to argv[1] (atomically)
# once inside spin(), then loops until interrupted.
import os
import sys


@profile
def spin(path):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(path + ".tmp", path)
    n = 0
    while True:
        n += 1


spin(sys.argv[1])
