# 20 MB of output as fast as it can.
import sys

line = "x" * 99 + "\n"
for _ in range(200000):
    sys.stdout.write(line)
