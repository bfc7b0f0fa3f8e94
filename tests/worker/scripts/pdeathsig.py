# Prints the parent-death signal (prctl PR_GET_PDEATHSIG) and whether
# PROFLAB_PDEATHSIG is still in the environment.
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
sig = ctypes.c_int(-1)
PR_GET_PDEATHSIG = 2
if libc.prctl(PR_GET_PDEATHSIG, ctypes.byref(sig), 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), "prctl")
print("pdeathsig", sig.value, "env", os.environ.get("PROFLAB_PDEATHSIG"))
