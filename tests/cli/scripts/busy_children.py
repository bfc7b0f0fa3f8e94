# Burns CPU in a child process, so user time must include children.
import subprocess
import sys

code = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6:\n    pass\n"
subprocess.run([sys.executable, "-c", code], check=True)
print("child done")
