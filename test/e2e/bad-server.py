#!/usr/bin/env python3
"""test/e2e/bad-server.py -- a loopback HTTP server that misbehaves, for the
end-to-end tests of the fetch workers' failure handling.

    bad-server.py PORTFILE      listens on 127.0.0.1 (a free port, written to
                                PORTFILE) until killed

  /truncated/...   200 with Content-Length: 100000 and only 1000 bytes of
                   body, then the connection is closed
  /silent/...      reads the request and never answers (the client times out)
  anything else    404
"""
import socket
import sys
import threading
import time


def handle(conn):
    try:
        conn.settimeout(30)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        target = parts[1] if len(parts) > 1 else "/"
        if target.startswith("http://") or target.startswith("https://"):
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        if target.startswith("/truncated/"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                         b"Content-Length: 100000\r\nConnection: close\r\n\r\n"
                         + b"<!DOCTYPE html><html><head>" + b" " * 972)
        elif target.startswith("/silent/"):
            time.sleep(60)
        else:
            body = b"not found\n"
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: bad-server.py PORTFILE\n")
        sys.exit(2)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
