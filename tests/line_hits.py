# Counts line events in chosen functions, as line_profiler counts hits (one
# per line event; line_profiler >= 4.0.3 sums them per line,
# pyutils/line_profiler#214), and prints "NAME LINE HITS" per line, sorted.
# The reference for the line timer's hits, since the installed kernprof 4.0.2
# miscounts branch and loop lines (pyutils/line_profiler#210).
#
#   python3 line_hits.py [--qualnames Q1,Q2,...] SCRIPT [ARGS...]
#
# Chosen are the functions the script decorates with @profile (a built-in
# that returns its argument is provided) and, with --qualnames, the
# functions of SCRIPT with those qualified names; NAME is then the qualified
# name. Threads are traced too.
import builtins
import collections
import os
import runpy
import sys
import threading

codes = {}
hits = collections.Counter()
wanted = set()
if sys.argv[1] == "--qualnames":
    wanted = set(sys.argv[2].split(","))
    del sys.argv[1:3]
script = os.path.abspath(sys.argv[1])


def profile(func):
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    if code is not None:
        codes[code] = code.co_name
    return func


def tracer(frame, event, arg):
    code = frame.f_code
    if code not in codes:
        if code.co_qualname not in wanted or code.co_filename != script:
            return None
        codes[code] = code.co_qualname
    return local


def local(frame, event, arg):
    if event == "line":
        hits[codes[frame.f_code], frame.f_lineno] += 1
    return local


builtins.profile = profile
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(script))
stdout = sys.stdout
sys.stdout = open("/dev/null", "w")
threading.settrace(tracer)
sys.settrace(tracer)
try:
    runpy.run_path(script, run_name="__main__")
finally:
    sys.settrace(None)
    threading.settrace(None)
    sys.stdout = stdout
for (name, line), n in sorted(hits.items()):
    print(name, line, n)
