# A zombie child (never reaped for a while) and 50 threads.
import os
import threading
import time

pid = os.fork()
if pid == 0:
    os._exit(0)
stop = threading.Event()
threads = [threading.Thread(target=stop.wait) for _ in range(50)]
for t in threads:
    t.start()
time.sleep(1.0)
stop.set()
for t in threads:
    t.join()
os.waitpid(pid, 0)
print("threads and zombie done")
