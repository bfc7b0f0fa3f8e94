# Marks for the channel tests; also checks what the script must not see.
import os
import sys

import proflab

print("open", proflab.channel_open())
print("env", os.environ.get("PROFLAB_CHANNEL_FD"))
proflab.mark("start")
proflab.mark("tab\there\nnewline\\back")
proflab.mark(label=42)
# The channel fd must not leak into children (FD_CLOEXEC).
rc = os.system("test -e /proc/self/fd/%s" % sys.argv[1]) if len(sys.argv) > 1 else 256
print("child sees fd", rc == 0)
