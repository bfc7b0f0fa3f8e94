import sys

data = sys.stdin.read()
print("read", repr(data))
