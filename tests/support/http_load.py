#!/usr/bin/env python3
"""http_load.py -- the HTTP checks that need many sockets or raw bytes (python3 stdlib only).

    http_load.py PORT concurrent N   N requests held by the server at once, one per connection,
                                     then all answered: prints how many got 200 (all must)
    http_load.py PORT slow           a client sends its headers one byte at a time (each byte
                                     after the previous one was read by the server's side of a
                                     fast request): prints "fast=K slow=STATUS"
    http_load.py PORT big BYTES      headers announcing BYTES of JSON, no body sent: prints the
                                     status the server answers from the headers alone
    http_load.py PORT bigbody BYTES  sends the whole body (reset by the server is fine): prints
                                     the status read, or "reset"
    http_load.py PORT deferred       POST /deferred, checks it is held (/pending), POST /release,
                                     prints the held request's status and body
    http_load.py PORT idle           opens a connection and sends nothing: prints "closed" once
                                     the server closes it (its idle timeout)
"""
import http.client
import json
import resource
import socket
import sys
import threading

HOST = "127.0.0.1"


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def read_status(sock):
    """The status code of the response on sock (reads until the status line is complete)."""
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


def get(port, path, timeout=30):
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def concurrent(port, n):
    """n requests held by the server at once, each on its own connection: every one POSTs
    /deferred, the server suspends it; once /pending counts n (all n connections open and
    in flight together), POST /release answers them all; prints how many got 200 and their
    own body back."""
    raise_nofile()
    socks = []
    for i in range(n):
        s = socket.create_connection((HOST, port), timeout=60)
        body = b'{"i":%d}' % i
        s.sendall(b"POST /deferred HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        socks.append((s, body))
    for _ in range(100000):
        _, pend = get(port, "/pending")
        if json.loads(pend)["deferred"] == n:
            break
    else:
        print("not all held")
        return
    status, _ = get_post(port, "/release")
    ok = 0
    for s, body in socks:
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        if data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"\r\n\r\n" + body):
            ok += 1
    print(ok)


def slow(port):
    """A slow client mid-headers does not block others: fast requests are served between its
    bytes, and it is served too once its headers are complete."""
    req = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 40 + b"\r\n\r\n"
    s = socket.create_connection((HOST, port), timeout=30)
    fast = 0
    for i, byte in enumerate(req):
        s.sendall(bytes([byte]))
        if i % 8 == 0:  # a complete request from another client while this one is unfinished
            status, _ = get(port, "/health")
            fast += status == 200
    status = read_status(s)
    s.close()
    print(f"fast={fast} slow={status}")


def big(port, n):
    s = socket.create_connection((HOST, port), timeout=30)
    s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % n)
    print(read_status(s))
    s.close()


def bigbody(port, n):
    s = socket.create_connection((HOST, port), timeout=30)
    status = []

    def reader():
        try:
            status.append(read_status(s))
        except OSError:
            pass

    t = threading.Thread(target=reader)
    t.start()
    try:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % n)
        chunk = b"x" * 65536
        sent = 0
        while sent < n:
            s.sendall(chunk[: min(len(chunk), n - sent)])
            sent += len(chunk)
    except OSError:
        pass  # the server answered and closed: the rest is refused, as it should be
    t.join()
    s.close()
    print(status[0] if status and status[0] is not None else "reset")


def deferred(port):
    body = json.dumps({"intent_id": "i-1", "qty": "1.5"}).encode()
    c = http.client.HTTPConnection(HOST, port, timeout=30)
    c.request("POST", "/deferred", body=body, headers={"Content-Type": "application/json"})
    # held: the server reports it without answering it (no timing: we ask, until it is there)
    for _ in range(1000):
        st, pend = get(port, "/pending")
        if json.loads(pend)["deferred"] == 1:
            break
    else:
        print("never held")
        return
    st, rel = get_post(port, "/release")
    r = c.getresponse()
    out = r.read()
    print(f"held=1 release={st} {rel.decode().strip()} status={r.status} body={out.decode()}")


def get_post(port, path):
    c = http.client.HTTPConnection(HOST, port, timeout=30)
    c.request("POST", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def idle(port):
    s = socket.create_connection((HOST, port), timeout=60)
    data = s.recv(1)
    print("closed" if data == b"" else "data")
    s.close()


def main():
    port = int(sys.argv[1])
    cmd = sys.argv[2]
    if cmd == "concurrent":
        concurrent(port, int(sys.argv[3]))
    elif cmd == "slow":
        slow(port)
    elif cmd == "big":
        big(port, int(sys.argv[3]))
    elif cmd == "bigbody":
        bigbody(port, int(sys.argv[3]))
    elif cmd == "deferred":
        deferred(port)
    elif cmd == "idle":
        idle(port)
    else:
        sys.exit(f"unknown check {cmd}")


if __name__ == "__main__":
    main()
