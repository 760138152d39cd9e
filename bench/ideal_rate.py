#!/usr/bin/env python3
"""The ideal crawl rate of a site under per-host politeness (issue 10).

A small event simulation over the link graph that make_site.py --graph
writes: a crawl from START with
  - unlimited global concurrency (no CPU, no worker limit),
  - at most PER_HOST requests in flight to one host,
  - every response taking exactly DELAY seconds,
  - robots.txt fetched first on each host (it takes DELAY and nothing else
    of that host starts before it is in); disallowed URLs are never fetched,
  - per host, discovered URLs fetched first in, first out (breadth first);
    a URL is discovered when the page linking to it completes.
It prints the pages fetched (robots.txt not counted), the makespan, the
ideal pages/s, and the lower bound set by the busiest host alone
((1 + its pages / PER_HOST) x DELAY, rounded up per batch).

  ideal_rate.py --graph FILE --start URL --delay 0.04 --per-host 2 [--json]
"""

import argparse
import collections
import heapq
import json
import math
import sys
import urllib.parse


def load_graph(path):
    disallow = []
    graph = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# disallow"):
                disallow = line.split()[2:]
                continue
            url, _, links = line.partition("\t")
            graph[url] = links.split() if links else []
    return graph, disallow


def host_of(url):
    return urllib.parse.urlsplit(url).netloc


def simulate(graph, disallow, start, delay, per_host):
    def allowed(url):
        path = urllib.parse.urlsplit(url).path
        return not any(path.startswith(p) for p in disallow)

    queue = collections.defaultdict(collections.deque)
    inflight = collections.Counter()
    robots = {}  # host -> "inflight" or "done"
    pages_of = collections.Counter()
    events = []  # (time, seq, host, url or None for robots.txt)
    seq = 0
    seen = {start}
    fetched = 0
    end = 0.0

    def pump(host, now):
        nonlocal seq
        if host not in robots:
            robots[host] = "inflight"
            inflight[host] += 1
            heapq.heappush(events, (now + delay, seq, host, None))
            seq += 1
            return
        if robots[host] != "done":
            return
        while inflight[host] < per_host and queue[host]:
            url = queue[host].popleft()
            inflight[host] += 1
            heapq.heappush(events, (now + delay, seq, host, url))
            seq += 1

    def discover(url, now):
        host = host_of(url)
        queue[host].append(url)
        pump(host, now)

    discover(start, 0.0)
    while events:
        now, _, host, url = heapq.heappop(events)
        end = max(end, now)
        inflight[host] -= 1
        if url is None:
            robots[host] = "done"
        else:
            fetched += 1
            pages_of[host] += 1
            for link in graph.get(url, []):
                if link not in seen and link in graph and allowed(link):
                    seen.add(link)
                    discover(link, now)
        pump(host, now)
    busiest, most = pages_of.most_common(1)[0]
    bound = (1 + math.ceil(most / per_host)) * delay
    return {
        "pages": fetched,
        "hosts": len(robots),
        "robots_fetches": len(robots),
        "makespan_s": round(end, 6),
        "ideal_pages_per_s": round(fetched / end, 1),
        "busiest_host": busiest,
        "busiest_host_pages": most,
        "busiest_host_bound_s": round(bound, 6),
        "busiest_host_bound_pages_per_s": round(fetched / bound, 1),
        "delay_s": delay,
        "per_host": per_host,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--graph", required=True)
    ap.add_argument("--start", required=True)
    ap.add_argument("--delay", type=float, required=True)
    ap.add_argument("--per-host", type=int, required=True)
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args()
    graph, disallow = load_graph(args.graph)
    if args.start not in graph:
        sys.exit("ideal_rate: %s is not in the graph" % args.start)
    r = simulate(graph, disallow, args.start, args.delay, args.per_host)
    if args.json:
        print(json.dumps(r))
        return
    print("ideal: %d pages on %d hosts in %.3f s = %.1f pages/s "
          "(%.0f ms per response, %d per host, robots.txt first); busiest "
          "host %s with %d pages alone needs %.3f s (%.1f pages/s)" % (
              r["pages"], r["hosts"], r["makespan_s"], r["ideal_pages_per_s"],
              1000 * args.delay, args.per_host, r["busiest_host"],
              r["busiest_host_pages"], r["busiest_host_bound_s"],
              r["busiest_host_bound_pages_per_s"]))


if __name__ == "__main__":
    main()
