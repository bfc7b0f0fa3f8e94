import os

import psutil

p = psutil.Process(os.getpid())
print("psutil", p.pid == os.getpid(), p.memory_info().rss > 0)
