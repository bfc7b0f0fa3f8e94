import time

print("first line")
time.sleep(30)
