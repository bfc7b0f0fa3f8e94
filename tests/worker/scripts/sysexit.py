# sys.exit with the code named by argv[1]: an int, "none", or a message.
import sys

arg = sys.argv[1]
print("exiting", arg)
if arg == "none":
    sys.exit(None)
if arg == "bare":
    raise SystemExit
try:
    code = int(arg)
except ValueError:
    code = arg
sys.exit(code)
