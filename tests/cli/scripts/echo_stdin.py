import sys

data = sys.stdin.read()
print("read %d bytes: %r" % (len(data), data))
