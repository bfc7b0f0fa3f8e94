# The import exercises use: runs under proflab and under plain python.
try:
    from proflab import mark
except ImportError:
    def mark(label):
        pass

mark("phase 1")
print("fallback ok")
