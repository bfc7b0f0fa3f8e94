# Writes far more than the reader takes; an atexit handler must still run.
import atexit
import sys

atexit.register(lambda: sys.stderr.write("atexit ran\n"))
for i in range(100000):
    print("line", i)
