#!/usr/bin/env python3
"""A small forward proxy for the crawler's proxy tests (stdlib only).

One listener on 127.0.0.1 speaks both proxy protocols, told apart by the
first byte a client sends:
  - HTTP (RFC 9110 section 7.3.2, RFC 9112 section 3.2.2): an absolute-form
    request ("GET http://host:port/path HTTP/1.1") is forwarded to the
    origin in origin-form, without the Proxy-Authorization and
    Proxy-Connection headers, with Connection: close; a CONNECT
    ("CONNECT host:port HTTP/1.1", RFC 9110 section 9.3.6) opens a tunnel;
  - SOCKS5 (RFC 1928), CONNECT command only, with the "no authentication"
    method or the username/password method (RFC 1929); address types IPv4,
    domain name and IPv6.
One connection carries one request (HTTP) or one tunnel; the proxy closes it
afterwards.

Run
  python3 -u proxy_server.py --log FILE [--port 0] [--auth USER:PASSWORD]
                             [--map SUFFIX=ADDRESS]...
It prints "READY <port>" on stdout when it accepts connections. Stop it with
SIGTERM.

  --auth USER:PASSWORD  require these credentials: HTTP requests without a
                        matching "Proxy-Authorization: Basic ..." get 407
                        with Proxy-Authenticate; SOCKS5 clients must use the
                        username/password method with them.
  --map SUFFIX=ADDRESS  connect to ADDRESS for every target host equal to
                        SUFFIX or ending in "." + SUFFIX (e.g.
                        test=127.0.0.1 for the fault server's fake *.test
                        hosts); other names resolve with the system
                        resolver.

Request log: one JSON object per line in FILE, appended when a request has
been answered or refused: {"kind" ("http", "connect" or "socks5"),
"target" (the absolute URL, "host:port"), "headers" ([[name, value], ...]
as received; HTTP kinds), "proxy_authorization" (the header's value or
null; HTTP kinds), "socks_user" (SOCKS5 username or null), "ok" (true when
forwarded or tunnelled), "status" (the proxy's own answer: 200, 407, 502,
...; SOCKS5: its reply code)}.
"""

import argparse
import base64
import ipaddress
import json
import socket
import sys
import threading

_log_lock = threading.Lock()
ARGS = None


def log(entry):
    with _log_lock:
        with open(ARGS.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")


def resolve(host):
    h = host.lower().rstrip(".")
    for m in ARGS.map:
        suffix, addr = m.split("=", 1)
        if h == suffix or h.endswith("." + suffix):
            return addr
    return host


def connect(host, port):
    return socket.create_connection((resolve(host), port), timeout=10)


def recv_until(sock, marker, limit=65536):
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            break
    return data


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("short read")
        data += chunk
    return data


def pipe(a, b):
    """Copies bytes from a to b until a closes, then half-closes b."""
    try:
        while True:
            chunk = a.recv(65536)
            if not chunk:
                break
            b.sendall(chunk)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def relay(client, upstream):
    t = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
    t.start()
    pipe(client, upstream)
    t.join(30)


def split_host_port(authority, default_port):
    if authority.startswith("["):
        end = authority.index("]")
        host = authority[1:end]
        rest = authority[end + 1:]
    else:
        host, _, rest = authority.partition(":")
        rest = ":" + rest if rest else ""
    port = int(rest[1:]) if rest.startswith(":") else default_port
    return host, port


def authorized(value):
    if ARGS.auth is None:
        return True
    if value is None or not value.lower().startswith("basic "):
        return False
    try:
        return base64.b64decode(value[6:].strip()).decode() == ARGS.auth
    except (ValueError, UnicodeDecodeError):
        return False


def answer(client, status, reason, extra=""):
    body = ("%d %s\n" % (status, reason)).encode()
    client.sendall(("HTTP/1.1 %d %s\r\n%sContent-Type: text/plain\r\n"
                    "Content-Length: %d\r\nConnection: close\r\n\r\n" %
                    (status, reason, extra, len(body))).encode() + body)


def serve_http(client):
    head = recv_until(client, b"\r\n\r\n")
    if b"\r\n\r\n" not in head:
        return
    head, _, rest = head.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append([name, value.strip()])
    hmap = {k.lower(): v for k, v in headers}
    proxy_auth = hmap.get("proxy-authorization")
    kind = "connect" if method == "CONNECT" else "http"
    entry = {"kind": kind, "target": target, "headers": headers,
             "proxy_authorization": proxy_auth, "socks_user": None,
             "ok": False, "status": None}
    if not authorized(proxy_auth):
        entry["status"] = 407
        log(entry)
        answer(client, 407, "Proxy Authentication Required",
               'Proxy-Authenticate: Basic realm="test proxy"\r\n')
        return
    if kind == "connect":
        host, port = split_host_port(target, 443)
        try:
            upstream = connect(host, port)
        except OSError:
            entry["status"] = 502
            log(entry)
            answer(client, 502, "Bad Gateway")
            return
        entry["ok"] = True
        entry["status"] = 200
        log(entry)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            upstream.sendall(rest)
        relay(client, upstream)
        upstream.close()
        return
    if not target.lower().startswith("http://"):
        entry["status"] = 400
        log(entry)
        answer(client, 400, "Bad Request")
        return
    authority, slash, path = target[7:].partition("/")
    host, port = split_host_port(authority, 80)
    try:
        upstream = connect(host, port)
    except OSError:
        entry["status"] = 502
        log(entry)
        answer(client, 502, "Bad Gateway")
        return
    out = ["%s %s HTTP/1.1" % (method, slash + path if slash else "/")]
    for name, value in headers:
        if name.lower() in ("proxy-authorization", "proxy-connection",
                            "connection", "keep-alive"):
            continue
        out.append("%s: %s" % (name, value))
    out.append("Connection: close")
    upstream.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
    entry["ok"] = True
    entry["status"] = 200
    log(entry)
    # The origin closes after its answer (Connection: close); so does the
    # proxy, which is what the client learns from the copied answer.
    pipe(upstream, client)
    upstream.close()


def serve_socks5(client):
    entry = {"kind": "socks5", "target": None, "headers": None,
             "proxy_authorization": None, "socks_user": None, "ok": False,
             "status": None}
    _ver, nmethods = recv_exact(client, 2)
    methods = recv_exact(client, nmethods)
    want = 0x02 if ARGS.auth is not None else 0x00
    if want not in methods:
        client.sendall(b"\x05\xff")
        entry["status"] = 0xff
        log(entry)
        return
    client.sendall(bytes([5, want]))
    if want == 0x02:
        _v, ulen = recv_exact(client, 2)
        user = recv_exact(client, ulen).decode("latin-1")
        (plen,) = recv_exact(client, 1)
        password = recv_exact(client, plen).decode("latin-1")
        entry["socks_user"] = user
        if "%s:%s" % (user, password) != ARGS.auth:
            client.sendall(b"\x01\x01")
            entry["status"] = 0xff
            log(entry)
            return
        client.sendall(b"\x01\x00")
    _v, cmd, _rsv, atyp = recv_exact(client, 4)
    if atyp == 1:
        host = str(ipaddress.IPv4Address(recv_exact(client, 4)))
    elif atyp == 3:
        (n,) = recv_exact(client, 1)
        host = recv_exact(client, n).decode("latin-1")
    elif atyp == 4:
        host = str(ipaddress.IPv6Address(recv_exact(client, 16)))
    else:
        return
    port = int.from_bytes(recv_exact(client, 2), "big")
    entry["target"] = "%s:%d" % (host, port)
    reply_ok = b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00"
    if cmd != 1:
        client.sendall(b"\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00")
        entry["status"] = 7
        log(entry)
        return
    try:
        upstream = connect(host, port)
    except OSError:
        client.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
        entry["status"] = 5
        log(entry)
        return
    entry["ok"] = True
    entry["status"] = 0
    log(entry)
    client.sendall(reply_ok)
    relay(client, upstream)
    upstream.close()


def serve(client):
    try:
        client.settimeout(30)
        first = client.recv(1, socket.MSG_PEEK)
        if first == b"\x05":
            serve_socks5(client)
        elif first:
            serve_http(client)
    except (OSError, ValueError, ConnectionError) as e:
        sys.stderr.write("proxy_server: %r\n" % (e,))
    finally:
        try:
            client.close()
        except OSError:
            pass


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--auth", default=None)
    p.add_argument("--map", action="append", default=[])
    ARGS = p.parse_args()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", ARGS.port))
    server.listen(64)
    print("READY %d" % server.getsockname()[1], flush=True)
    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


if __name__ == "__main__":
    main()
