#!/usr/bin/env python3
"""test/e2e/hostile-client.py -- HTTP clients that misbehave, for the
gateway's limits in test_http.sh.  Each talks to 127.0.0.1:PORT only, is
bounded in time and bytes, and stops by itself.

    hostile-client.py slow PORT COUNT SRC READYFILE HOLD WAIT
        opens COUNT connections from address SRC (e.g. 127.0.0.2), sends on
        each the first lines of a request and never finishes it; writes
        READYFILE once they are open, waits HOLD seconds, counts those the
        server still holds, waits WAIT more seconds, counts again, closes
        all.  Prints "opened=N held=H after=A".
    hostile-client.py chunked PORT PATH AUTH SECONDS MEGABYTES
        POSTs to PATH a chunked body that never ends (64 KB chunks, for at
        most SECONDS s or MEGABYTES MB), with "Authorization: AUTH" unless
        AUTH is "-".  Prints "closed BYTES" when the server closed the
        connection (a send failed, or the socket reads the end or an
        answer), after BYTES of body were sent, else "open BYTES".
    hostile-client.py raw PORT REQUEST
        sends REQUEST (Python escapes: \\r\\n) and reads the answer.  Prints
        "STATUS CLOSED CODE": the status, "closed" when the server closed
        the connection within 2 s of its answer (else "open"), and the
        "code" of a JSON error body (else "-").
"""
import json
import resource
import select
import socket
import sys
import time


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def server_closed(s):
    """Whether the server closed s (end of stream, reset or an answer)."""
    p = select.poll()
    p.register(s, select.POLLIN)
    if not p.poll(0):
        return False
    try:
        s.recv(65536, socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False
    except OSError:
        pass
    return True


def slow(port, count, src, readyfile, hold, wait):
    raise_fd_limit()
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(1)
        try:
            s.bind((src, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /rpc/t_add?a=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            socks.append(s)
        except OSError:
            s.close()
    with open(readyfile, "w") as f:
        f.write("%d\n" % len(socks))
    time.sleep(hold)
    held = [s for s in socks if not server_closed(s)]
    time.sleep(wait)
    after = [s for s in held if not server_closed(s)]
    for s in socks:
        s.close()
    print("opened=%d held=%d after=%d" % (len(socks), len(held), len(after)))


def chunked(port, path, auth, seconds, megabytes):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    head = "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" \
        "Transfer-Encoding: chunked\r\n" % path
    if auth != "-":
        head += "Authorization: %s\r\n" % auth
    s.sendall((head + "\r\n").encode())
    payload = b"x" * 65536
    chunk = b"%x\r\n" % len(payload) + payload + b"\r\n"
    sent = 0
    deadline = time.monotonic() + seconds
    closed = False
    while time.monotonic() < deadline and sent < megabytes * 1024 * 1024:
        if server_closed(s):
            closed = True
            break
        try:
            s.sendall(chunk)
        except OSError:
            closed = True
            break
        sent += len(payload)
    s.close()
    print("%s %d" % ("closed" if closed else "open", sent))


def raw(port, request):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.sendall(request.encode("latin-1").decode("unicode_escape").encode("latin-1"))
    data = b""
    closed = False
    end = time.monotonic() + 4
    while time.monotonic() < end:
        try:
            part = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            closed = True
            break
        if not part:
            closed = True
            break
        data += part
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode() if head.startswith(b"HTTP/") else "none"
    try:
        e = json.loads(body)
        code = e.get("code", "-") if isinstance(e, dict) else "-"
    except ValueError:
        code = "-"
    print("%s %s %s" % (status, "closed" if closed else "open", code))


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "slow":
        slow(port, int(sys.argv[3]), sys.argv[4], sys.argv[5], float(sys.argv[6]),
             float(sys.argv[7]))
    elif mode == "chunked":
        chunked(port, sys.argv[3], sys.argv[4], float(sys.argv[5]), int(sys.argv[6]))
    elif mode == "raw":
        raw(port, sys.argv[3])
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
