#!/usr/bin/env python3
"""Generated-site HTTP server for the crawl end-to-end tests (stdlib only).

Run as `python3 -u site_server.py --port 0 [options]`. It listens on
127.0.0.1, prints exactly one line `READY <port>` once it accepts
connections, and serves a deterministic site (same --seed and --pages, same
site) until it is killed.

The site
  /                        index: links to /s0/p0.html and to every special
                           page below.
  /s<n%8>/p<n>.html        page n (0 <= n < --pages), ~1.5 KB. Links to the
                           pages 2n+1 and 2n+2 (so every page is reachable)
                           and to ~8 random pages, each link in one of many
                           forms: absolute path, relative, ./, ../ (also
                           climbing above the root), absolute URL with the
                           server's host:port, upper-case scheme,
                           protocol-relative, fragment, whitespace and a
                           newline around the href, duplicates, self links
                           ("", "#top"), and a query variant (?v=1, a distinct
                           URL serving the same page). Some pages also link to:
                           /private/<k>.html (disallowed by robots.txt),
                           http://external.invalid/..., https://other.example/,
                           HTTP://OTHER.EXAMPLE:80/, mailto:, javascript:,
                           tel:, ftp: links, http://localhost:<port>/alias/<k>
                           (same server, another host: out of scope unless
                           --scope any) and, with rel=nofollow, /nofollow/<k>
                           (pages reachable only through nofollow links).
  /missing/<k>.html        404.
  /files/doc<k>.pdf        application/pdf, /img/pic<k>.png image/png: not
                           HTML; their bytes contain <a href="/never-parsed">,
                           which a crawler must not follow.
  /redirect/<code>/<n>     <code> (301, 302, 307, 308) to page n; 301 with a
                           relative Location, the others absolute.
  /chain/<k>               302 to /chain/<k-1>; /chain/0 to /landing.html, a
                           page reachable only through that chain.
  /redirect/private        302 to /private/secret.html (disallowed).
  /redirect/external       302 to http://external.invalid/target.
  /meta-nofollow.html      <meta name=robots content=nofollow>; its links go to
                           /mnf/<k>.html, reachable only from there.
  /robots.txt              "User-agent: *" + "Disallow: /private/" (and
                           Crawl-delay with --crawl-delay); --robots-status N
                           answers N instead (e.g. 404, 403, 503).
  /slow                    with --slow-ms, every page and file waits that long
                           before answering (robots.txt does not).

Test endpoints (not logged):
  /__log                   JSON list of the requests so far, in arrival order:
                           {"path", "host" (Host header), "client" (peer port:
                           identifies the connection), "start", "end" (Unix
                           seconds when the request was read and when the
                           response was written)}.
  /__expected              JSON object {"<url>": {"depth": d, "parents":
                           [...]}} of the exact set of URLs a correct crawl
                           seeded with http://127.0.0.1:<port>/ must fetch:
                           a BFS over the same generator. depth is the
                           shortest-path depth (redirect targets keep the
                           hop's depth); parents are the URLs that link to it
                           followably (or the redirect hop). Query options
                           mirror the crawler's: robots=0 (ignore robots.txt),
                           nofollow=0 (follow nofollow), max_depth=N,
                           scope=any (localhost is in scope; .invalid and
                           .example hosts stay out, as with --deny-domain),
                           include=RE / exclude=RE (repeatable, re.search on
                           the URL). robots.txt is never in the set: it is not
                           a record. With --robots-status 4xx robots=1 gives
                           the same set as robots=0.
"""

import argparse
import json
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError,
                TimeoutError)
_FILLER = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
           "eiusmod tempor incididunt ut labore et dolore magna aliqua. ") * 4
REDIRECT_CODES = (301, 302, 307, 308)


class Site:
    """The generator: pages, their links, and the expected crawl."""

    def __init__(self, pages, seed):
        self.pages = pages
        self.seed = seed

    @staticmethod
    def page_path(n):
        return "/s%d/p%d.html" % (n % 8, n)

    # A link is (href, target, nofollow): target is (host_kind, path) with
    # host_kind "self", "alias" (localhost), "external", or None when the
    # href is not http(s).

    def _forms(self, rng, src, dst, host):
        """An href from page src to page dst, in a random form."""
        sa, sb = src % 8, dst % 8
        t = self.page_path(dst)
        rel = "p%d.html" % dst if sa == sb else "../s%d/p%d.html" % (sb, dst)
        forms = [
            t,
            rel,
            "./" + rel,
            "http://%s%s" % (host, t),
            "HTTP://%s%s" % (host, t),
            "//%s%s" % (host, t),
            "../../..%s" % t,
            t + "#frag",
            rel + "#x",
            "  %s\n " % t,
            "\t%s " % rel,
        ]
        return rng.choice(forms), t

    def page_links(self, n, host, port):
        rng = random.Random("%d-%d" % (self.seed, n))
        links = []
        kids = [k for k in (2 * n + 1, 2 * n + 2) if k < self.pages]
        targets = kids + [rng.randrange(self.pages) for _ in range(8)]
        for dst in targets:
            href, t = self._forms(rng, n, dst, host)
            links.append((href, ("self", t), False))
        # Duplicates and self links.
        links.append((links[0][0], links[0][1], False))
        links.append(("", ("self", self.page_path(n)), False))
        links.append(("#top", ("self", self.page_path(n)), False))
        if n % 5 == 0:
            q = self.page_path(rng.randrange(self.pages)) + "?v=1"
            links.append((q, ("self", q), False))
        if n % 7 == 3:
            k = n % 10
            links.append(("/private/%d.html" % k,
                          ("self", "/private/%d.html" % k), False))
        if n % 11 == 4:
            links.append(("http://external.invalid/p%d" % n,
                          ("external", "/p%d" % n), False))
            links.append(("https://other.example/x", ("external", "/x"),
                          False))
            links.append(("HTTP://OTHER.EXAMPLE:80/y", ("external", "/y"),
                          False))
            links.append(("//other.example/z", ("external", "/z"), False))
        if n % 13 == 6:
            links.append(("mailto:someone@example.org", None, False))
            links.append(("javascript:void(0)", None, False))
            links.append(("tel:+1-555-0100", None, False))
            links.append(("ftp://127.0.0.1:%d/ftp.html" % port, None, False))
        if n % 17 == 9:
            k = n % 5
            links.append(("http://localhost:%d/alias/%d.html" % (port, k),
                          ("alias", "/alias/%d.html" % k), False))
        if n % 19 == 2:
            k = n % 6
            links.append(("/nofollow/%d.html" % k,
                          ("self", "/nofollow/%d.html" % k), True))
        return links

    def index_links(self, port):
        links = [("/s0/p0.html", ("self", "/s0/p0.html"), False)]
        specials = (["/missing/%d.html" % k for k in range(3)] +
                    ["/files/doc%d.pdf" % k for k in range(3)] +
                    ["/img/pic%d.png" % k for k in range(3)] +
                    ["/redirect/%d/%d" % (c, 10 + i)
                     for i, c in enumerate(REDIRECT_CODES)] +
                    ["/redirect/302/1", "/chain/3", "/redirect/private",
                     "/redirect/external", "/meta-nofollow.html",
                     "/private/index.html"])
        links += [(s, ("self", s), False) for s in specials]
        links.append(('<a rel="nofollow">', None, False))  # Text, not a link.
        links.append(("/nofollow/index.html", ("self", "/nofollow/index.html"),
                      True))
        links.append(("http://localhost:%d/alias/index.html" % port,
                      ("alias", "/alias/index.html"), False))
        return links

    @staticmethod
    def meta_nofollow_links():
        return [("/mnf/%d.html" % k, ("self", "/mnf/%d.html" % k), False)
                for k in range(3)]

    def redirect_target(self, path):
        """(kind, path) for a redirect path, else None."""
        m = re.fullmatch(r"/redirect/(\d+)/(\d+)", path)
        if m and int(m.group(1)) in REDIRECT_CODES and \
                int(m.group(2)) < self.pages:
            return ("self", self.page_path(int(m.group(2))))
        m = re.fullmatch(r"/chain/(\d+)", path)
        if m:
            k = int(m.group(1))
            return ("self", "/chain/%d" % (k - 1) if k > 0 else
                    "/landing.html")
        if path == "/redirect/private":
            return ("self", "/private/secret.html")
        if path == "/redirect/external":
            return ("external", "/target")
        return None

    def page_number(self, path):
        m = re.fullmatch(r"/s(\d)/p(\d+)\.html", path)
        if m and int(m.group(2)) < self.pages and \
                int(m.group(2)) % 8 == int(m.group(1)):
            return int(m.group(2))
        return None

    def links_of(self, path, host, port):
        """The links of the HTML page at path (query ignored), or None."""
        path = path.split("?", 1)[0]
        if path == "/":
            return self.index_links(port)
        if path == "/meta-nofollow.html":
            return self.meta_nofollow_links()
        n = self.page_number(path)
        if n is not None:
            return self.page_links(n, host, port)
        if path in ("/landing.html", "/private/index.html",
                    "/private/secret.html") or \
                re.fullmatch(r"/(alias|nofollow|mnf|private)/\w+\.html", path):
            return []
        return None

    def expected(self, port, robots=True, nofollow=True, max_depth=20,
                 scope_any=False, include=(), exclude=()):
        hosts = {"self": "127.0.0.1:%d" % port, "alias": "localhost:%d" % port}

        def url(target):
            return "http://%s%s" % (hosts[target[0]], target[1])

        def allowed(target):
            if target is None or target[0] == "external":
                return False
            if target[0] == "alias" and not scope_any:
                return False
            u = url(target)
            if include and not any(re.search(p, u) for p in include):
                return False
            if any(re.search(p, u) for p in exclude):
                return False
            if robots and target[1].startswith("/private/"):
                return False
            return True

        out = {}
        seed = ("self", "/")
        if not allowed(seed):
            return out
        out[url(seed)] = {"depth": 0, "parents": []}
        todo = deque([(seed, 0)])
        while todo:
            target, depth = todo.popleft()
            src = url(target)
            redirect = self.redirect_target(target[1])
            if redirect is not None:
                nexts = [(redirect, depth)]
            else:
                host = hosts[target[0]]
                links = self.links_of(target[1], host, port) or []
                if target[1] == "/meta-nofollow.html" and nofollow:
                    links = []
                # "" and "#top" are the page itself, query included.
                nexts = [(target if href in ("", "#top") else t, depth + 1)
                         for href, t, nf in links if not (nf and nofollow)]
            for t, d in nexts:
                if not allowed(t) or d > max_depth:
                    continue
                u = url(t)
                if u == src:
                    continue
                entry = out.get(u)
                if entry is None or d < entry["depth"]:
                    # 0-1 BFS: a redirect target keeps the hop's depth. A
                    # URL first reached by a longer path is relaxed (and
                    # visited again) when a shorter one turns up, as a
                    # redirect chain can make happen.
                    if entry is None:
                        out[u] = {"depth": d, "parents": [src]}
                    else:
                        entry["depth"] = d
                        if src not in entry["parents"]:
                            entry["parents"].append(src)
                    if d == depth:
                        todo.appendleft((t, d))
                    else:
                        todo.append((t, d))
                elif src not in entry["parents"]:
                    entry["parents"].append(src)
        return out


def render(title, links, meta=""):
    items = []
    for href, _, nofollow in links:
        if href.startswith("<"):
            items.append("<li>%s text</a></li>" % href)
            continue
        rel = ' rel="nofollow"' if nofollow else ""
        items.append('<li><a href="%s"%s>%s</a></li>' %
                     (href.replace('"', "&quot;"), rel, title))
    return ("<!DOCTYPE html>\n<html><head><title>%s</title>%s</head>\n"
            "<body><h1 id=top>%s</h1>\n<p>%s</p>\n<ul>\n%s\n</ul>\n"
            "</body></html>\n" % (title, meta, title, _FILLER,
                                  "\n".join(items))).encode()


_NOT_HTML = b"%PDF-1.4 fake <a href=\"/never-parsed\">x</a> " + bytes(range(256))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "site/1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's
        # algorithm and the client's delayed ACK add ~40 ms per response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self):
        try:
            super().handle()
        except _DISCONNECTS:
            pass

    def _send(self, code, body=b"", ctype="text/html; charset=utf-8",
              headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        try:
            self._dispatch()
        except _DISCONNECTS:
            self.close_connection = True

    def _dispatch(self):
        srv = self.server
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        if path == "/__log":
            with srv.lock:
                body = json.dumps(srv.log).encode()
            return self._send(200, body, "application/json")
        if path == "/__expected":
            q = urllib.parse.parse_qs(split.query)
            exp = srv.site.expected(
                srv.port,
                robots=q.get("robots", ["1"])[0] != "0" and
                srv.robots_status < 400,
                nofollow=q.get("nofollow", ["1"])[0] != "0",
                max_depth=int(q.get("max_depth", ["20"])[0]),
                scope_any=q.get("scope", ["host"])[0] == "any",
                include=q.get("include", []), exclude=q.get("exclude", []))
            return self._send(200, json.dumps(exp).encode(),
                              "application/json")
        entry = {"path": self.path, "host": self.headers.get("Host", ""),
                 "client": self.client_address[1], "start": time.time(),
                 "end": None}
        with srv.lock:
            srv.log.append(entry)
        try:
            self._serve(path)
        finally:
            entry["end"] = time.time()

    def _serve(self, path):
        srv = self.server
        site = srv.site
        host = self.headers.get("Host", "127.0.0.1:%d" % srv.port)
        if path == "/robots.txt":
            if srv.robots_status != 200:
                return self._send(srv.robots_status, b"robots unavailable\n",
                                  "text/plain")
            body = "User-agent: *\nDisallow: /private/\n"
            if srv.crawl_delay:
                body += "Crawl-delay: %s\n" % srv.crawl_delay
            return self._send(200, body.encode(), "text/plain")
        if srv.slow_ms:
            time.sleep(srv.slow_ms / 1000.0)
        redirect = site.redirect_target(path)
        if redirect is not None:
            code = 302
            m = re.fullmatch(r"/redirect/(\d+)/\d+", path)
            if m:
                code = int(m.group(1))
            if redirect[0] == "external":
                loc = "http://external.invalid" + redirect[1]
            elif code == 301:
                loc = redirect[1]  # Relative Location.
            else:
                loc = "http://%s%s" % (host, redirect[1])
            return self._send(code, b"moved\n", "text/plain",
                              headers=[("Location", loc)])
        if re.fullmatch(r"/files/doc\d+\.pdf", path):
            return self._send(200, _NOT_HTML, "application/pdf")
        if re.fullmatch(r"/img/pic\d+\.png", path):
            return self._send(200, b"\x89PNG\r\n\x1a\n" + _NOT_HTML,
                              "image/png")
        links = site.links_of(path, host, srv.port)
        if links is None:
            return self._send(404, b"not found\n", "text/plain")
        meta = ""
        if path == "/meta-nofollow.html":
            meta = '<meta name="robots" content="nofollow">'
        return self._send(200, render("Page " + path, links, meta))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], _DISCONNECTS):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--robots-status", type=int, default=200)
    ap.add_argument("--crawl-delay", default="")
    ap.add_argument("--slow-ms", type=int, default=0)
    ap.add_argument("--print-expected", action="store_true",
                    help="print /__expected for port --port and exit")
    args = ap.parse_args()
    site = Site(args.pages, args.seed)
    if args.print_expected:
        json.dump(site.expected(args.port), sys.stdout, indent=1)
        return
    server = Server(("127.0.0.1", args.port), Handler)
    server.port = server.server_address[1]
    server.site = site
    server.lock = threading.Lock()
    server.log = []
    server.robots_status = args.robots_status
    server.crawl_delay = args.crawl_delay
    server.slow_ms = args.slow_ms
    print("READY %d" % server.port, flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
