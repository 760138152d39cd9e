#!/usr/bin/env python3
"""Loopback HTTP fixture server for the crawler's tests (stdlib only).

Run as `python3 -u fixture_server.py --port 0 [--pages N]`. It listens on
127.0.0.1, prints exactly one line `READY <port>` on stdout once it accepts
connections, and serves until it is killed. Behaviour is chosen by the path:

  /page/<n>              ~2 KB HTML page "Page n" linking to the next pages
                         (relative, root-relative and absolute links). With
                         --pages N the site has pages 0..N-1 (links wrap
                         around) and /page/<n> for n >= N is a 404.
  /status/<code>         that status with body "status <code>" (none for
                         204/304).
  /redirect?to=U&code=C  redirect (default 302) to U (a URL or a path).
  /redirect-chain/<k>    k redirects, then a page.
  /redirect-loop         redirects to itself forever.
  /bin                   10 KB of application/octet-stream.
  /text                  a text/plain document.
  /slow?ms=N             waits N ms, then answers with a small page.
  /hang                  reads the request, never answers; returns when the
                         client goes away.
  /big?bytes=N&chunked=1 N bytes generated on the fly, chunked or with a
                         Content-Length (chunked=0, the default).
  /gzip-bomb?mb=N        Content-Encoding: gzip of N MiB of zeros, compressed
                         on the fly, sent chunked.
  /gzip                  a small gzip-encoded HTML page.
  /conditional           a resource with validators: 200 text/plain
                         "conditional body\n" with ETag: "v1" and
                         Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT, or 304
                         with those two headers and no body when
                         If-None-Match lists "v1" (W/"v1" too: weak
                         comparison) or is "*", or, when there is no
                         If-None-Match, when If-Modified-Since is a date at
                         or after Last-Modified (RFC 9110 section 13.2.2).
                         ?cl=N: the 304 also says Content-Length: N (the
                         size of the representation; RFC 9110 section 8.6).
  /__log                 JSON list of the requests seen so far: method, path,
                         host (Host header), client (peer port, identifies the
                         connection), time (Unix seconds), if_none_match and
                         if_modified_since (those request headers' values,
                         null when absent).

Connections are HTTP/1.1 with keep-alive; every response has a correct
Content-Length or is chunked. Client disconnects are ignored silently.
"""

import argparse
import email.utils
import gzip
import json
import select
import socket
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_LOG = []
_LOG_LOCK = threading.Lock()
_PAGES = 0  # 0: unlimited.
_CHUNK = 64 * 1024
_BIN = bytes(range(256)) * 40  # 10240 bytes.
_FILLER = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
    "eiusmod tempor incididunt ut labore et dolore magna aliqua. "
) * 12
_CONDITIONAL_BODY = b"conditional body\n"
_CONDITIONAL_ETAG = '"v1"'
_CONDITIONAL_LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError,
                TimeoutError)


def _page_html(n, host):
    def target(k):
        return (n + k) % _PAGES if _PAGES > 0 else n + k

    links = [
        '<a href="/page/%d">next</a>' % target(1),
        '<a href="%d">relative</a>' % target(2),
        '<a href="http://%s/page/%d">absolute</a>' % (host, target(3)),
        '<a href="./%d#frag">fragment</a>' % target(4),
        '<a href="/page/%d?q=1">query</a>' % target(5),
    ]
    return ("<!DOCTYPE html>\n<html><head><title>Page %d</title></head>\n"
            "<body><h1>Page %d</h1>\n<p>%s</p>\n<ul>\n%s\n</ul>\n"
            "</body></html>\n" % (n, n, _FILLER, "\n".join(
                "<li>%s</li>" % l for l in links))).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "fixture/1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # Requests are recorded in /__log; keep the test log quiet.

    def handle(self):
        try:
            super().handle()
        except _DISCONNECTS:
            pass

    # --- helpers -----------------------------------------------------------

    def _send(self, code, body=b"", ctype="text/html; charset=utf-8",
              headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if code in (204, 304) or code < 200:
            self.end_headers()
            return
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location, code=302):
        self._send(code, b"redirecting\n", "text/plain",
                   headers=[("Location", location)])

    def _chunk(self, data):
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")

    def _record(self, path):
        entry = {
            "method": self.command,
            "path": path,
            "host": self.headers.get("Host", ""),
            "client": self.client_address[1],
            "time": time.time(),
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
        }
        with _LOG_LOCK:
            _LOG.append(entry)

    # --- dispatch ----------------------------------------------------------

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        try:
            self._dispatch()
        except _DISCONNECTS:
            self.close_connection = True

    def _dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query))
        self._record(self.path)
        host = self.headers.get("Host", "127.0.0.1:%d" % self.server.port)
        parts = path.strip("/").split("/")

        if parts[0] == "page" and len(parts) == 2 and parts[1].isdigit():
            n = int(parts[1])
            if _PAGES > 0 and n >= _PAGES:
                return self._send(404, b"no such page\n", "text/plain")
            return self._send(200, _page_html(n, host))
        if parts[0] == "status" and len(parts) == 2 and parts[1].isdigit():
            code = int(parts[1])
            if not 200 <= code <= 599:
                return self._send(400, b"bad code\n", "text/plain")
            # Extra response headers: ?h=Name:Value (repeatable).
            extra = [tuple(h.split(":", 1)) for h in
                     urllib.parse.parse_qs(url.query).get("h", [])
                     if ":" in h]
            return self._send(code, b"status %d" % code, "text/plain",
                              headers=extra)
        if path == "/redirect":
            return self._redirect(query.get("to", "/page/0"),
                                  int(query.get("code", "302")))
        if parts[0] == "redirect-chain" and len(parts) == 2 and \
                parts[1].isdigit():
            k = int(parts[1])
            if k <= 0:
                return self._send(200, _page_html(0, host))
            return self._redirect("/redirect-chain/%d" % (k - 1))
        if path == "/redirect-loop":
            return self._redirect("/redirect-loop")
        if path == "/bin":
            return self._send(200, _BIN, "application/octet-stream")
        if path == "/text":
            return self._send(200, b"plain text document\n" * 20,
                              "text/plain; charset=utf-8")
        if path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000.0)
            return self._send(200, _page_html(0, host))
        if path == "/hang":
            return self._hang()
        if path == "/big":
            return self._big(int(query.get("bytes", "1048576")),
                             query.get("chunked", "0") == "1")
        if path == "/gzip-bomb":
            return self._gzip_bomb(int(query.get("mb", "64")))
        if path == "/gzip":
            body = gzip.compress(_page_html(0, host))
            return self._send(200, body, headers=[("Content-Encoding", "gzip")])
        if path == "/conditional":
            return self._conditional(query.get("cl"))
        if path == "/__log":
            with _LOG_LOCK:
                body = json.dumps(_LOG).encode()
            return self._send(200, body, "application/json")
        return self._send(404, b"not found\n", "text/plain")

    def _conditional(self, content_length):
        """/conditional: 304 when a validator matches (RFC 9110 13.2.2)."""
        validators = [("ETag", _CONDITIONAL_ETAG),
                      ("Last-Modified", _CONDITIONAL_LAST_MODIFIED)]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            fresh = "*" in tags or _CONDITIONAL_ETAG in [
                t[2:] if t.startswith("W/") else t for t in tags]
        elif ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims)
                fresh = since >= email.utils.parsedate_to_datetime(
                    _CONDITIONAL_LAST_MODIFIED)
            except (TypeError, ValueError):
                fresh = False  # An invalid date is ignored.
        else:
            fresh = False
        if not fresh:
            return self._send(200, _CONDITIONAL_BODY, "text/plain",
                              headers=validators)
        if content_length is not None:
            validators.append(("Content-Length", content_length))
        return self._send(304, headers=validators)

    # --- endpoints that stream or stall -------------------------------------

    def _hang(self):
        """Never answers; returns once the peer closes the connection."""
        self.close_connection = True
        sock = self.connection
        while True:
            readable, _, _ = select.select([sock], [], [], 1.0)
            if readable:
                try:
                    if not sock.recv(4096):
                        return
                except OSError:
                    return

    def _big(self, total, chunked):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        block = b"x" * _CHUNK
        left = total
        while left > 0:
            data = block if left >= _CHUNK else block[:left]
            left -= len(data)
            if chunked:
                self._chunk(data)
            else:
                self.wfile.write(data)
        if chunked:
            self._end_chunks()

    def _gzip_bomb(self, mib):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = bytes(1 << 20)
        for _ in range(mib):
            self._chunk(comp.compress(zeros))
        self._chunk(comp.flush())
        self._end_chunks()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, _DISCONNECTS):
            return
        super().handle_error(request, client_address)


def main():
    global _PAGES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--pages", type=int, default=0,
                        help="number of /page/<n> pages (0: unlimited)")
    args = parser.parse_args()
    _PAGES = args.pages
    server = Server(("127.0.0.1", args.port), Handler)
    server.port = server.server_address[1]
    print("READY %d" % server.port, flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
