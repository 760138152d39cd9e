#!/usr/bin/env python3
"""Judges one crawl from nginx's access log (issue 10: correctness is read
from the server's log, not from the crawler's own output).

  access_check.py --log ACCESS_LOG --reachable URLS --port PORT
                  [--disallow PREFIX]... [--limit N] [--json OUT]

The log format is bench/run.sh's:
  $msec $request_time $host $request_uri $status $body_bytes_sent
A request's URL is http://$host:PORT$request_uri. Compared with the
reachable list (make_site.py --reachable: every URL a correct crawl from the
start page fetches), it counts:
  pages       reachable URLs fetched (each counted once)
  missed      reachable URLs never requested
  duplicates  URLs requested more than once (robots.txt apart: fetched
              more than once from a host is reported, but robots.txt is
              not a page, so it does not make the crawl wrong)
  disallowed  URLs under a robots.txt Disallow prefix that were requested
  other       requests for anything else (e.g. a stylesheet, a wrongly
              resolved link), robots.txt excluded
  non_200     responses other than 200 (robots.txt included)
and reconstructs the requests in flight per host: request i occupied
[msec - request_time, msec) (nginx's view: from the first byte of the request
read to the last byte of the response written, which lies inside the
client's own view, so the count can only be lower than the client's). A
request of 0 ms (nginx's clock is cached per event-loop turn, so on loopback
many are) cannot be ordered against others and counts as 1 alone: the
figure is exact when responses take milliseconds (the wan profile's 40 ms
delay), a lower bound on loopback. With --limit it says whether the maximum
stayed within it. Prints one line; --json writes everything.
"""

import argparse
import collections
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--reachable", required=True)
    ap.add_argument("--port", required=True)
    ap.add_argument("--disallow", action="append", default=[])
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--json")
    args = ap.parse_args()

    want = set(l.strip() for l in open(args.reachable) if l.strip())
    hits = collections.Counter()
    robots = collections.Counter()
    statuses = collections.Counter()
    events = collections.defaultdict(list)  # host -> [(ms, +1/-1)]
    page_events = collections.defaultdict(list)  # the same, robots.txt apart
    instant = set()  # hosts with requests of 0 ms
    first = last = None
    requests = 0
    for line in open(args.log):
        f = line.split()
        if len(f) < 6:
            continue
        msec, rtime, host, uri, status = f[0], f[1], f[2], f[3], f[4]
        requests += 1
        end = round(float(msec) * 1000)
        start = end - round(float(rtime) * 1000)
        # Half-open [start, end): a request that ended in the millisecond
        # another started did not overlap it. A request nginx read and
        # answered within one millisecond (its clock is cached per event
        # loop turn) cannot be ordered against the others: it counts as 1
        # on its own.
        if end > start:
            events[host].append((start, 1))
            events[host].append((end, -1))
            if uri != "/robots.txt":
                page_events[host].append((start, 1))
                page_events[host].append((end, -1))
        else:
            instant.add(host)
        first = start if first is None else min(first, start)
        last = end if last is None else max(last, end)
        statuses[status] += 1
        if uri == "/robots.txt":
            robots[host] += 1
            continue
        hits["http://%s:%s%s" % (host, args.port, uri)] += 1

    def is_disallowed(url):
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        return any(("/" + path).startswith(p) for p in args.disallow)

    got = set(hits)
    pages = got & want
    missed = sorted(want - got)
    dups = sorted(u for u in got if hits[u] > 1)
    robots_dups = sorted(h for h in robots if robots[h] > 1)
    disallowed = sorted(u for u in got if is_disallowed(u))
    other = sorted(u for u in got - want if not is_disallowed(u))
    non_200 = sum(c for s, c in statuses.items() if s != "200")

    inflight_max = 0
    inflight_host = None
    for host in set(events) | instant:
        ev = sorted(events[host])
        n = 0
        peak = 1 if host in instant else 0
        for _, d in ev:
            n += d
            peak = max(peak, n)
        if peak > inflight_max:
            inflight_max, inflight_host = peak, host

    # The same without robots.txt: the pages' own concurrency.
    page_inflight_max = 1 if instant else 0
    for host, ev in page_events.items():
        n = 0
        for _, d in sorted(ev):
            n += d
            page_inflight_max = max(page_inflight_max, n)

    problems = []
    if missed:
        problems.append("%d missed (e.g. %s)" % (len(missed), missed[0]))
    if dups:
        problems.append("%d fetched more than once (e.g. %s x%d)" % (
            len(dups), dups[0], hits[dups[0]]))
    if robots_dups:  # Reported, not a wrong crawl: robots.txt is no page.
        problems.append("robots.txt fetched more than once on %d hosts "
                        "(%d fetches for %d hosts)" % (
                            len(robots_dups), sum(robots.values()), len(robots)))
    if disallowed:
        problems.append("%d disallowed fetched (e.g. %s)" % (
            len(disallowed), disallowed[0]))
    if other:
        problems.append("%d other URLs (e.g. %s)" % (len(other), other[0]))
    if non_200:
        problems.append("%d non-200 responses %s" % (
            non_200, dict((s, c) for s, c in statuses.items() if s != "200")))
    if args.limit and inflight_max > args.limit:
        problems.append("%d in flight on %s (limit %d; %d without robots.txt)" % (
            inflight_max, inflight_host, args.limit, page_inflight_max))
    # Right: every reachable page once, nothing disallowed. A stylesheet
    # fetch ("other") or a second robots.txt is reported but does not make
    # a crawl wrong.
    correct = not (missed or dups or disallowed)
    result = {
        "requests": requests,
        "pages": len(pages),
        "reachable": len(want),
        "missed": len(missed),
        "duplicates": len(dups),
        "robots_hosts_fetched_twice": len(robots_dups),
        "disallowed": len(disallowed),
        "other": len(other),
        "other_examples": other[:3],
        "non_200": non_200,
        "robots_fetches": sum(robots.values()),
        "hosts": len(set(events) | instant),
        "inflight_max_per_host": inflight_max,
        "inflight_max_host": inflight_host,
        "inflight_max_per_host_pages": page_inflight_max,
        "nginx_span_s": ((last - first) / 1000.0) if requests else 0.0,
        "correct": correct,
        "problems": problems,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)
    print(("ok: %d/%d reachable pages once each, robots.txt once per host "
           "(%d), 0 disallowed, %d other, max %d in flight per host" % (
               len(pages), len(want), sum(robots.values()), len(other),
               inflight_max)) if correct and not problems else
          ("%s: %s" % ("ok" if correct else "WRONG", "; ".join(problems))))
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
