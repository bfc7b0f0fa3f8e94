# Prints what a script learns about how it was started; must match python's.
import sys

print("argv", sys.argv)
print("file", __file__)
print("path0", sys.path[0])
print("name", __name__)
print("executable", sys.executable)
print("spec", __spec__)
print("loader", type(__loader__).__name__, __loader__.name, __loader__.path)
print("cached", __cached__)
print("stdin", sys.stdin.isatty(), sys.stdin.encoding)
