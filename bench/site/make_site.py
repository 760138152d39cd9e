#!/usr/bin/env python3
"""Generates a deterministic static web site for the fetch and parse benches.

Writes N pages (default 10,000) of about 15 KB each under OUT_DIR, laid out as
<section>/page-<n>.html, plus OUT_DIR/paths.txt (one absolute path per line,
e.g. /news/page-17.html, in page order). With --base-url and --urls it also
writes the URL list (base URL + path, one per line). Each page has a head with
title and meta tags, a nav bar, headings, paragraphs of varied text, lists,
a table and 30-60 links to other pages of the site, both relative
("page-3.html", "../sport/page-9.html") and absolute-path ("/tech/page-5.html"),
with a few fragments and external links mixed in.

The same --seed and --pages always give byte-identical output.

  make_site.py --out DIR [--pages N] [--seed S] [--size BYTES]
  make_site.py --out DIR --base-url http://127.0.0.1:8080 --urls URLS
  make_site.py --out DIR --urls-only --base-url URL --urls URLS

Options for the crawl bench (bench/crawl_bench.sh); without them the output
is byte-identical to what the fetch bench gets:
  --size-range MIN,MAX  page sizes drawn uniformly from [MIN, MAX] bytes
                        (approximately; instead of --size)
  --links MIN,MAX       links per page, nav bar included (default 30,60)
  --disallow SECTION    write robots.txt disallowing /SECTION/ for every
                        agent (repeatable)
  --reachable FILE      write the paths a correct crawl seeded with / must
                        fetch: a BFS from / over the same-site links, minus
                        the disallowed sections (whose pages' links are never
                        seen), "/" included, robots.txt excluded

Options for the side-by-side bench (bench/run.sh); without them the output is
byte-identical to the above:
  --origin URL          the site's origin, e.g. http://127.0.0.1:8080
                        (repeatable). Switches on the full mix of link forms
                        a real site uses: relative, ./ and ../, absolute
                        path, absolute URL, protocol-relative //host:port/,
                        query strings (?page=N&amp;sort=date on the section
                        front pages), fragments, duplicate links on a page,
                        and a few external hosts; writes static/site.css.
                        With several origins the pages are split over them
                        (page n on origin hash(seed, n) mod count, so hosts
                        differ in size as real ones do), links across hosts
                        are absolute URLs or protocol-relative, "/" of the
                        first origin is the start page and every host's "/"
                        lists the section front pages. Then --reachable
                        writes absolute URLs (fragment removed) instead of
                        paths, robots.txt applying to every host.
  --graph FILE          (with --origin) the link graph a crawl from the first
                        origin's / can discover, one line per URL:
                        URL<TAB>linked URL<SPACE>linked URL..., same-site
                        <a> links only, resolved, fragment removed, in page
                        order with duplicates kept; a first line
                        "# disallow PREFIX..." names the disallowed paths.
                        bench/ideal_rate.py simulates a crawl over it.
  --wide LINKS          a site for memory measurements instead: "/" links to
                        /w/1.html ... /w/LINKS.html, and page n links to
                        /w/(n*LINKS+1).html ... /w/(n*LINKS+LINKS).html;
                        only the pages 1..--pages exist. A crawl from / capped
                        at M pages (--max-pages) knows about M x LINKS URLs.
"""


import argparse
import html
import os
import random
import sys
import urllib.parse

VERSION = 1  # Bump when the output changes, so cached sites are rebuilt.

SECTIONS = [
    "news", "sport", "tech", "science", "health", "travel", "food", "arts",
    "books", "music", "film", "money", "cars", "home", "garden", "style",
    "opinion", "world", "local", "weather",
]

WORDS = """
the of and to in is was for on that with as by at from this be are or an it
which not have has had were but all their its more one can will also been
other than into when there new some these would time only may after over
first two most could about through such where many during any while both
city river market council school harbour railway bridge festival library
museum garden season report survey budget weather storm election league
season player coach match final record crowd ticket stadium engine network
server protocol browser kernel memory compiler release feature update patch
research study patient clinic vaccine protein climate ocean forest glacier
species fossil planet orbit telescope satellite recipe kitchen flavour bread
cheese harvest vineyard painter gallery novel poet chapter album concert
singer director actor screen studio budget price income tax bank loan share
export factory worker union village county province coast island mountain
valley lake northern southern eastern western ancient modern public private
local national annual weekly historic rapid quiet bright heavy careful
sudden gradual official early late final major minor open closed
announced reported described suggested increased reduced opened closed
measured recorded designed improved tested built moved returned expected
""".split()

NAMES = """
Ada Bruno Chen Dara Elif Farah Goran Hana Ivo Jun Kemal Lena Mato Nia Oskar
Priya Quinn Rosa Sven Tariq Uma Viktor Wen Ximena Yusuf Zora
""".split()


def sentence(rng):
    n = rng.randint(8, 24)
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.3:
        words.insert(rng.randrange(n), rng.choice(NAMES))
    if rng.random() < 0.2:
        words.insert(rng.randrange(n), str(rng.randint(2, 2024)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def page_path(n, pages):
    del pages
    return "/%s/page-%d.html" % (SECTIONS[n % len(SECTIONS)], n)


def link_href(rng, src, dst, pages):
    """An href from page src to page dst: relative or absolute-path."""
    src_section = SECTIONS[src % len(SECTIONS)]
    dst_section = SECTIONS[dst % len(SECTIONS)]
    kind = rng.random()
    if kind < 0.45:
        href = page_path(dst, pages)
    elif dst_section == src_section:
        href = "page-%d.html" % dst if kind < 0.8 else "./page-%d.html" % dst
    else:
        href = "../%s/page-%d.html" % (dst_section, dst)
    if rng.random() < 0.05:
        href += "#s%d" % rng.randint(1, 6)
    return href


EXTERNAL = [
    "https://example.org/ref/%d", "http://example.com/story/%d",
    "https://www.example.net/item?id=%d", "https://cdn.example.com/doc-%d",
]


class Layout:
    """Where pages live for --origin: one or several origins, and the hrefs
    between pages in every form a real site uses."""

    def __init__(self, origins, seed, pages):
        self.origins = [o.rstrip("/") for o in origins]
        self.netlocs = [urllib.parse.urlsplit(o).netloc for o in self.origins]
        self.pages = pages
        if len(self.origins) == 1:
            self.host = [0] * pages
        else:
            self.host = [random.Random("host-%d-%d" % (seed, n)).randrange(
                len(self.origins)) for n in range(pages)]

    def url(self, n):
        return self.origins[self.host[n]] + page_path(n, self.pages)

    def root(self, h):
        return self.origins[h] + "/"

    def href_to_url(self, src_host, url):
        """An absolute-path href when url is on src_host, else absolute."""
        origin = self.origins[src_host]
        if url.startswith(origin + "/"):
            return url[len(origin):]
        return url

    def href(self, rng, src, dst):
        """(raw href, absolute URL without fragment) from page src to dst."""
        src_host, dst_host = self.host[src], self.host[dst]
        path = page_path(dst, self.pages)
        if src_host != dst_host:
            if rng.random() < 0.8:
                href = self.origins[dst_host] + path
            else:
                href = "//" + self.netlocs[dst_host] + path
        else:
            src_section = SECTIONS[src % len(SECTIONS)]
            dst_section = SECTIONS[dst % len(SECTIONS)]
            kind = rng.random()
            if kind < 0.35:
                href = path
            elif kind < 0.5:
                href = self.origins[dst_host] + path
            elif kind < 0.57:
                href = "//" + self.netlocs[dst_host] + path
            elif dst_section == src_section:
                href = ("page-%d.html" if kind < 0.85 else "./page-%d.html") % dst
            else:
                href = "../%s/page-%d.html" % (dst_section, dst)
        url = urllib.parse.urljoin(self.url(src), href)
        if rng.random() < 0.05:
            href += "#s%d" % rng.randint(1, 6)
        return href, url


class Page:
    """Builds one page; links are spread through the body as it grows."""

    def __init__(self, rng, n, pages, layout=None):
        self.rng = rng
        self.n = n
        self.pages = pages
        self.parts = []
        self.links = 0
        self.targets = []  # Page numbers linked to (anchor() only).
        self.layout = layout  # --origin: hrefs in every form, URLs kept.
        self.hrefs = []  # (href, URL) written so far (layout only).
        self.urls = []  # Absolute URLs linked to, in page order (layout).

    def target(self):
        rng = self.rng
        if rng.random() < 0.5:  # Near neighbours: site-like locality.
            return (self.n + rng.randint(1, 200)) % self.pages
        return rng.randrange(self.pages)

    def anchor(self, text=None):
        if self.layout is not None:
            return self.real_anchor(text)
        dst = self.target()
        self.links += 1
        self.targets.append(dst)
        href = link_href(self.rng, self.n, dst, self.pages)
        if text is None:
            text = " ".join(self.rng.choice(WORDS) for _ in range(
                self.rng.randint(2, 5)))
        return '<a href="%s">%s</a>' % (html.escape(href), html.escape(text))

    def real_anchor(self, text):
        rng = self.rng
        if self.hrefs and rng.random() < 0.08:  # The same link again.
            href, url = rng.choice(self.hrefs)
        else:
            href, url = self.layout.href(rng, self.n, self.target())
            self.hrefs.append((href, url))
        self.links += 1
        self.urls.append(url)
        if text is None:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
        return '<a href="%s">%s</a>' % (html.escape(href), html.escape(text))

    def paragraph(self, with_links):
        rng = self.rng
        sentences = [html.escape(sentence(rng))
                     for _ in range(rng.randint(3, 7))]
        for _ in range(with_links):
            i = rng.randrange(len(sentences))
            sentences[i] += " See " + self.anchor() + "."
        if rng.random() < 0.3:
            i = rng.randrange(len(sentences))
            sentences[i] = "<em>%s</em>" % sentences[i]
        if rng.random() < 0.2:
            i = rng.randrange(len(sentences))
            sentences[i] = "<strong>%s</strong>" % sentences[i]
        return "<p>%s</p>" % " ".join(sentences)

    def listing(self, links):
        items = []
        for i in range(self.rng.randint(max(3, links), max(4, links + 3))):
            if i < links:
                items.append("<li>%s</li>" % self.anchor())
            else:
                items.append("<li>%s</li>" % html.escape(sentence(self.rng)))
        tag = self.rng.choice(["ul", "ol"])
        return "<%s>%s</%s>" % (tag, "\n".join(items), tag)

    def table(self):
        rng = self.rng
        rows = ["<tr><th>%s</th><th>%s</th><th>%s</th></tr>" % (
            rng.choice(WORDS).title(), rng.choice(WORDS).title(),
            rng.choice(WORDS).title())]
        for _ in range(rng.randint(3, 8)):
            rows.append("<tr><td>%s</td><td>%d</td><td>%.2f</td></tr>" % (
                html.escape(rng.choice(NAMES)), rng.randint(1, 99999),
                rng.random() * 1000))
        return "<table class=\"data\">\n%s\n</table>" % "\n".join(rows)


def make_page(n, pages, seed, size, links=(30, 60), size_range=None,
              targets=None, layout=None):
    """The HTML of page n; appends the pages it links to to `targets` (the
    absolute URLs of its <a> links, in order, with a layout)."""
    rng = random.Random("%d-%d" % (seed, n))
    if size_range:  # Its own generator: the page's own draws are unchanged.
        size = random.Random("size-%d-%d" % (seed, n)).randint(*size_range)
    p = Page(rng, n, pages, layout)
    section = SECTIONS[n % len(SECTIONS)]
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
    title = title[0].upper() + title[1:]
    link_goal = rng.randint(*links)
    nav_links = 8
    out = []
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
               "<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, "
               "initial-scale=1\">\n")
    out.append("<title>%s | %s</title>\n" % (html.escape(title),
                                             section.title()))
    out.append("<meta name=\"description\" content=\"%s\">\n" %
               html.escape(sentence(rng)))
    out.append("<meta name=\"keywords\" content=\"%s\">\n" % ", ".join(
        rng.choice(WORDS) for _ in range(6)))
    out.append("<link rel=\"canonical\" href=\"%s\">\n" % page_path(n, pages))
    out.append("<link rel=\"stylesheet\" href=\"/static/site.css\">\n"
               "<style>body{font-family:sans-serif;max-width:60em}"
               "table.data td{padding:2px 6px}</style>\n</head>\n<body>\n")
    # Navigation: section index pages (absolute paths) plus a few neighbours.
    if layout is None:
        nav = ['<a href="/%s/page-%d.html">%s</a>' % (s, i, s.title())
               for i, s in enumerate(SECTIONS[:nav_links])]
        if targets is not None:
            targets.extend(range(min(nav_links, pages)))
    else:
        nav = []
        for i, s in enumerate(SECTIONS[:min(nav_links, pages)]):
            url = layout.url(i)
            nav.append('<a href="%s">%s</a>' % (html.escape(
                layout.href_to_url(layout.host[n], url)), s.title()))
            p.urls.append(url)
    p.links += nav_links
    out.append("<header><nav class=\"top\">\n%s\n</nav></header>\n" %
               " |\n".join(nav))
    out.append("<main>\n<article id=\"a%d\">\n<h1>%s</h1>\n" %
               (n, html.escape(title)))
    out.append("<p class=\"byline\">By %s %s, %d %s %d</p>\n" % (
        rng.choice(NAMES), rng.choice(NAMES), rng.randint(1, 28),
        rng.choice(["Jan", "Mar", "May", "Jul", "Sep", "Nov"]),
        rng.randint(1998, 2024)))
    body = []
    body_size = 0
    section_no = 0
    target_body = size - 1500  # Head, nav and footer take about that much.
    while body_size < target_body:
        # Spread the links evenly over the body: about 600 bytes per chunk.
        chunks_left = max(1, (target_body - body_size) // 600)
        remaining_links = max(0, link_goal - 6 - p.links)
        share = remaining_links / chunks_left
        want = int(share) + (1 if rng.random() < share - int(share) else 0)
        r = rng.random()
        if r < 0.12:
            section_no += 1
            chunk = "<h2 id=\"s%d\">%s</h2>" % (section_no, html.escape(
                sentence(rng)[:-1]))
        elif r < 0.22:
            chunk = p.listing(min(remaining_links, want + rng.randint(0, 1)))
        elif r < 0.27:
            chunk = p.table()
        elif r < 0.30:
            chunk = "<blockquote>%s</blockquote>" % html.escape(sentence(rng))
        else:
            chunk = p.paragraph(min(remaining_links, want))
        body.append(chunk)
        body_size += len(chunk) + 1
    out.append("\n".join(body))
    out.append("\n</article>\n<aside><h3>Related</h3>\n<ul>\n")
    related = []
    while p.links < link_goal:
        related.append("<li>%s</li>" % p.anchor())
    out.append("\n".join(related))
    if layout is not None:
        # The section front page with a query string, as a listing links
        # to its next pages ("&" escaped as "&amp;" in the attribute).
        front = n % len(SECTIONS)
        if front < pages:
            url = layout.url(front) + "?page=%d&sort=date" % rng.randint(2, 4)
            out.append("\n<li><a href=\"%s\">More %s</a></li>" % (html.escape(
                layout.href_to_url(layout.host[n], url)), section.title()))
            p.urls.append(url)
        out.append("".join(
            "\n<li><a href=\"%s\">Elsewhere</a></li>" % html.escape(
                rng.choice(EXTERNAL) % rng.randint(1, 999))
            for _ in range(rng.randint(1, 3))))
        out.append("\n</ul></aside>\n</main>\n")
    else:
        out.append("\n<li><a href=\"https://example.org/ref/%d\">Elsewhere</a>"
                   "</li>\n</ul></aside>\n</main>\n" % rng.randint(1, 999))
    if targets is not None:
        targets.extend(p.urls if layout is not None else p.targets)
        if layout is not None:  # The footer's "/" of the page's own host.
            targets.append(layout.root(layout.host[n]))
    out.append("<footer><p>&copy; %d Bench Site. <a href=\"/\">Home</a> "
               "<a href=\"#top\">Top</a></p></footer>\n</body>\n</html>\n" %
               (2000 + n % 25))
    return "".join(out)


def reachable_paths(links, pages, disallowed):
    """BFS from / (which links to pages 0..19) over `links` (page -> linked
    pages), skipping pages in a disallowed section."""
    def allowed(n):
        return SECTIONS[n % len(SECTIONS)] not in disallowed

    seen = set()
    todo = [n for n in range(min(pages, 20)) if allowed(n)]
    seen.update(todo)
    while todo:
        nxt = []
        for n in todo:
            for m in links[n]:
                if m not in seen and allowed(m):
                    seen.add(m)
                    nxt.append(m)
        todo = nxt
    return ["/"] + [page_path(n, pages) for n in sorted(seen)]


def index_links(layout, pages):
    """The start page's links (--origin): the section front pages, absolute
    URLs when there are several hosts (every host serves the same file)."""
    urls = [layout.url(i) for i in range(min(pages, len(SECTIONS)))]
    if len(layout.origins) == 1:
        return urls, [layout.href_to_url(0, u) for u in urls]
    return urls, urls


def url_graph(layout, pages, links_of):
    """URL -> linked URLs (in order, duplicates kept) for every URL a crawl
    from the first origin's / can discover, robots.txt ignored."""
    content = {}  # URL without query -> page number, or -1 for "/".
    for n in range(pages):
        content[layout.url(n)] = n
    for h in range(len(layout.origins)):
        content[layout.root(h)] = -1
    index = index_links(layout, pages)[0]
    graph = {}
    todo = [layout.root(0)]
    while todo:
        url = todo.pop()
        if url in graph:
            continue
        n = content[url.split("?", 1)[0]]
        graph[url] = index if n < 0 else links_of[n]
        todo.extend(u for u in graph[url] if u not in graph)
    return graph


def disallowed_path(url, disallowed):
    path = urllib.parse.urlsplit(url).path
    return any(path.startswith("/%s/" % d) for d in disallowed)


def reachable_urls(layout, graph, disallowed):
    """BFS from the first origin's / that never fetches a disallowed URL."""
    start = layout.root(0)
    seen = {start}
    todo = [start]
    while todo:
        nxt = []
        for url in todo:
            for u in graph[url]:
                if u not in seen and not disallowed_path(u, disallowed):
                    seen.add(u)
                    nxt.append(u)
        todo = nxt
    return sorted(seen)


def write_layout_site(args, layout, size_range, link_range):
    """The --origin site: pages, index, css, robots.txt, --reachable,
    --graph."""
    total = links = 0
    paths = []
    links_of = []
    for n in range(args.pages):
        targets = []
        page = make_page(n, args.pages, args.seed, args.size, link_range,
                         size_range, targets, layout)
        links_of.append(targets)
        path = page_path(n, args.pages)
        with open(os.path.join(args.out, path.lstrip("/")), "w") as f:
            f.write(page)
        total += len(page)
        links += page.count("<a href=")
        paths.append(path)
    hrefs = index_links(layout, args.pages)[1]
    with open(os.path.join(args.out, "index.html"), "w") as f:
        f.write("<!DOCTYPE html><title>Bench Site</title>%s\n" % "".join(
            '<a href="%s">%s</a> ' % (html.escape(h), s)
            for h, s in zip(hrefs, SECTIONS)))
    os.makedirs(os.path.join(args.out, "static"), exist_ok=True)
    with open(os.path.join(args.out, "static", "site.css"), "w") as f:
        f.write("body{font-family:sans-serif}\n")
    with open(os.path.join(args.out, "paths.txt"), "w") as f:
        f.write("\n".join(paths) + "\n")
    if args.disallow:
        with open(os.path.join(args.out, "robots.txt"), "w") as f:
            f.write("User-agent: *\n" + "".join(
                "Disallow: /%s/\n" % d for d in args.disallow))
    if args.reachable or args.graph:
        graph = url_graph(layout, args.pages, links_of)
    if args.reachable:
        with open(args.reachable, "w") as f:
            f.write("\n".join(reachable_urls(
                layout, graph, set(args.disallow))) + "\n")
    if args.graph:
        with open(args.graph, "w") as f:
            f.write("# disallow %s\n" % " ".join(
                "/%s/" % d for d in args.disallow))
            for url in sorted(graph):
                f.write("%s\t%s\n" % (url, " ".join(graph[url])))
    with open(os.path.join(args.out, "STAMP"), "w") as f:
        f.write("version=%d pages=%d seed=%d size=%d origins=%s\n" % (
            VERSION, args.pages, args.seed, args.size, ",".join(args.origin)))
    hosts = len(set(layout.host))
    print("make_site: %d pages on %d host(s), %.1f MB, %.0f bytes/page, "
          "%.1f links/page in %s" % (args.pages, hosts, total / 1e6,
                                      total / args.pages, links / args.pages,
                                      args.out), file=sys.stderr)


def write_wide_site(args):
    """--wide LINKS: "/" and pages 1..--pages, each with LINKS links to the
    next level of a LINKS-ary tree of /w/N.html."""
    width = args.wide
    os.makedirs(os.path.join(args.out, "w"), exist_ok=True)

    def page(first, title):
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                "<title>%s</title></head><body>\n<ul>\n%s</ul>\n"
                "</body></html>\n" % (title, "".join(
                    '<li><a href="/w/%d.html">%d</a></li>\n' % (m, m)
                    for m in range(first, first + width))))
    with open(os.path.join(args.out, "index.html"), "w") as f:
        f.write(page(1, "Wide site"))
    paths = []
    for n in range(1, args.pages + 1):
        with open(os.path.join(args.out, "w", "%d.html" % n), "w") as f:
            f.write(page(n * width + 1, "Page %d" % n))
        paths.append("/w/%d.html" % n)
    with open(os.path.join(args.out, "paths.txt"), "w") as f:
        f.write("\n".join(paths) + "\n")
    with open(os.path.join(args.out, "STAMP"), "w") as f:
        f.write("version=%d pages=%d wide=%d\n" % (VERSION, args.pages, width))
    print("make_site: wide site, %d pages of %d links in %s" % (
        args.pages, width, args.out), file=sys.stderr)


def write_urls(out_dir, base_url, urls_file):
    base = base_url.rstrip("/")
    with open(os.path.join(out_dir, "paths.txt")) as f:
        paths = [line.strip() for line in f if line.strip()]
    tmp = urls_file + ".tmp"
    with open(tmp, "w") as f:
        for path in paths:
            f.write(base + path + "\n")
    os.replace(tmp, urls_file)
    return len(paths)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--size", type=int, default=15000,
                    help="approximate page size in bytes")
    ap.add_argument("--base-url", help="e.g. http://127.0.0.1:8080")
    ap.add_argument("--urls", help="write the URL list here (needs --base-url)")
    ap.add_argument("--urls-only", action="store_true",
                    help="only (re)write the URL list of an existing site")
    ap.add_argument("--size-range", help="MIN,MAX page bytes")
    ap.add_argument("--links", default="30,60", help="MIN,MAX links per page")
    ap.add_argument("--disallow", action="append", default=[],
                    help="section disallowed by robots.txt (repeatable)")
    ap.add_argument("--reachable",
                    help="write the paths a crawl from / must fetch here")
    ap.add_argument("--origin", action="append", default=[],
                    help="origin of the site (repeatable: several hosts); "
                    "switches on every link form")
    ap.add_argument("--graph", help="write the URL link graph here "
                    "(needs --origin)")
    ap.add_argument("--wide", type=int, default=0, metavar="LINKS",
                    help="a LINKS-ary tree of small pages, for memory "
                    "measurements")
    args = ap.parse_args()
    if args.graph and not args.origin:
        ap.error("--graph needs --origin")
    if args.origin and args.urls_only:
        ap.error("--origin needs the pages generated")
    if args.wide and (args.origin or args.disallow or args.reachable or
                      args.urls_only):
        ap.error("--wide goes with --out and --pages only")
    for o in args.origin:
        parts = urllib.parse.urlsplit(o)
        if parts.scheme not in ("http", "https") or not parts.netloc or \
                parts.path not in ("", "/"):
            ap.error("--origin: %r is not scheme://host[:port]" % o)
    size_range = (tuple(int(x) for x in args.size_range.split(","))
                  if args.size_range else None)
    link_range = tuple(int(x) for x in args.links.split(","))
    for d in args.disallow:
        if d not in SECTIONS:
            ap.error("--disallow: no section %r" % d)
    if args.reachable and args.urls_only:
        ap.error("--reachable needs the pages generated")
    if bool(args.base_url) != bool(args.urls):
        ap.error("--base-url and --urls go together")
    if args.pages < 1:
        ap.error("--pages must be positive")

    if args.wide:
        os.makedirs(args.out, exist_ok=True)
        write_wide_site(args)
    elif args.origin:
        os.makedirs(args.out, exist_ok=True)
        for section in SECTIONS:
            os.makedirs(os.path.join(args.out, section), exist_ok=True)
        write_layout_site(args, Layout(args.origin, args.seed, args.pages),
                          size_range, link_range)
    elif not args.urls_only:
        os.makedirs(args.out, exist_ok=True)
        for section in SECTIONS:
            os.makedirs(os.path.join(args.out, section), exist_ok=True)
        total = 0
        links = 0
        paths = []
        links_of = []
        for n in range(args.pages):
            targets = []
            page = make_page(n, args.pages, args.seed, args.size, link_range,
                             size_range, targets)
            links_of.append(targets)
            path = page_path(n, args.pages)
            with open(os.path.join(args.out, path.lstrip("/")), "w") as f:
                f.write(page)
            total += len(page)
            links += page.count("<a href=")
            paths.append(path)
        with open(os.path.join(args.out, "index.html"), "w") as f:
            f.write("<!DOCTYPE html><title>Bench Site</title>%s\n" % "".join(
                '<a href="%s">%s</a> ' % (page_path(i, args.pages), s)
                for i, s in enumerate(SECTIONS[:min(args.pages, 20)])))
        with open(os.path.join(args.out, "paths.txt"), "w") as f:
            f.write("\n".join(paths) + "\n")
        if args.disallow:
            with open(os.path.join(args.out, "robots.txt"), "w") as f:
                f.write("User-agent: *\n" + "".join(
                    "Disallow: /%s/\n" % d for d in args.disallow))
        if args.reachable:
            with open(args.reachable, "w") as f:
                f.write("\n".join(reachable_paths(
                    links_of, args.pages, set(args.disallow))) + "\n")
        with open(os.path.join(args.out, "STAMP"), "w") as f:
            f.write("version=%d pages=%d seed=%d size=%d\n" %
                    (VERSION, args.pages, args.seed, args.size))
        print("make_site: %d pages, %.1f MB, %.0f bytes/page, %.1f links/page"
              " in %s" % (args.pages, total / 1e6, total / args.pages,
                          links / args.pages, args.out), file=sys.stderr)
    if args.urls:
        count = write_urls(args.out, args.base_url, args.urls)
        print("make_site: %d URLs in %s" % (count, args.urls), file=sys.stderr)


if __name__ == "__main__":
    main()
