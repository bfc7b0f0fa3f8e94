# Non-UTF-8 output: raw bytes, then a surrogateescape'd str through print.
import os
import sys

sys.stdout.buffer.write(b"raw:\xff\xfe\x80\x00end\n")
sys.stdout.flush()
s = os.fsdecode(b"esc:\xe9\xff\n")
print(s, end="")
print("utf8:\u00e9")
