# Two children hold ~60 MB each and spin; the parent holds little and waits.
import multiprocessing as mp
import time


def hold(seconds):
    block = bytearray(60 * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    end = time.time() + seconds
    while time.time() < end:
        pass


if __name__ == "__main__":
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=hold, args=(1.5,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("children done")
