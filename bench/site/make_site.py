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
"""


import argparse
import html
import os
import random
import sys

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


class Page:
    """Builds one page; links are spread through the body as it grows."""

    def __init__(self, rng, n, pages):
        self.rng = rng
        self.n = n
        self.pages = pages
        self.parts = []
        self.links = 0
        self.targets = []  # Page numbers linked to (anchor() only).

    def target(self):
        rng = self.rng
        if rng.random() < 0.5:  # Near neighbours: site-like locality.
            return (self.n + rng.randint(1, 200)) % self.pages
        return rng.randrange(self.pages)

    def anchor(self, text=None):
        dst = self.target()
        self.links += 1
        self.targets.append(dst)
        href = link_href(self.rng, self.n, dst, self.pages)
        if text is None:
            text = " ".join(self.rng.choice(WORDS) for _ in range(
                self.rng.randint(2, 5)))
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
              targets=None):
    """The HTML of page n; appends the pages it links to to `targets`."""
    rng = random.Random("%d-%d" % (seed, n))
    if size_range:  # Its own generator: the page's own draws are unchanged.
        size = random.Random("size-%d-%d" % (seed, n)).randint(*size_range)
    p = Page(rng, n, pages)
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
    nav = ['<a href="/%s/page-%d.html">%s</a>' % (s, i, s.title())
           for i, s in enumerate(SECTIONS[:nav_links])]
    p.links += nav_links
    if targets is not None:
        targets.extend(range(min(nav_links, pages)))
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
    out.append("\n<li><a href=\"https://example.org/ref/%d\">Elsewhere</a>"
               "</li>\n</ul></aside>\n</main>\n" % rng.randint(1, 999))
    if targets is not None:
        targets.extend(p.targets)
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
    args = ap.parse_args()
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

    if not args.urls_only:
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
