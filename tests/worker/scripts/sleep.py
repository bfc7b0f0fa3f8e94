# Writes its pid to argv[1] (atomically), then sleeps.
import os
import sys
import time

tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(tmp, sys.argv[1])
time.sleep(30)
