"""A local HTTP server for the network tests: python3 netserve.py MODE PORTFILE.

Binds 127.0.0.1 on a free port, writes the port to PORTFILE, and serves
until killed:
  ok      every GET gets 200 and 2 MiB (Content-Length set)
  slow    200 with Content-Length 100 MiB, then 1 KiB every 100 ms
  silent  accepts connections and reads, never answers
  404     every GET gets 404
"""
import os
import socket
import sys
import threading
import time

MODE, PORTFILE = sys.argv[1], sys.argv[2]
BODY = 2 * 1024 * 1024


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data


def serve(conn):
    try:
        if MODE == "silent":
            while conn.recv(4096):
                pass
            return
        while read_request(conn) is not None:
            if MODE == "404":
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            elif MODE == "ok":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % BODY)
                conn.sendall(b"x" * BODY)
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (100 << 20))
                while True:
                    conn.sendall(b"y" * 1024)
                    time.sleep(0.1)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    tmp = PORTFILE + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, PORTFILE)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
