#!/usr/bin/env python3
"""Fault-injection HTTP server for the crawler's tests (stdlib only).

The loopback harness of docs: /work/shared/notes/fault-matrix.md section 7.1,
one endpoint per fault of section 6. Raw sockets and one thread per
connection, so it can misbehave at the byte level (trickle, reset, lie about
lengths, break chunking, never answer). Bodies are generated while they are
sent; nothing large is ever held in memory.

Run
  /usr/bin/python3 -u fault_server.py [--port 0] [--canary]
                   [--canary-same-port] [--robots JSON] [--tmpdir DIR]
It listens on 127.0.0.1:<port> (0: a free port). With --canary it also
listens on 127.0.0.2:<port2> (a free port there), a listener that answers
every request with 200 "canary" and records it (SSRF tests assert it got
nothing); --canary-same-port puts it on 127.0.0.2:<port>, the main port, so
that one URL reaches the server or the canary by the address its host name
resolves to (the fake-DNS tests of fault matrix N4 and S3). Startup prints, on stdout, `CANARY <port2>` (with --canary) and
then `READY <port>` last: READY means every listener accepts connections.
Stop it with SIGTERM. Use /usr/bin/python3 (Debian's, with python3-brotli)
so br bombs work; /__caps says what this interpreter supports.

Fake hosts: the crawler maps `*.test` to 127.0.0.1 (`--resolve
'*.test:PORT:127.0.0.1' --allow-private`); the Host header names the fake
host, and /robots.txt behaves per host (below).

Sizes (N in size=, cl=, total=, ...) accept a K, M or G suffix (powers of
1024): 10G = 10737418240. Every endpoint handles a client that goes away
silently (logged as ended "client_closed"). HTTP/1.1 keep-alive is kept
after complete, well-formed responses; every misbehaving endpoint closes the
connection after misbehaving. Requests are GET (HEAD answers headers only
for the well-behaved endpoints); a request body announced by Content-Length
is read and ignored.

Request log
  /__log             JSON list of the requests so far (not the /__ ones), in
                     arrival order: {"id", "time" (Unix seconds, request
                     read), "end" (Unix seconds, response done or null while
                     running), "listener" ("main" or "canary"), "client" (peer
                     port: identifies the connection), "host" (Host header,
                     "" if none), "method", "path" (request target as sent,
                     query included), "headers" ([[name, value], ...] in
                     order, duplicates kept), "bytes_sent" (bytes written,
                     headers included), "ended" ("complete", "client_closed",
                     "reset" (we sent RST), "closed_early" (we closed before
                     the promised end: short_cl, noterm...), "hung" (never
                     answered; the client went away), "error"), and for /echo
                     "raw" (the request bytes, Latin-1 decoded)}.
                     ?clear=1 empties the log after answering;
                     ?listener=canary or ?host=H filter (host without port,
                     case-insensitive).
  /__caps            JSON: {"python", "brotli" (bool), "zstd" (bool: the zstd
                     CLI exists), "encodings" (bomb encodings available),
                     "canary_port" (or null), "port"}.
  /__robots?host=H&set=JSON
                     replaces the robots.txt scenario of host H (no port) at
                     run time, e.g. to flip s503.test to 200 after a test saw
                     it deferred; set= empty removes it. Answers the table.

robots.txt scenarios (fault matrix R5-R12)
  /robots.txt        answers the scenario of the request's host (Host without
                     port, lower case), found in this order: the run-time
                     table (/__robots), the --robots JSON table (keys are
                     host names, "*" is a default for every other host), the
                     host-name convention below, else the default robots.txt:
                       User-agent: *
                       Disallow: /private/
  /robots?KEY=VALUE&...
                     the same scenario keys from the query, on any host (e.g.
                     /robots?variant=bom, /robots?status=503,
                     /robots?redirects=6&cross=1).
  Scenario keys (JSON object or query):
    status: N        answer N with body "status N" (4xx, 5xx, 429...);
                     retry_after: S adds a Retry-After header.
    variant:         bom      UTF-8 BOM before the default rules
                     cr       the rules with bare CR line ends (and one CRLF)
                     html     an HTML page (text/html) instead of rules
                     binary   4 KiB of binary bytes, NULs included
                              (application/octet-stream)
                     longline a 100 KiB "Disallow: /aaa..." line, then the
                              default rules
                     big      614400 bytes (600 KiB): "User-agent: *", filler
                              "Disallow: /filler/NNNNNN/" lines, and the
                              decisive line "Disallow: /decisive/" starting at
                              byte 563200 (550 KiB, after 500 KiB); a parser
                              keeping 500 KiB must not see it
                     gzbomb   Content-Encoding: gzip; inflates to the default
                              rules followed by `size` (default 1G) zero
                              bytes
                     hang     read the request, never answer
                     reset_mid  Content-Length 2048, half the body, then RST
                     short_cl Content-Length 2048, half the body, then FIN
                     empty    200 with an empty body
    redirects: N     N redirect hops (302, or code: C) before the scenario's
                     own answer; cross: 1 makes each hop change host (hop k
                     goes to h<k>.<original host>, same port); the final
                     answer is the original host's scenario. loop: 1 redirects
                     to itself forever; to: URL one redirect to URL (e.g. the
                     canary, file:///etc/passwd, gopher://...).
    crawl_delay: V   a "Crawl-delay: V" line in the group (V verbatim: 0.5,
                     10s, -1, abc...).
    sitemap: U or [U, ...]
                     "Sitemap: U" lines (after the group; relative allowed).
    disallow: [P, ...]  the group's Disallow paths (default ["/private/"]).
    agent: A         the group's User-agent (default "*").
    body: TEXT       this exact body instead of generated rules.
    gzip: 1          Content-Encoding: gzip of the body (small, not a bomb).
  Host-name convention (the first label of the host; '-' and '_' ignored):
    s<NNN>           status NNN: s404.test, s403.test, s429.test, s503.test
    redir<N>         N same-host hops;  xredir<N>: N cross-host hops
    loop             redirect loop;     canary: one hop to the canary
    delay<V>         Crawl-delay V (delay2.test: 2)
    sitemap          Sitemap lines: /sitemap?variant=small (relative) and
                     http://<host>/sitemap?variant=index
    allowall         empty rules;  disallowall: "Disallow: /"
    bom, cr, html, binary, longline, big, gzbomb, hang, resetmid, shortcl,
    empty            that variant (reset-mid.test, short_cl.test work too)
    Other hosts (a.test, www.test) get the default rules.

Timing (N1, N2, P4)
  /trickle?phase=headers|body&bps=N&total=N
                     phase=headers (default): the status line and headers
                     (padded with an X-Pad header to about `total` bytes,
                     default 200) sent at bps bytes/s (default 1), then a
                     small body at once. phase=body: headers at once, then a
                     Content-Length `total` (default 1000) body at bps.
                     Sends max(1, bps/10) bytes every (that/bps) seconds.
  /hang              reads the request, never answers; ends when the client
                     goes away (ended "hung").
  /delay?ms=N        waits N ms (default 1000), then a small HTML page.

Connection (N3, N11)
  /reset?at=0        reads the request, then RST (SO_LINGER 0 + close): no
                     byte of response.
  /reset?at=mid      status line, headers (Content-Type text/html,
                     Content-Length 10000) and 5000 body bytes, then RST.
  /short_cl          Content-Length 10000, 5000 body bytes, then FIN.
  /bad_chunked?variant=nohex|noterm|huge
                     chunked: nohex sends one good chunk then the size line
                     "zz"; noterm sends good chunks and closes without the
                     last-chunk; huge announces a chunk of size
                     fffffffffffffffffff (overflows 64 bits).
  /cl_te             Content-Length: 5 and Transfer-Encoding: chunked together
                     (a 26-byte chunked body). ?variant=dup instead sends two
                     different Content-Length headers (5 and 26) and 26 bytes.
  /raw?payload=B64   writes the base64-decoded bytes (standard or URL-safe
                     alphabet, padding optional) as the whole response, then
                     closes. E.g. HTTP/0.9 (no status line), "HTTP/1.1 999",
                     bare LF line ends, NULs in headers, obs-fold.

Status (N5, N6)
  /status?code=N&retry_after=V&ok_after=K
                     answers N (default 200) with body "status N"; retry_after
                     V is sent verbatim as Retry-After (seconds, an HTTP-date,
                     garbage...). With ok_after=K the first K requests for this
                     exact path+query answer N and later ones 200 "recovered".

Redirects (N7, S2, S5)
  /redirect?to=URL   302 (or code=301..308) to URL (absolute, relative,
                     protocol-relative, another scheme...).
  /redirect?loop=1   redirects to itself (same path and query).
  /redirect?chain=N  N hops (/redirect?chain=N-1...), then 200 "end of chain".
  /redirect?noloc=1  a 3xx (code) without a Location header.

Size (N8)
  /big?cl=N          Content-Length N (10G allowed) and N bytes of 'x',
                     streamed; ?rate=B caps the rate at B bytes/s.
  /big?chunked=1     chunked 'x' bytes, endless (or total=N bytes), streamed.

Bombs (N9, R6)
  /bomb?enc=E&size=N&layers=K&ce_headers=1
                     200 text/html whose body, decoded, is `size` (default 1G)
                     zero bytes. E: gzip (zlib.compressobj, gzip wrapper),
                     deflate (zlib wrapper), rawdeflate (raw deflate labelled
                     "deflate"), br (brotli module, quality 11; only when
                     importable, else 501), zstd (made once per size with the
                     zstd CLI in --tmpdir, kept in memory; 501 without the
                     CLI). gzip/deflate/rawdeflate are streamed, chunked.
                     layers=K (gzip only) nests K gzip layers
                     ("Content-Encoding: gzip, gzip, ..."); ce_headers=1 sends
                     each layer's name as its own Content-Encoding header.

Headers (N10)
  /headers?mode=endless   header lines forever (until the client leaves).
  /headers?mode=huge&size=N  one X-Huge header of N bytes (default 200K).
  /headers?mode=many&count=N  N headers (default 10000).
  /headers?mode=cookie&size=N  one Set-Cookie of N bytes (default 1M).
  (huge, many and cookie then send a small body.)

Content (C1-C4)
  /ctype?declared=T&actual=A&size=N
                     Content-Type: T (absent when declared is missing or
                     "none"); body A: html (default), png, pdf, octet, text,
                     empty; html with size=N is padded to N bytes (streamed,
                     so size=1G works).
  /html?deep=N&attrs=N&links=N&text=N&base=URL
                     an HTML page made on the fly (chunked): N nested <div>s,
                     a <p> with N attributes, N links (/page/0..N-1), a text
                     node of N bytes, a <base href=URL> and relative links
                     (rel/1, ../up, sub/x). Parameters combine; title
                     "hostile html".
  /enc?variant=invalid_utf8|latin1_as_utf8|utf16_bom|meta_conflict|unknown
                     a page with bad bytes: overlong, surrogate and truncated
                     UTF-8 in the title; Latin-1 labelled UTF-8; UTF-16LE with
                     BOM; <meta charset=windows-1252> vs header utf-8; charset
                     x-unknown.
  /links?set=weird   a page whose hrefs are: javascript:, data:, mailto:,
                     file:, gopher:, dict:, //host/path, http:\\\\host,
                     http://[::1]/, http://2130706433/, http://0x7f.1/,
                     http://127.1/, http://0177.0.0.1/, whitespace and CRLF
                     inside hrefs, ../../../x, a 100 KB href, #frag only,
                     duplicates, an IDN homograph, and (with --canary) the
                     canary's URL. ?set=ok gives three plain links.

Traps (T1-T5)
  /trap/calendar?d=YYYY-MM-DD   links to the previous and next day, forever.
  /trap/session                 links to itself with a fresh
                                ;jsessionid=<32 hex>, ?PHPSESSID= and ?sid=.
  /trap/repeat/...              any path below: links to the relative "a/"
                                (so /trap/repeat/a/a/a/...).
  /trap/longurl/<x>             links to a URL twice as long.
  /trap/params?...              links to itself with permuted, duplicated
                                and random (r=) query parameters.

Whole site (fault matrix acceptance: a crawl of every fault at once)
  /hostile           an HTML index linking to one URL per fault endpoint
                     above that ends by itself (trickles, resets, broken
                     framing, 429/503, redirect loops and chains, endless and
                     huge bodies, bombs, header bombs, wrong types, hostile
                     HTML, bad encodings, weird links, the five traps,
                     cookies, sitemaps) and, when ?hosts=1, to the robots.txt
                     host-name scenarios (s503.test, hang.test, gzbomb.test,
                     loop.test, ... on this port). Endless endpoints are
                     linked with the crawler's own limits in mind: the
                     crawl must cut them (timeouts, size caps, trap guards).

Security (S2, S5-S9, S12, R12)
  /echo              200 text/plain whose body is the raw request bytes; the
                     log entry has them as "raw".
  /cookie?variant=psl|ip|many|crlf|plain|domain&domain=D&name=N
                     Set-Cookie with Domain=.test / Domain=127.0.0.1 /
                     10000 cookies / a cookie value with an encoded CRLF /
                     a plain cookie / "N=1; Domain=D" (N default dom), e.g.
                     a parent domain of the request's host.
  /evilname          Content-Disposition: attachment;
                     filename="../../.bashrc".
  /sitemap?variant=small|index|big|gzbomb|xxe|laughs|loop&n=N&size=N
                     small: 3 URLs on this host; index: a sitemapindex of
                     small and /sitemap?variant=small&n=2; big: a urlset of n
                     (default 50001) URLs, streamed; gzbomb: a gzip file
                     (application/gzip, no Content-Encoding) of a urlset
                     opening followed by `size` (default 1G) zero bytes; xxe:
                     an entity SYSTEM "file:///etc/passwd" used in <loc>;
                     laughs: billion laughs; loop: an index listing itself
                     and a second index listing the first.
"""

import argparse
import base64
import gzip
import json
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib

try:
    import brotli  # Debian: python3-brotli (in /usr/bin/python3).
except ImportError:  # pragma: no cover - depends on the interpreter
    brotli = None

ZSTD = shutil.which("zstd")
KIB = 1024
BLOCK = 64 * KIB
ZEROS = bytes(BLOCK)
DEFAULT_ROBOTS = "User-agent: *\nDisallow: /private/\n"
ROBOTS_VARIANTS = ("bom", "cr", "html", "binary", "longline", "big", "gzbomb",
                   "hang", "reset_mid", "short_cl", "empty")

_state = {
    "port": 0,
    "canary_port": None,
    "tmpdir": None,
    "robots": {},          # --robots JSON table.
    "robots_runtime": {},  # /__robots table.
}
_log = []
_log_lock = threading.Lock()
_counters = {}
_cache = {}
_cache_lock = threading.Lock()
_next_id = [0]


class ClientGone(Exception):
    """The peer closed or reset the connection."""


def parse_size(text, default):
    if text is None or text == "":
        return default
    t = text.strip().upper().replace("IB", "").rstrip("B")
    mult = 1
    if t and t[-1] in "KMG":
        mult = {"K": KIB, "M": KIB ** 2, "G": KIB ** 3}[t[-1]]
        t = t[:-1]
    return int(float(t) * mult)


# --- connection ---------------------------------------------------------------


class Conn:
    """One accepted connection: request reading and byte-counted sending."""

    def __init__(self, sock, listener):
        self.sock = sock
        self.listener = listener
        self.buf = b""
        self.entry = None
        self.keep_alive = True

    def read_request(self):
        """Returns (method, target, version, headers, raw) or None on EOF."""
        while b"\r\n\r\n" not in self.buf and b"\n\n" not in self.buf:
            if len(self.buf) > 256 * KIB:
                return None
            try:
                data = self.sock.recv(65536)
            except OSError:
                return None
            if not data:
                return None
            self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        sep = 4
        if end < 0 or (0 <= self.buf.find(b"\n\n") < end):
            end, sep = self.buf.find(b"\n\n"), 2
        raw, self.buf = self.buf[:end + sep], self.buf[end + sep:]
        lines = raw.decode("latin-1").replace("\r\n", "\n").split("\n")
        parts = lines[0].split(" ")
        if len(parts) < 2:
            return None
        method, target = parts[0], parts[1]
        version = parts[2] if len(parts) > 2 else "HTTP/0.9"
        headers = []
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers.append([k.strip(), v.strip()])
        length = 0
        for k, v in headers:
            if k.lower() == "content-length" and v.isdigit():
                length = int(v)
        while len(self.buf) < length and length < 16 * KIB ** 2:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return None
            if not data:
                return None
            self.buf += data
        raw += self.buf[:length]
        self.buf = self.buf[length:]
        return method, target, version, headers, raw

    def send(self, data):
        if not data:
            return
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise ClientGone() from e
        if self.entry is not None:
            self.entry["bytes_sent"] += len(data)

    def head(self, code, headers, reason=None):
        """Sends a status line and headers (a list of (name, value))."""
        reason = reason or REASONS.get(code, "Status")
        out = ["HTTP/1.1 %d %s\r\n" % (code, reason)]
        for k, v in headers:
            out.append("%s: %s\r\n" % (k, v))
        out.append("\r\n")
        self.send("".join(out).encode("latin-1"))

    def respond(self, code, body=b"", ctype="text/html; charset=utf-8",
                headers=(), head_only=False):
        hs = list(headers)
        if ctype:
            hs.append(("Content-Type", ctype))
        hs.append(("Content-Length", str(len(body))))
        if not self.keep_alive:
            hs.append(("Connection", "close"))
        self.head(code, hs)
        if not head_only:
            self.send(body)

    def chunk(self, data):
        if data:
            self.send(b"%x\r\n%s\r\n" % (len(data), data))

    def end_chunks(self):
        self.send(b"0\r\n\r\n")

    def reset(self):
        """Closes with RST (SO_LINGER on, linger 0)."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.sock.close()
        self.keep_alive = False
        self.end("reset")

    def wait_for_close(self):
        """Never answers; returns when the peer goes away."""
        self.keep_alive = False
        while True:
            r, _, _ = select.select([self.sock], [], [], 1.0)
            if r:
                try:
                    if not self.sock.recv(65536):
                        return
                except OSError:
                    return

    def end(self, how):
        if self.entry is not None and self.entry["end"] is None:
            self.entry["end"] = time.time()
            self.entry["ended"] = how


REASONS = {200: "OK", 204: "No Content", 301: "Moved Permanently",
           302: "Found", 303: "See Other", 304: "Not Modified",
           307: "Temporary Redirect", 308: "Permanent Redirect",
           400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 410: "Gone", 429: "Too Many Requests",
           500: "Internal Server Error", 501: "Not Implemented",
           502: "Bad Gateway", 503: "Service Unavailable"}


def serve_connection(sock, listener):
    conn = Conn(sock, listener)
    try:
        while conn.keep_alive:
            req = conn.read_request()
            if req is None:
                break
            method, target, version, headers, raw = req
            hmap = {k.lower(): v for k, v in headers}
            conn.keep_alive = (version == "HTTP/1.1" and
                               hmap.get("connection", "").lower() != "close")
            path = urllib.parse.urlsplit(target).path
            internal = path.startswith("/__") and listener == "main"
            entry = None
            if not internal:
                with _log_lock:
                    _next_id[0] += 1
                    entry = {"id": _next_id[0], "time": time.time(),
                             "end": None, "listener": listener,
                             "client": sock.getpeername()[1],
                             "host": hmap.get("host", ""), "method": method,
                             "path": target, "headers": headers,
                             "bytes_sent": 0, "ended": None}
                    if path == "/echo":
                        entry["raw"] = raw.decode("latin-1")
                    _log.append(entry)
            conn.entry = entry
            try:
                if listener == "canary":
                    conn.keep_alive = False
                    conn.respond(200, b"canary\n", "text/plain")
                else:
                    dispatch(conn, method, target, hmap, raw)
                conn.end("complete")
            except ClientGone:
                conn.end("client_closed")
                conn.keep_alive = False
            except Exception as e:  # pylint: disable=broad-except
                conn.end("error")
                conn.keep_alive = False
                sys.stderr.write("fault_server: %s %s: %r\n" %
                                 (method, target, e))
    finally:
        try:
            sock.close()
        except OSError:
            pass


def accept_loop(server, listener):
    while True:
        try:
            sock, _ = server.accept()
        except OSError:
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t = threading.Thread(target=serve_connection, args=(sock, listener),
                             daemon=True)
        t.start()


# --- helpers ------------------------------------------------------------------


def page(title, body_html):
    return ("<!DOCTYPE html>\n<html><head><title>%s</title></head>\n"
            "<body>\n%s\n</body></html>\n" % (title, body_html)).encode()


def host_name(hmap):
    h = hmap.get("host", "").strip().lower()
    if h.startswith("["):
        return h[:h.find("]") + 1]
    return h.rsplit(":", 1)[0] if ":" in h else h


def authority(hmap):
    return hmap.get("host") or "127.0.0.1:%d" % _state["port"]


def with_host(hmap, new_host):
    """http://<new_host>:<port of the request's Host>."""
    h = hmap.get("host", "")
    port = h.rsplit(":", 1)[1] if ":" in h and not h.endswith("]") \
        else str(_state["port"])
    return "http://%s:%s" % (new_host, port)


def stream_chunked(conn, gen):
    conn.head(200, [("Content-Type", "text/html; charset=utf-8"),
                    ("Transfer-Encoding", "chunked")])
    for data in gen:
        conn.chunk(data)
    conn.end_chunks()


def zeros(total):
    left = total
    while left > 0:
        n = min(left, BLOCK)
        yield ZEROS[:n]
        left -= n


def compressed(gen, wbits, level=9):
    comp = zlib.compressobj(level, zlib.DEFLATED, wbits)
    for data in gen:
        out = comp.compress(data)
        if out:
            yield out
    yield comp.flush()


# --- robots.txt ---------------------------------------------------------------


def norm_variant(v):
    v = v.replace("-", "").replace("_", "")
    for name in ROBOTS_VARIANTS:
        if name.replace("_", "") == v:
            return name
    return None


def convention(host):
    label = host.split(".", 1)[0].replace("-", "").replace("_", "")
    digits = "".join(c for c in label if c.isdigit())
    stem = label.rstrip("0123456789")
    if stem == "s" and digits:
        return {"status": int(digits)}
    if stem == "redir" and digits:
        return {"redirects": int(digits)}
    if stem == "xredir" and digits:
        return {"redirects": int(digits), "cross": 1}
    if label.startswith("delay") and len(label) > 5:
        return {"crawl_delay": label[5:]}
    if label == "loop":
        return {"loop": 1}
    if label == "canary":
        return {"canary": 1}
    if label == "sitemap":
        return {"sitemap": ["/sitemap?variant=small",
                            "http://%s/sitemap?variant=index" % "{authority}"]}
    if label == "allowall":
        return {"body": ""}
    if label == "disallowall":
        return {"disallow": ["/"]}
    v = norm_variant(label)
    return {"variant": v} if v else {}


def scenario_for(host):
    for table in (_state["robots_runtime"], _state["robots"]):
        if host in table:
            return dict(table[host])
    conv = convention(host)
    if conv:
        return conv
    if "*" in _state["robots"]:
        return dict(_state["robots"]["*"])
    return {}


def query_scenario(query):
    sc = {}
    for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if k in ("status", "redirects", "code"):
            sc[k] = int(v)
        elif k in ("sitemap", "disallow"):
            sc.setdefault(k, []).append(v)
        elif k in ("cross", "loop", "gzip", "canary"):
            sc[k] = v not in ("", "0")
        else:
            sc[k] = v
    return sc


def robots_rules(sc, hmap):
    if "body" in sc:
        return sc["body"]
    lines = ["User-agent: %s" % sc.get("agent", "*")]
    disallow = sc.get("disallow", ["/private/"])
    if isinstance(disallow, str):
        disallow = [disallow]
    lines += ["Disallow: %s" % d for d in disallow]
    if "crawl_delay" in sc:
        lines.append("Crawl-delay: %s" % sc["crawl_delay"])
    sitemaps = sc.get("sitemap", [])
    if isinstance(sitemaps, str):
        sitemaps = [sitemaps]
    lines += ["Sitemap: %s" % s.replace("{authority}", authority(hmap))
              for s in sitemaps]
    return "\n".join(lines) + "\n"


def big_robots():
    with _cache_lock:
        if "big_robots" in _cache:
            return _cache["big_robots"]
    total, decisive_at = 600 * KIB, 550 * KIB
    out = bytearray(b"User-agent: *\n")
    n = 0
    while len(out) < decisive_at:
        out += b"Disallow: /filler/%06d/\n" % n
        n += 1
    del out[decisive_at:]
    out[-1:] = b"\n"
    out += b"Disallow: /decisive/\n"
    while len(out) < total:
        out += b"# padding after the decisive rule ................\n"
    body = bytes(out[:total - 1]) + b"\n"
    with _cache_lock:
        _cache["big_robots"] = body
    return body


def robots(conn, method, hmap, sc, hop_query):
    """Answers a robots.txt scenario `sc`; hop_query carries hop state."""
    host = host_name(hmap)
    head_only = method == "HEAD"
    code = int(sc.get("code", 302))
    hops_left = hop_query.get("__hop")
    origin = hop_query.get("__of", host)
    if sc.get("loop"):
        return conn.respond(code, b"loop\n", "text/plain",
                            [("Location", "/robots.txt")], head_only)
    if sc.get("canary") and _state["canary_port"]:
        return conn.respond(code, b"", "text/plain", [(
            "Location", "http://127.0.0.2:%d/robots.txt" %
            _state["canary_port"])], head_only)
    if sc.get("to") and hops_left is None:
        return conn.respond(code, b"", "text/plain",
                            [("Location", sc["to"])], head_only)
    total_hops = int(sc.get("redirects", 0))
    left = total_hops if hops_left is None else int(hops_left)
    if left > 0:
        k = total_hops - left + 1
        target = "/robots.txt?__hop=%d&__of=%s" % (left - 1, origin)
        if sc.get("cross"):
            target = with_host(hmap, "h%d.%s" % (k, origin)) + target
        return conn.respond(code, b"", "text/plain", [("Location", target)],
                            head_only)
    if "status" in sc and int(sc["status"]) != 200:
        status = int(sc["status"])
        hs = [("Retry-After", str(sc["retry_after"]))] \
            if "retry_after" in sc else []
        return conn.respond(status, b"status %d\n" % status, "text/plain", hs,
                            head_only)
    variant = sc.get("variant")
    rules = robots_rules(sc, hmap).encode()
    plain = "text/plain; charset=utf-8"
    if variant == "bom":
        return conn.respond(200, b"\xef\xbb\xbf" + rules, plain, (), head_only)
    if variant == "cr":
        body = rules.replace(b"\n", b"\r")
        body = body.replace(b"\r", b"\r\n", 1)
        return conn.respond(200, body, plain, (), head_only)
    if variant == "html":
        return conn.respond(200, page("Not a robots.txt", "<p>Welcome!</p>"
                                      "<p>User-agent: * Disallow: /</p>"),
                            "text/html", (), head_only)
    if variant == "binary":
        body = (bytes(range(256)) * 16)[:4096]
        return conn.respond(200, body, "application/octet-stream", (),
                            head_only)
    if variant == "longline":
        body = b"Disallow: /" + b"a" * (100 * KIB) + b"\n" + rules
        return conn.respond(200, body, plain, (), head_only)
    if variant == "big":
        return conn.respond(200, big_robots(), plain, (), head_only)
    if variant == "empty":
        return conn.respond(200, b"", plain, (), head_only)
    if variant == "gzbomb":
        size = parse_size(sc.get("size"), KIB ** 3)
        conn.keep_alive = False
        conn.head(200, [("Content-Type", plain), ("Content-Encoding", "gzip"),
                        ("Transfer-Encoding", "chunked")])
        if head_only:
            return None

        def gen():
            yield rules
            yield from zeros(size)
        for data in compressed(gen(), 31):
            conn.chunk(data)
        return conn.end_chunks()
    if variant == "hang":
        conn.wait_for_close()
        return conn.end("hung")
    if variant in ("reset_mid", "short_cl"):
        body = (rules * 200)[:2048]
        conn.keep_alive = False
        conn.head(200, [("Content-Type", plain), ("Content-Length", "2048")])
        conn.send(body[:1024])
        time.sleep(0.05)
        if variant == "reset_mid":
            return conn.reset()
        conn.sock.shutdown(socket.SHUT_WR)
        return conn.end("closed_early")
    hs = []
    if sc.get("gzip"):
        rules = gzip.compress(rules)
        hs.append(("Content-Encoding", "gzip"))
    return conn.respond(200, rules, plain, hs, head_only)


# --- endpoints ------------------------------------------------------------------


def ep_trickle(conn, q):
    phase = q.get("phase", "headers")
    bps = max(1, int(q.get("bps", "1")))
    step = max(1, bps // 10)
    interval = step / bps
    conn.keep_alive = False

    def trickle(data):
        for i in range(0, len(data), step):
            conn.send(data[i:i + step])
            time.sleep(interval)

    if phase == "body":
        total = parse_size(q.get("total"), 1000)
        conn.head(200, [("Content-Type", "text/plain"),
                        ("Content-Length", str(total))])
        sent = 0
        while sent < total:
            n = min(step, total - sent)
            conn.send(b"x" * n)
            sent += n
            time.sleep(interval)
        return
    total = parse_size(q.get("total"), 200)
    body = b"trickled headers\n"
    head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            "Content-Length: %d\r\nConnection: close\r\n" % len(body))
    pad = max(0, total - len(head) - len("X-Pad: \r\n\r\n"))
    head += "X-Pad: %s\r\n\r\n" % ("p" * pad)
    trickle(head.encode())
    conn.send(body)


def ep_reset(conn, q):
    if q.get("at", "0") == "mid":
        # HTML, so that a crawl reads the body (it skips other types).
        conn.head(200, [("Content-Type", "text/html"),
                        ("Content-Length", "10000")])
        conn.send(b"m" * 5000)
        time.sleep(0.05)
    return conn.reset()


def ep_short_cl(conn):
    conn.keep_alive = False
    conn.head(200, [("Content-Type", "text/plain"),
                    ("Content-Length", "10000")])
    conn.send(b"s" * 5000)
    conn.sock.shutdown(socket.SHUT_WR)
    conn.end("closed_early")


def ep_bad_chunked(conn, q):
    variant = q.get("variant", "nohex")
    conn.keep_alive = False
    conn.head(200, [("Content-Type", "text/plain"),
                    ("Transfer-Encoding", "chunked")])
    conn.chunk(b"good chunk\n")
    if variant == "nohex":
        conn.send(b"zz\r\nnot a chunk\r\n0\r\n\r\n")
    elif variant == "huge":
        conn.send(b"fffffffffffffffffff\r\n" + b"h" * 1000)
    else:  # noterm
        conn.chunk(b"another chunk, and no last-chunk\n")
    time.sleep(0.05)
    conn.sock.shutdown(socket.SHUT_WR)
    conn.end("closed_early")


def ep_cl_te(conn, q):
    conn.keep_alive = False
    body = b"abcdefghijklmnopqrstuvwxyz"
    if q.get("variant") == "dup":
        conn.head(200, [("Content-Type", "text/plain"),
                        ("Content-Length", "5"), ("Content-Length", "26")])
        conn.send(body)
        return
    conn.head(200, [("Content-Type", "text/plain"), ("Content-Length", "5"),
                    ("Transfer-Encoding", "chunked")])
    conn.chunk(body)
    conn.end_chunks()


def ep_raw(conn, q):
    payload = q.get("payload", "")
    payload = payload.replace("-", "+").replace("_", "/").replace(" ", "+")
    payload += "=" * (-len(payload) % 4)
    conn.keep_alive = False
    conn.send(base64.b64decode(payload))
    time.sleep(0.05)
    conn.sock.shutdown(socket.SHUT_WR)


def ep_status(conn, method, target, q):
    code = int(q.get("code", "200"))
    if "ok_after" in q:
        with _log_lock:
            _counters[target] = _counters.get(target, 0) + 1
            n = _counters[target]
        if n > int(q["ok_after"]):
            return conn.respond(200, b"recovered\n", "text/plain",
                                head_only=method == "HEAD")
    hs = [("Retry-After", q["retry_after"])] if "retry_after" in q else []
    body = b"" if code in (204, 304) or code < 200 else b"status %d\n" % code
    if code in (204, 304):
        return conn.head(code, hs)
    return conn.respond(code, body, "text/plain", hs, method == "HEAD")


def ep_redirect(conn, target, q):
    code = int(q.get("code", "302"))
    if q.get("noloc") == "1":
        return conn.respond(code, b"a redirect without Location\n",
                            "text/plain")
    if q.get("loop") == "1":
        return conn.respond(code, b"", "text/plain", [("Location", target)])
    if "chain" in q:
        n = int(q["chain"])
        if n <= 0:
            return conn.respond(200, page("end of chain", "<p>end</p>"))
        loc = "/redirect?chain=%d&code=%d" % (n - 1, code)
        return conn.respond(code, b"", "text/plain", [("Location", loc)])
    return conn.respond(code, b"", "text/plain",
                        [("Location", q.get("to", "/html"))])


def ep_big(conn, q):
    rate = parse_size(q.get("rate"), 0)
    conn.keep_alive = False
    block = b"x" * BLOCK
    if q.get("chunked") == "1":
        total = parse_size(q.get("total"), -1)
        conn.head(200, [("Content-Type", "application/octet-stream"),
                        ("Transfer-Encoding", "chunked")])
    else:
        total = parse_size(q.get("cl"), KIB ** 2)
        conn.head(200, [("Content-Type", "application/octet-stream"),
                        ("Content-Length", str(total))])
    sent = 0
    step = min(BLOCK, max(1, rate // 10)) if rate else BLOCK
    while total < 0 or sent < total:
        n = step if total < 0 else min(step, total - sent)
        if q.get("chunked") == "1":
            conn.chunk(block[:n])
        else:
            conn.send(block[:n])
        sent += n
        if rate:
            time.sleep(n / rate)
    if q.get("chunked") == "1":
        conn.end_chunks()


def brotli_bomb(size):
    key = ("br", size)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    comp = brotli.Compressor(quality=11)
    parts = []
    for data in zeros(size):
        parts.append(comp.process(data))
    parts.append(comp.finish())
    out = b"".join(parts)
    with _cache_lock:
        _cache[key] = out
    return out


def zstd_bomb(size):
    key = ("zstd", size)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    path = os.path.join(_state["tmpdir"], "bomb-%d.zst" % size)
    subprocess.run("head -c %d /dev/zero | %s -q -3 -f -o %s" %
                   (size, ZSTD, path), shell=True, check=True)
    with open(path, "rb") as f:
        out = f.read()
    os.unlink(path)
    with _cache_lock:
        _cache[key] = out
    return out


def ep_bomb(conn, q):
    enc = q.get("enc", "gzip")
    size = parse_size(q.get("size"), KIB ** 3)
    conn.keep_alive = False
    if enc == "br" or enc == "zstd":
        if (enc == "br" and brotli is None) or (enc == "zstd" and not ZSTD):
            return conn.respond(501, b"%s unavailable here (see /__caps)\n" %
                                enc.encode(), "text/plain")
        body = brotli_bomb(size) if enc == "br" else zstd_bomb(size)
        return conn.respond(200, body, "text/html", [("Content-Encoding",
                                                      enc)])
    layers = max(1, int(q.get("layers", "1")))
    if enc != "gzip":
        layers = 1
    name = {"gzip": "gzip", "deflate": "deflate", "rawdeflate": "deflate"}
    if enc not in name:
        return conn.respond(400, b"unknown enc\n", "text/plain")
    wbits = {"gzip": 31, "deflate": 15, "rawdeflate": -15}[enc]
    hs = [("Content-Type", "text/html")]
    if q.get("ce_headers") == "1":
        hs += [("Content-Encoding", name[enc])] * layers
    else:
        hs.append(("Content-Encoding", ", ".join([name[enc]] * layers)))
    hs.append(("Transfer-Encoding", "chunked"))
    conn.head(200, hs)
    gen = zeros(size)
    for _ in range(layers):
        gen = compressed(gen, wbits)
    for data in gen:
        conn.chunk(data)
    conn.end_chunks()


def ep_headers(conn, q):
    mode = q.get("mode", "endless")
    conn.keep_alive = False
    body = b"after the headers\n"
    if mode == "endless":
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")
        n = 0
        while True:
            conn.send(b"".join(b"X-Endless-%d: %s\r\n" % (n + i, b"e" * 64)
                               for i in range(100)))
            n += 100
    if mode == "huge":
        size = parse_size(q.get("size"), 200 * KIB)
        hs = [("X-Huge", "h" * size)]
    elif mode == "cookie":
        size = parse_size(q.get("size"), KIB ** 2)
        hs = [("Set-Cookie", "big=" + "c" * size)]
    else:
        count = int(q.get("count", "10000"))
        hs = [("X-Many-%d" % i, "v") for i in range(count)]
    hs += [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    conn.head(200, hs)
    conn.send(body)


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
       b"\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + b"\x00" * 64 +
       b'<a href="/never-parsed">x</a>')
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" \
      b'<a href="/never-parsed">x</a>\n%%EOF\n'


def ep_ctype(conn, q):
    declared = q.get("declared")
    actual = q.get("actual", "html")
    hs = []
    if declared and declared != "none":
        hs.append(("Content-Type", declared))
    if actual == "html" and "size" in q:
        size = parse_size(q.get("size"), 0)
        conn.keep_alive = False
        hs.append(("Content-Length", str(size)))
        conn.head(200, hs)
        head = page("big html", "<p>")[:-len("</p>\n</body></html>\n")]
        head = head[:size]
        conn.send(head)
        left = size - len(head)
        filler = b"lorem ipsum dolor sit amet " * 2400
        while left > 0:
            n = min(left, len(filler))
            conn.send(filler[:n])
            left -= n
        return
    body = {"html": page("ctype", '<p><a href="/html">a link</a></p>'),
            "png": PNG, "pdf": PDF, "octet": bytes(range(256)) * 4,
            "text": b"plain text\n" * 10, "empty": b""}.get(actual, b"")
    hs.append(("Content-Length", str(len(body))))
    conn.head(200, hs)
    conn.send(body)


def ep_html(conn, q):
    deep = int(q.get("deep", "0"))
    attrs = int(q.get("attrs", "0"))
    links = int(q.get("links", "0"))
    text = parse_size(q.get("text"), 0)
    base = q.get("base")
    conn.keep_alive = False

    def gen():
        head = "<!DOCTYPE html>\n<html><head><title>hostile html</title>"
        if base is not None:
            head += '<base href="%s">' % base.replace('"', "&quot;")
        yield (head + "</head><body>\n").encode()
        if base is not None:
            yield (b'<a href="rel/1">r</a><a href="../up">u</a>'
                   b'<a href="sub/x">s</a>\n')
        for i in range(0, links, 1000):
            yield "".join('<a href="/page/%d">l%d</a>\n' % (j, j)
                          for j in range(i, min(links, i + 1000))).encode()
        if attrs:
            yield b"<p"
            for i in range(0, attrs, 1000):
                yield "".join(' a%d="%d"' % (j, j)
                              for j in range(i, min(attrs, i + 1000))).encode()
            yield b">attributes</p>\n"
        for i in range(0, deep, 10000):
            yield b"<div>" * min(10000, deep - i)
        left = text
        while left > 0:
            n = min(left, BLOCK)
            yield b"t" * n
            left -= n
        for i in range(0, deep, 10000):
            yield b"</div>" * min(10000, deep - i)
        yield b"\n</body></html>\n"
    stream_chunked(conn, gen())


def ep_enc(conn, q):
    v = q.get("variant", "invalid_utf8")
    links = b'<a href="/page/1">one</a>'
    if v == "invalid_utf8":
        title = b"bad \xc0\xaf overlong \xed\xa0\x80 surrogate \xe2\x82 cut"
        body = (b"<html><head><title>" + title + b"</title></head><body>" +
                links + b" \xff\xfe</body></html>")
        return conn.respond(200, body, "text/html; charset=utf-8")
    if v == "latin1_as_utf8":
        body = ("<html><head><title>caf\xe9 na\xefve</title></head><body>" +
                "\xe9t\xe9</body></html>").encode("latin-1")
        return conn.respond(200, body, "text/html; charset=utf-8")
    if v == "utf16_bom":
        body = b"\xff\xfe" + ("<html><head><title>utf-16 page</title></head>"
                               "<body><a href=\"/page/2\">two</a></body>"
                               "</html>").encode("utf-16-le")
        return conn.respond(200, body, "text/html")
    if v == "meta_conflict":
        body = ('<html><head><meta charset="windows-1252"><title>caf\xe9'
                '</title></head><body></body></html>').encode("latin-1")
        return conn.respond(200, body, "text/html; charset=utf-8")
    body = b"<html><head><title>unknown charset</title></head></html>"
    return conn.respond(200, body, "text/html; charset=x-unknown")


def weird_links():
    hrefs = [
        "javascript:alert(1)", "data:text/html,<a href=/x>x</a>",
        "mailto:someone@example.test", "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL", "dict://127.0.0.1:11211/stat",
        "//other.test/protocol-relative", "http:\\\\backslash.test\\path",
        "http://[::1]/", "http://2130706433/", "http://0x7f.1/",
        "http://127.1/", "http://0177.0.0.1/", "  /page/ spaced  ",
        "/page/\r\n1", "/page/\t2", "../../../../above-root",
        "/long/" + "x" * (100 * KIB), "#fragment-only", "/dup", "/dup",
        "/DUP", "http://xn--pple-43d.test/homograph",
        "http://\u0430pple.test/cyrillic-a",
    ]
    if _state["canary_port"]:
        hrefs.append("http://127.0.0.2:%d/canary" % _state["canary_port"])
    return hrefs


def ep_links(conn, q):
    if q.get("set", "weird") != "weird":
        return conn.respond(200, page("links", '<a href="/page/1">1</a>'
                                      '<a href="/page/2">2</a>'
                                      '<a href="/page/3">3</a>'))
    body = "\n".join('<a href="%s">link %d</a>' % (h.replace('"', "%22"), i)
                     for i, h in enumerate(weird_links()))
    return conn.respond(200, page("weird links", body))


def ep_trap(conn, path, q):
    if path == "/trap/calendar":
        d = q.get("d", "2026-01-01")
        try:
            t = time.mktime(time.strptime(d, "%Y-%m-%d")) + 12 * 3600
        except ValueError:
            t = time.mktime(time.strptime("2026-01-01", "%Y-%m-%d"))
        prev = time.strftime("%Y-%m-%d", time.localtime(t - 86400))
        nxt = time.strftime("%Y-%m-%d", time.localtime(t + 86400))
        return conn.respond(200, page("calendar %s" % d,
                                      '<a href="/trap/calendar?d=%s">prev</a>'
                                      '<a href="/trap/calendar?d=%s">next</a>'
                                      % (prev, nxt)))
    if path.startswith("/trap/session"):
        sid = "%032x" % random.getrandbits(128)
        return conn.respond(200, page("session", (
            '<a href="/trap/session;jsessionid=%s">self</a>'
            '<a href="/trap/session?PHPSESSID=%s">php</a>'
            '<a href="/trap/session?sid=%s">sid</a>') % (sid, sid[:26],
                                                          sid[:16])))
    if path.startswith("/trap/repeat"):
        return conn.respond(200, page("repeat", '<a href="a/">again</a>'))
    if path.startswith("/trap/longurl"):
        tail = path[len("/trap/longurl"):].lstrip("/") or "x"
        return conn.respond(200, page("long url", '<a href="/trap/longurl/%s">'
                                      'longer</a>' % (tail * 2)))
    if path == "/trap/params":
        items = list(q.items()) or [("a", "1"), ("b", "2")]
        random.shuffle(items)
        perm = urllib.parse.urlencode(items)
        dup = urllib.parse.urlencode(items + items[:1])
        return conn.respond(200, page("params", (
            '<a href="/trap/params?%s">perm</a><a href="/trap/params?%s">dup'
            '</a><a href="/trap/params?%s&r=%d">bust</a>') %
            (perm, dup, perm, random.getrandbits(32))))
    return conn.respond(404, b"no such trap\n", "text/plain")


def ep_cookie(conn, q):
    v = q.get("variant", "plain")
    if v == "psl":
        hs = [("Set-Cookie", "psl=1; Domain=.test; Path=/")]
    elif v == "ip":
        hs = [("Set-Cookie", "ip=1; Domain=127.0.0.1; Path=/")]
    elif v == "many":
        hs = [("Set-Cookie", "c%d=%d; Path=/" % (i, i)) for i in range(10000)]
    elif v == "crlf":
        hs = [("Set-Cookie", "crlf=a%0d%0aX-Injected:%201; Path=/")]
    elif v == "domain":
        hs = [("Set-Cookie", "%s=1; Domain=%s; Path=/" %
               (q.get("name", "dom"), q.get("domain", "")))]
    else:
        hs = [("Set-Cookie", "plain=1; Path=/")]
    conn.keep_alive = False
    return conn.respond(200, b"cookies\n", "text/plain", hs)


def ep_sitemap(conn, q, hmap):
    v = q.get("variant", "small")
    base = "http://%s" % authority(hmap)
    xml = "application/xml"
    urlset = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns=' \
             '"http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    index = '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns=' \
            '"http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    if v == "small":
        n = q.get("n", "1")
        body = urlset + "".join("<url><loc>%s/page/sm%s-%d</loc></url>\n" %
                                (base, n, i) for i in range(3)) + "</urlset>\n"
        return conn.respond(200, body.encode(), xml)
    if v == "index":
        body = index + ("<sitemap><loc>%s/sitemap?variant=small</loc>"
                        "</sitemap>\n<sitemap><loc>%s/sitemap?variant=small"
                        "&amp;n=2</loc></sitemap>\n</sitemapindex>\n") % (
                            base, base)
        return conn.respond(200, body.encode(), xml)
    if v == "loop":
        other = "2" if q.get("n") != "2" else "1"
        body = index + ("<sitemap><loc>%s/sitemap?variant=loop&amp;n=%s</loc>"
                        "</sitemap>\n<sitemap><loc>%s/sitemap?variant=loop"
                        "&amp;n=%s</loc></sitemap>\n</sitemapindex>\n") % (
                            base, q.get("n", "1"), base, other)
        return conn.respond(200, body.encode(), xml)
    if v == "xxe":
        body = ('<?xml version="1.0"?>\n<!DOCTYPE urlset [\n<!ENTITY xxe '
                'SYSTEM "file:///etc/passwd">\n]>\n' + urlset[39:] +
                "<url><loc>%s/page/&xxe;</loc></url>\n</urlset>\n" % base)
        return conn.respond(200, body.encode(), xml)
    if v == "laughs":
        ents = ['<!ENTITY lol "lol">']
        for i in range(1, 10):
            ents.append('<!ENTITY lol%d "%s">' % (
                i, ("&lol%s;" % ("" if i == 1 else i - 1)) * 10))
        body = ('<?xml version="1.0"?>\n<!DOCTYPE urlset [\n%s\n]>\n' %
                "\n".join(ents) + urlset[39:] +
                "<url><loc>%s/page/&lol9;</loc></url>\n</urlset>\n" % base)
        return conn.respond(200, body.encode(), xml)
    conn.keep_alive = False
    if v == "big":
        n = int(q.get("n", "50001"))

        def gen():
            yield urlset.encode()
            for i in range(0, n, 1000):
                yield "".join("<url><loc>%s/page/big-%d</loc></url>\n" %
                              (base, j) for j in range(i, min(n, i + 1000))
                              ).encode()
            yield b"</urlset>\n"
        conn.head(200, [("Content-Type", xml),
                        ("Transfer-Encoding", "chunked")])
        for data in gen():
            conn.chunk(data)
        return conn.end_chunks()
    if v == "gzbomb":
        size = parse_size(q.get("size"), KIB ** 3)

        def gen():
            yield (urlset + "<url><loc>%s/page/bomb</loc></url>\n" %
                   base).encode()
            yield from zeros(size)
        conn.head(200, [("Content-Type", "application/gzip"),
                        ("Transfer-Encoding", "chunked")])
        for data in compressed(gen(), 31):
            conn.chunk(data)
        return conn.end_chunks()
    return conn.respond(404, b"unknown sitemap variant\n", "text/plain")


def caps():
    enc = ["gzip", "deflate", "rawdeflate"]
    if brotli is not None:
        enc.append("br")
    if ZSTD:
        enc.append("zstd")
    return {"python": sys.version.split()[0], "executable": sys.executable,
            "brotli": brotli is not None, "zstd": bool(ZSTD),
            "encodings": enc, "canary_port": _state["canary_port"],
            "port": _state["port"]}


def ep_log(conn, q):
    with _log_lock:
        entries = [dict(e) for e in _log]
        if q.get("clear") == "1":
            _log.clear()
    if "listener" in q:
        entries = [e for e in entries if e["listener"] == q["listener"]]
    if "host" in q:
        want = q["host"].lower()
        entries = [e for e in entries
                   if host_name({"host": e["host"]}) == want]
    return conn.respond(200, json.dumps(entries).encode(), "application/json")


HOSTILE_PATHS = (
    "/trickle?phase=headers&bps=20&total=400", "/trickle?phase=body&bps=200",
    "/hang", "/delay?ms=500", "/reset?at=0", "/reset?at=mid", "/short_cl",
    "/bad_chunked?variant=nohex", "/bad_chunked?variant=noterm",
    "/bad_chunked?variant=huge", "/cl_te", "/cl_te?variant=dup",
    "/raw?payload=SGVsbG8K", "/raw?payload=SFRUUC8xLjEgOTk5IE9LDQoNCg",
    "/status?code=429&retry_after=1", "/status?code=503&retry_after=garbage",
    "/status?code=500", "/status?code=404", "/status?code=204",
    "/redirect?loop=1", "/redirect?chain=30", "/redirect?chain=3",
    "/redirect?noloc=1", "/redirect?to=file:///etc/passwd",
    "/redirect?to=gopher://127.0.0.1:70/x", "/big?cl=10G", "/big?chunked=1",
    "/big?cl=100M&rate=100000", "/bomb?enc=gzip", "/bomb?enc=deflate",
    "/bomb?enc=rawdeflate", "/bomb?enc=br", "/bomb?enc=zstd",
    "/bomb?enc=gzip&layers=3", "/bomb?enc=gzip&layers=10&ce_headers=1",
    "/headers?mode=endless", "/headers?mode=huge", "/headers?mode=many",
    "/headers?mode=cookie", "/ctype?declared=text/html&actual=png",
    "/ctype?declared=image/png&actual=html", "/ctype?declared=none&actual=html",
    "/ctype?declared=none&actual=pdf", "/ctype?declared=text/html&size=1G",
    "/html?deep=300000", "/html?attrs=100000", "/html?links=100000",
    "/html?text=50000000", "/html?base=http://127.0.0.2/&links=3",
    "/enc?variant=invalid_utf8", "/enc?variant=latin1_as_utf8",
    "/enc?variant=utf16_bom", "/enc?variant=meta_conflict",
    "/enc?variant=unknown", "/links?set=weird", "/trap/calendar?d=2026-01-01",
    "/trap/session", "/trap/repeat/a/", "/trap/longurl/x", "/trap/params?a=1",
    "/cookie?variant=many", "/cookie?variant=crlf", "/evilname",
    "/sitemap?variant=big", "/sitemap?variant=gzbomb", "/sitemap?variant=xxe",
    "/sitemap?variant=laughs", "/sitemap?variant=loop", "/private/x",
)
HOSTILE_HOSTS = ("s404", "s403", "s429", "s503", "redir3", "xredir6", "loop",
                 "delay2", "sitemap", "disallowall", "bom", "cr", "html",
                 "binary", "longline", "big", "gzbomb", "hang", "resetmid",
                 "shortcl", "empty")


def ep_hostile(conn, q):
    links = ['<a href="%s">%s</a>' % (p.replace("&", "&amp;"), p)
             for p in HOSTILE_PATHS]
    if q.get("hosts") == "1":
        links += ['<a href="http://%s.test:%d/page/1">%s</a>'
                  % (h, _state["port"], h) for h in HOSTILE_HOSTS]
    return conn.respond(200, page("hostile site", "\n".join(links)))


def dispatch(conn, method, target, hmap, raw):
    url = urllib.parse.urlsplit(target)
    path = url.path
    q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    head_only = method == "HEAD"
    if path == "/__log":
        return ep_log(conn, q)
    if path == "/__caps":
        return conn.respond(200, json.dumps(caps()).encode(),
                            "application/json")
    if path == "/__robots":
        host = q.get("host", "").lower()
        if q.get("set"):
            _state["robots_runtime"][host] = json.loads(q["set"])
        else:
            _state["robots_runtime"].pop(host, None)
        return conn.respond(200, json.dumps(_state["robots_runtime"]).encode(),
                            "application/json")
    if path == "/robots.txt":
        hop = {k: v for k, v in q.items() if k in ("__hop", "__of")}
        host = hop.get("__of", host_name(hmap))
        return robots(conn, method, hmap, scenario_for(host), hop)
    if path == "/robots":
        return robots(conn, method, hmap, query_scenario(url.query), {})
    if path == "/trickle":
        return ep_trickle(conn, q)
    if path == "/hang":
        conn.wait_for_close()
        return conn.end("hung")
    if path == "/delay":
        time.sleep(int(q.get("ms", "1000")) / 1000.0)
        return conn.respond(200, page("delayed", "<p>late</p>"),
                            head_only=head_only)
    if path == "/reset":
        return ep_reset(conn, q)
    if path == "/short_cl":
        return ep_short_cl(conn)
    if path == "/bad_chunked":
        return ep_bad_chunked(conn, q)
    if path == "/cl_te":
        return ep_cl_te(conn, q)
    if path == "/raw":
        return ep_raw(conn, q)
    if path == "/status":
        return ep_status(conn, method, target, q)
    if path == "/redirect":
        return ep_redirect(conn, target, q)
    if path == "/big":
        return ep_big(conn, q)
    if path == "/bomb":
        return ep_bomb(conn, q)
    if path == "/headers":
        return ep_headers(conn, q)
    if path == "/ctype":
        return ep_ctype(conn, q)
    if path == "/html":
        return ep_html(conn, q)
    if path == "/enc":
        return ep_enc(conn, q)
    if path == "/links":
        return ep_links(conn, q)
    if path.startswith("/trap/"):
        return ep_trap(conn, path, q)
    if path == "/echo":
        return conn.respond(200, raw, "text/plain; charset=iso-8859-1",
                            head_only=head_only)
    if path == "/cookie":
        return ep_cookie(conn, q)
    if path == "/evilname":
        return conn.respond(200, b"evil\n", "application/octet-stream", [
            ("Content-Disposition", 'attachment; filename="../../.bashrc"')])
    if path == "/sitemap":
        return ep_sitemap(conn, q, hmap)
    if path == "/hostile":
        return ep_hostile(conn, q)
    if path.startswith("/page/") or path in ("/", "/private/x"):
        return conn.respond(200, page("page " + (path[6:] or "index"),
                                      '<a href="/page/1">1</a>'),
                            head_only=head_only)
    return conn.respond(404, b"not found\n", "text/plain", head_only=head_only)


def listen(address, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(256)
    return s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--canary", action="store_true",
                        help="also listen on 127.0.0.2 (records hits only)")
    parser.add_argument("--canary-same-port", action="store_true",
                        help="the canary listens on the main port")
    parser.add_argument("--robots", default="{}",
                        help="JSON {host: scenario} for /robots.txt")
    parser.add_argument("--tmpdir", default=None,
                        help="scratch directory (zstd bombs)")
    args = parser.parse_args()
    table = json.loads(args.robots)
    if not isinstance(table, dict):
        parser.error("--robots must be a JSON object")
    _state["robots"] = {k.lower(): v for k, v in table.items()}
    _state["tmpdir"] = tempfile.mkdtemp(
        prefix="fault_server.", dir=args.tmpdir or os.environ.get(
            "TEST_TMPDIR"))
    main_sock = listen("127.0.0.1", args.port)
    _state["port"] = main_sock.getsockname()[1]
    if args.canary:
        canary = listen("127.0.0.2",
                        _state["port"] if args.canary_same_port else 0)
        _state["canary_port"] = canary.getsockname()[1]
        threading.Thread(target=accept_loop, args=(canary, "canary"),
                         daemon=True).start()
        print("CANARY %d" % _state["canary_port"], flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("READY %d" % _state["port"], flush=True)
    try:
        accept_loop(main_sock, "main")
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(_state["tmpdir"], ignore_errors=True)


if __name__ == "__main__":
    main()
