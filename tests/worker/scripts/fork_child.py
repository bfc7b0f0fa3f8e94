# A forked child that runs off the end of the script: only the parent talks on
# the channel.
import os

import proflab

pid = os.fork()
if pid == 0:
    proflab.mark("child")
    print("child channel", proflab.channel_open())
else:
    os.waitpid(pid, 0)
    proflab.mark("parent")
    print("parent channel", proflab.channel_open())
