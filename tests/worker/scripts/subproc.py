import subprocess
import sys

r = subprocess.run([sys.executable, "-c", "print(42)"], capture_output=True, text=True, check=True)
print("child said", r.stdout.strip())
