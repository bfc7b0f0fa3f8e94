# Sits inside long numpy.dot calls (C code: no KeyboardInterrupt until it returns).
import sys

import numpy

a = numpy.random.rand(2500, 2500)
print("started", flush=True)
sys.stdout.flush()
while True:
    a = numpy.dot(a, a)
    a /= a.max()
