#!/usr/bin/env python3
"""Turns bench/run.sh's measurements into results (issue 10).

  report.py --runs RUNS.jsonl --limits LIMITS.json --skipped SKIPPED.txt
            --results DIR --command CMD [--readme README.md] [--smoke]
            [--wan-per-host N] [--wan-delay-ms MS] [--wan-hosts N]

Writes into DIR: runs.csv (every run), summary.csv (medians per crawler,
setting and profile, with the ratios), scaling.csv, memory.csv, results.json
(all of it, with the limits, the machine and the command), summary.md (the
tables), and with gnuplot throughput.png, scaling.png, memory.png. Prints
summary.md. With --readme, replaces the block between the "BEGIN run.sh
results" and "END run.sh results" markers of that file with summary.md.
With --smoke it only prints each run's verdict and exits 1 unless every run
is correct.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys

PEERS = ["wget", "scrapy", "crawlee"]
ORDER = {"crawler": 0, "wget": 1, "scrapy": 2, "crawlee": 3}
LABEL = {
    ("crawler", "default"): "crawler (defaults)",
    ("crawler", "best"): "crawler (best)",
    ("wget", "tuned"): "wget --recursive",
    ("scrapy", "tuned"): "Scrapy CrawlSpider",
    ("crawlee", "tuned"): "Crawlee CheerioCrawler",
}
SEEN_RE = re.compile(r"seen-set (\d+) URLs at ([0-9.]+) bytes/URL")


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, digits=1, pct=False):
    if x is None:
        return "-"
    if pct:
        return "%.0f %%" % (100 * x)
    if isinstance(x, float):
        return ("{:,.%df}" % digits).format(x)
    return "{:,}".format(x)


def machine():
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.0f GiB" % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "memory": mem,
            "kernel": platform.release(), "os": debian_version()}


def debian_version():
    try:
        return "Debian " + open("/etc/debian_version").read().strip()
    except OSError:
        return platform.platform()


def source_state():
    """The commit the binaries were built from, and uncommitted changes of
    the crawler's sources in the working tree at report time."""
    def git(*a):
        try:
            return subprocess.run(["git"] + list(a), capture_output=True, text=True,
                                  timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    if os.environ.get("BENCH_SOURCE"):  # Binaries given, built elsewhere.
        return {"commit": os.environ["BENCH_SOURCE"], "dirty_crawler_files": []}
    dirty = [l[3:] for l in git("status", "--porcelain", "--", "crawler", "third_party",
                                 "BUILD", "WORKSPACE").splitlines() if l.strip()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty_crawler_files": dirty}


def versions():
    def run(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True,
                                 timeout=20)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return None
    v = {
        "nginx": run(["nginx", "-v"]),
        "wget": run(["wget", "--version"]),
        "scrapy": run(["/usr/bin/python3", "-c",
                       "import scrapy; print('Scrapy', scrapy.__version__)"]),
        "node": run(["node", "--version"]),
        "wrk": run(["wrk", "--version"]),
    }
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        pkg = os.path.join(here, "..", "peers", "crawlee", "node_modules",
                           "crawlee", "package.json")
        v["crawlee"] = "crawlee " + json.load(open(pkg))["version"]
    except (OSError, ValueError, KeyError):
        v["crawlee"] = None
    return v


def summarize(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["profile"], r["crawler"], r["settings"]), []).append(r)
    out = []
    for (profile, crawler, settings), rs in groups.items():
        out.append({
            "profile": profile, "crawler": crawler, "settings": settings,
            "label": LABEL.get((crawler, settings), "%s %s" % (crawler, settings)),
            "runs": len(rs),
            "wall_s": median([r["wall_s"] for r in rs]),
            "pages": median([r["pages"] for r in rs]),
            "pages_per_s": median([r["pages_per_s"] for r in rs]),
            "pages_per_s_min": min(r["pages_per_s"] for r in rs),
            "pages_per_s_max": max(r["pages_per_s"] for r in rs),
            "cpu_s_per_1k": median([r.get("cpu_s_per_1k") for r in rs]),
            "rss_mb": median([r["rss_sum_mb"] for r in rs]),
            "duplicates": max(r["duplicates"] for r in rs),
            "disallowed": max(r["disallowed"] for r in rs),
            "missed": max(r["missed"] for r in rs),
            "other": max(r["other"] for r in rs),
            "robots_fetches": max(r["robots_fetches"] for r in rs),
            "hosts": max(r["hosts"] for r in rs),
            "inflight_max_per_host": max(r["inflight_max_per_host"] for r in rs),
            "inflight_max_per_host_pages": max(r.get("inflight_max_per_host_pages", 0) for r in rs),
            "correct_runs": sum(1 for r in rs if r["correct"] and r["exit"] == 0),
            "command": rs[0]["command"],
        })
    out.sort(key=lambda s: (s["profile"] != "loopback", ORDER.get(s["crawler"], 9),
                            s["settings"] != "default"))
    return out


def add_ratios(summary):
    for s in summary:
        s["ratios"] = {}
        peers = [p for p in summary if p["profile"] == s["profile"] and
                 p["crawler"] in PEERS and p["pages_per_s"]]
        for p in peers:
            if p is not s and s["pages_per_s"]:
                s["ratios"][p["crawler"]] = round(s["pages_per_s"] / p["pages_per_s"], 2)


def gnuplot(script, results):
    if not shutil.which("gnuplot"):
        return "gnuplot is not installed"
    r = subprocess.run(["gnuplot"], input=script, text=True, cwd=results,
                       capture_output=True)
    return None if r.returncode == 0 else r.stderr.strip()[-300:]


def plots(results, summary, scaling, memory, limits):
    problems = []
    # Throughput per crawler, one panel per profile.
    panels = []
    for profile in ("loopback", "wan"):
        rows = [s for s in summary if s["profile"] == profile]
        if not rows:
            continue
        path = "throughput_%s.dat" % profile
        with open(os.path.join(results, path), "w") as f:
            for i, s in enumerate(rows):
                f.write('%d "%s" %s %s %s\n' % (i, s["label"], s["pages_per_s"],
                                                s["pages_per_s_min"], s["pages_per_s_max"]))
        lines = []
        top = max([s["pages_per_s_max"] for s in rows] + [
            limits.get("cores", 1) * (limits.get("gumbo_parse_pages_per_s_1core") or 0)
            if profile == "loopback" else
            (limits.get("wan_ideal") or {}).get("ideal_pages_per_s", 0)])
        if profile == "loopback" and limits.get("gumbo_parse_pages_per_s_1core"):
            lines.append("%s title 'gumbo-bound limit (cores x gumbo\\_parse)' lw 2 dt 2" % (
                limits["cores"] * limits["gumbo_parse_pages_per_s_1core"]))
        if profile == "wan" and limits.get("wan_ideal"):
            lines.append("%s title 'ideal (event simulation)' lw 2 dt 2" %
                         limits["wan_ideal"]["ideal_pages_per_s"])
        panels.append((profile, path, len(rows), lines, top))
    if panels:
        script = ["set terminal pngcairo size %d,520 font 'sans,10'" % (560 * len(panels)),
                  "set output 'throughput.png'",
                  "set multiplot layout 1,%d title 'Pages/s, median of the runs (bars: min-max)'" % len(panels),
                  "set style fill solid 0.6", "set boxwidth 0.6", "set grid ytics",
                  "set xtics rotate by -30", "set key top right"]
        for profile, path, n, lines, top in panels:
            title = ("loopback: one host, no delay" if profile == "loopback" else
                     "wide-area: many hosts, delayed responses, per-host limit")
            script += ["set title '%s'" % title, "set xrange [-0.6:%f]" % (n - 0.4),
                       "set yrange [0:%f]" % (top * 1.2),
                       "set ylabel 'pages/s'",
                       "plot '%s' using 1:3:xtic(2) with boxes notitle, "
                       "'' using 1:3:4:5 with yerrorbars pt 0 lc rgb 'black' notitle, "
                       "'' using 1:3:(sprintf('%%.0f', $3)) with labels offset 0,1 notitle%s" % (
                           path, "".join(", " + l for l in lines))]
        script.append("unset multiplot")
        err = gnuplot("\n".join(script) + "\n", results)
        if err:
            problems.append("throughput.png: " + err)
    # Scaling: pages/s and CPU against workers, one line per concurrency.
    if scaling:
        with open(os.path.join(results, "scaling.dat"), "w") as f:
            for c in sorted(set(s["concurrency"] for s in scaling)):
                for s in sorted((s for s in scaling if s["concurrency"] == c),
                                key=lambda s: s["workers"]):
                    f.write("%d %d %s %s\n" % (s["workers"], c, s["pages_per_s"],
                                               s["cpu_s_per_1k"]))
                f.write("\n\n")
        cs = sorted(set(s["concurrency"] for s in scaling))
        plot1 = ", ".join("'scaling.dat' index %d using 1:3 with linespoints lw 2 "
                          "title '%d transfers/worker'" % (i, c) for i, c in enumerate(cs))
        plot2 = ", ".join("'scaling.dat' index %d using 1:4 with linespoints lw 2 "
                          "title '%d transfers/worker'" % (i, c) for i, c in enumerate(cs))
        extra = ""
        if limits.get("gumbo_parse_pages_per_s_1core"):
            extra = ", %s title 'gumbo-bound limit' lw 2 dt 2" % (
                limits["cores"] * limits["gumbo_parse_pages_per_s_1core"])
        script = ["set terminal pngcairo size 1100,450 font 'sans,10'",
                  "set output 'scaling.png'", "set multiplot layout 1,2 title "
                  "'crawler crawl, loopback site: scaling with worker processes'",
                  "set grid", "set xlabel 'workers (--workers)'", "set xtics (1, 2, 4)",
                  "set logscale x 2", "set key bottom right", "set yrange [0:*]",
                  "set ylabel 'pages/s (median)'", "plot " + plot1 + extra,
                  "set ylabel 'CPU s per 1,000 pages'", "set key top left",
                  "plot " + plot2, "unset multiplot"]
        err = gnuplot("\n".join(script) + "\n", results)
        if err:
            problems.append("scaling.png: " + err)
    # Memory against known URLs.
    if memory:
        with open(os.path.join(results, "memory.dat"), "w") as f:
            for m in memory:
                f.write("%d %s %s\n" % (m["known_urls"], m["coordinator_rss_mb"],
                                        m["seen_set_bytes_per_url"] or 0))
        script = ["set terminal pngcairo size 800,480 font 'sans,10'",
                  "set output 'memory.png'",
                  "set title 'crawler crawl --max-pages M on a site of 1,000 links per page'",
                  "set grid", "set xlabel 'known URLs (seen-set)'", "set format x '%.1s%c'",
                  "set ylabel 'coordinator peak RSS, MB'", "set y2label 'seen-set bytes per URL'",
                  "set ytics nomirror", "set y2tics", "set yrange [0:*]", "set y2range [0:*]",
                  "set key top left",
                  "plot 'memory.dat' using 1:2 with linespoints lw 2 title 'coordinator peak RSS (MB)', "
                  "'' using 1:3 axes x1y2 with linespoints lw 2 title 'seen-set bytes/URL (right axis)'"]
        err = gnuplot("\n".join(script) + "\n", results)
        if err:
            problems.append("memory.png: " + err)
    return problems


def short_command(cmd):
    """The command as run, with the port, the temporary directory and the
    list of 50 hosts written short."""
    cmd = re.sub(r"/tmp/bench_run\.[A-Za-z0-9]+", "WORK", cmd)
    cmd = re.sub(r"(?<=:)\d{4,5}(?=[/ ]|$)", "PORT", cmd)
    cmd = re.sub(r"(--allow-host 127\.0\.0\.2)( --allow-host 127\.0\.0\.\d+)*"
                 r"( --allow-host 127\.0\.0\.51)", r"\1 ...\3", cmd)
    cmd = re.sub(r"--domains=127\.0\.0\.2(,127\.0\.0\.\d+)*,127\.0\.0\.51",
                 "--domains=127.0.0.2,127.0.0.3,...,127.0.0.51", cmd)
    cmd = re.sub(r"\S*/bazel-bin/", "bazel-bin/", cmd)
    return cmd.replace("PORT/ --", "PORT/ --")


def fit_slope(points):
    """Least-squares slope of y on x."""
    if len(points) < 2:
        return None
    mx = sum(p[0] for p in points) / len(points)
    my = sum(p[1] for p in points) / len(points)
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if not sxx:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx


def markdown(data):
    L = []
    lim = data["limits"]
    m = data["machine"]
    L.append("Measured %s on %s: %d cores (%s), %s, %s; `%s`. Other sessions may "
             "have been using the machine: the load average (1, 5, 15 min) before "
             "and after every run is in runs.csv, from %s to %s over the crawls." % (
                 data["date"], data["host_note"], m["cores"], m["cpu"], m["memory"],
                 m["os"], data["command"], data["load_min"], data["load_max"]))
    src = data["source"]
    L.append("")
    L.append("Binaries from commit %s%s. Peers: %s." % (
        src["commit"], (" plus uncommitted changes of others to %d files under crawler/ "
                        "(the working tree is shared)" % len(src["dirty_crawler_files"]))
        if src["dirty_crawler_files"] else "", ", ".join(
            v for v in data["versions"].values() if v)))
    L.append("")
    for profile in ("loopback", "wan"):
        rows = [s for s in data["summary"] if s["profile"] == profile]
        if not rows:
            continue
        if profile == "loopback":
            gb = lim.get("gumbo_parse_pages_per_s_1core")
            L.append("**Loopback profile**: %s; one host 127.0.0.1, no delay, per-host "
                     "limit %d for every crawler that has one. Machine limits measured in "
                     "the same run: nginx %s requests/s (`wrk -t2 -c32 -d10s`, keep-alive, "
                     "the same URLs); gumbo_parse %s pages/s on one core, so the "
                     "**gumbo-bound limit is %d x %s = %s pages/s**; the project's "
                     "extractor parsing whole pages (no compaction) %s pages/s/core, as "
                     "the crawler runs it (compacted markup) %s pages/s/core." % (
                         lim.get("loopback_site", "").replace("make_site: ", ""),
                         data["loop_per_host"], fmt(lim.get("wrk_requests_per_s")),
                         fmt(gb), m["cores"], fmt(gb),
                         fmt(m["cores"] * gb if gb else None),
                         fmt(lim.get("extractor_full_pages_per_s_1core")),
                         fmt(lim.get("extractor_pages_per_s_1core"))))
        else:
            ideal = lim.get("wan_ideal", {})
            dc = lim.get("wan_delay_check", {})
            L.append("**Wide-area profile**: %s; every response delayed %d ms by nginx's "
                     "echo module (check: %s requests/s through one nginx worker with 50 "
                     "connections, median latency %s; a blocking delay would give %s), "
                     "at most %d requests in flight per host. **Ideal rate** (event "
                     "simulation over the link graph: unlimited global concurrency, %d per "
                     "host, %d ms per response, robots.txt first on each host): %s pages "
                     "in %s s = **%s pages/s**; the busiest host (%s pages) alone needs "
                     "%s s." % (
                         lim.get("wan_site", "").replace("make_site: ", ""),
                         data["wan_delay_ms"], fmt(dc.get("requests_per_s")),
                         dc.get("median_latency", "-"),
                         dc.get("blocking_would_give_requests_per_s", "-"),
                         data["wan_per_host"], data["wan_per_host"], data["wan_delay_ms"],
                         fmt(ideal.get("pages")), fmt(ideal.get("makespan_s"), 3),
                         fmt(ideal.get("ideal_pages_per_s")),
                         fmt(ideal.get("busiest_host_pages")),
                         fmt(ideal.get("busiest_host_bound_s"), 3)))
        L.append("")
        L.append("| crawler | runs ok | wall s | pages/s | min-max | CPU s/1k pages | peak RSS MB | "
                 "fetched twice | disallowed fetched | missed | other requests | robots.txt "
                 "fetches / hosts | max in flight/host | crawler (best) / this |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        best = next((s for s in rows if s["crawler"] == "crawler" and s["settings"] == "best"), None)
        for s in rows:
            ratio = "-"
            if best and s is not best and s["pages_per_s"]:
                ratio = "%.2fx" % (best["pages_per_s"] / s["pages_per_s"])
            inflight = str(s["inflight_max_per_host"])
            if s["inflight_max_per_host_pages"] != s["inflight_max_per_host"]:
                inflight += " (%d without robots.txt)" % s["inflight_max_per_host_pages"]
            L.append("| %s | %d/%d | %s | **%s** | %s-%s | %s | %s | %d | %d | %d | %d | %d / %d | %s | %s |" % (
                s["label"], s["correct_runs"], s["runs"], fmt(s["wall_s"], 2),
                fmt(s["pages_per_s"]), fmt(s["pages_per_s_min"]), fmt(s["pages_per_s_max"]),
                fmt(s["cpu_s_per_1k"], 2), fmt(s["rss_mb"]), s["duplicates"],
                s["disallowed"], s["missed"], s["other"], s["robots_fetches"], s["hosts"],
                inflight, ratio))
        L.append("")
        if profile == "loopback":
            L.append("On loopback nginx answers most requests within the millisecond its "
                     "cached clock ticks, so the in-flight column is only a lower bound "
                     "there; with the wide-area delay it is exact to the millisecond.")
            L.append("")
        L.append("Commands (PORT: the run's free port; WORK: its temporary directory; "
                 "the crawlers' output files are deleted after each run):")
        L.append("")
        for s in rows:
            L.append("- %s: `%s`" % (s["label"], short_command(s["command"])))
        L.append("")
    if data["skipped"]:
        L.append("Peers not run: " + "; ".join("%s (%s)" % kv for kv in data["skipped"]) + ".")
        L.append("")
    if data["acceptance"]:
        L.append("**Acceptance (issue 10), from these numbers:**")
        L.append("")
        for a in data["acceptance"]:
            L.append("- %s: %s (%s)" % (a["what"], "**met**" if a["met"] else "**missed**",
                                         a["detail"]))
        L.append("")
    if data["scaling"]:
        L.append("**Scaling** (loopback site, `--per-host 1000` so that workers x transfers "
                 "is the limit; median of %d runs each):" % data["scaling"][0]["runs"])
        L.append("")
        cs = sorted(set(s["concurrency"] for s in data["scaling"]))
        L.append("| workers | " + " | ".join("%d transfers/worker: pages/s, CPU s/1k" % c for c in cs) + " |")
        L.append("|---|" + "---|" * len(cs))
        for w in sorted(set(s["workers"] for s in data["scaling"])):
            cells = []
            for c in cs:
                s = next((s for s in data["scaling"] if s["workers"] == w and s["concurrency"] == c), None)
                cells.append("%s, %s" % (fmt(s["pages_per_s"]), fmt(s["cpu_s_per_1k"], 2)) if s else "-")
            L.append("| %d | %s |" % (w, " | ".join(cells)))
        L.append("")
    if data["memory"]:
        L.append("**Memory against known URLs** (`--wide 1000` site: 1,000 links per page; "
                 "`crawler crawl --max-pages M`, one run each):")
        L.append("")
        L.append("| --max-pages | known URLs (seen-set) | coordinator peak RSS MB | "
                 "seen-set bytes/URL | all processes MB |")
        L.append("|---|---|---|---|---|")
        for mrow in data["memory"]:
            L.append("| %d | %s | %s | %s | %s |" % (
                mrow["max_pages"], fmt(mrow["known_urls"]), fmt(mrow["coordinator_rss_mb"]),
                fmt(mrow["seen_set_bytes_per_url"]), fmt(mrow["rss_sum_mb"])))
        L.append("")
        if data.get("memory_slope_bytes_per_url"):
            L.append("Coordinator RSS grows by **%.0f bytes per known URL** (least-squares "
                     "slope over the rows): the seen-set's fingerprint (%s bytes/URL at the "
                     "largest point) plus the frontier's queued URL (string, host and depth) "
                     "and allocator overhead." % (
                         data["memory_slope_bytes_per_url"],
                         fmt(data["memory"][-1]["seen_set_bytes_per_url"])))
            L.append("")
    if data["plot_problems"]:
        L.append("Plots not made: " + "; ".join(data["plot_problems"]))
        L.append("")
    else:
        L.append("![pages/s per crawler](results/throughput.png)")
        if data["scaling"]:
            L.append("![scaling with workers](results/scaling.png)")
        if data["memory"]:
            L.append("![memory against known URLs](results/memory.png)")
        L.append("")
    return "\n".join(L)


def acceptance(summary, limits, wan_per_host, cores):
    acc = []
    crawler = [s for s in summary if s["crawler"] == "crawler"]
    if crawler:
        ok = all(s["correct_runs"] == s["runs"] for s in crawler)
        acc.append({"what": "the crawler fetches exactly the reachable allowed pages, once each, "
                            "in every run (nginx's log)", "met": ok,
                    "detail": "%d of %d runs correct" % (
                        sum(s["correct_runs"] for s in crawler), sum(s["runs"] for s in crawler))})
    best = {s["profile"]: s for s in summary if s["crawler"] == "crawler" and s["settings"] == "best"}
    gb = limits.get("gumbo_parse_pages_per_s_1core")
    if "loopback" in best and gb:
        b = best["loopback"]
        limit = cores * gb
        acc.append({"what": "loopback: crawler >= 85 % of the gumbo-bound limit",
                    "met": b["pages_per_s"] >= 0.85 * limit,
                    "detail": "%s of %s pages/s = %.0f %%" % (
                        fmt(b["pages_per_s"]), fmt(limit), 100 * b["pages_per_s"] / limit)})
        peers = [s for s in summary if s["profile"] == "loopback" and s["crawler"] in PEERS]
        if peers:
            fastest = max(peers, key=lambda s: s["pages_per_s"] or 0)
            acc.append({"what": "loopback: crawler ahead of every peer",
                        "met": all(b["pages_per_s"] > (p["pages_per_s"] or 0) for p in peers),
                        "detail": "%.1fx the fastest peer (%s)" % (
                            b["pages_per_s"] / fastest["pages_per_s"], fastest["label"])})
    if "wan" in best:
        b = best["wan"]
        wan_crawler = [s for s in summary if s["profile"] == "wan" and s["crawler"] == "crawler"]
        worst = max(s["inflight_max_per_host"] for s in wan_crawler)
        acc.append({"what": "wide-area: never more than %d requests in flight per host "
                            "(nginx's log)" % wan_per_host,
                    "met": worst <= wan_per_host,
                    "detail": "at most %d in every crawler run" % worst})
        peers = [s for s in summary if s["profile"] == "wan" and s["crawler"] in PEERS]
        if peers:
            fastest = max(peers, key=lambda s: s["pages_per_s"] or 0)
            acc.append({"what": "wide-area: crawler >= 3x the fastest peer at the same per-host limit",
                        "met": b["pages_per_s"] >= 3 * fastest["pages_per_s"],
                        "detail": "%.2fx %s" % (b["pages_per_s"] / fastest["pages_per_s"],
                                                fastest["label"])})
        ideal = limits.get("wan_ideal", {}).get("ideal_pages_per_s")
        if ideal:
            acc.append({"what": "wide-area: crawler >= 70 % of the ideal rate",
                        "met": b["pages_per_s"] >= 0.7 * ideal,
                        "detail": "%s of %s pages/s = %.0f %%" % (
                            fmt(b["pages_per_s"]), fmt(ideal), 100 * b["pages_per_s"] / ideal)})
    return acc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", required=True)
    ap.add_argument("--limits", required=True)
    ap.add_argument("--skipped", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--readme")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--wan-per-host", type=int, default=2)
    ap.add_argument("--wan-delay-ms", type=int, default=40)
    ap.add_argument("--wan-hosts", type=int, default=50)
    ap.add_argument("--loop-per-host", type=int, default=32)
    args = ap.parse_args()

    rows = [json.loads(l) for l in open(args.runs) if l.strip()]
    limits = json.load(open(args.limits))
    skipped = [tuple(l.rstrip("\n").split("\t", 1)) for l in open(args.skipped) if l.strip()]

    if args.smoke:
        bad = 0
        for r in rows:
            ok = r["correct"] and r["exit"] == 0
            bad += not ok
            print("smoke: %s %s %s: exit %d, %d/%d reachable pages, %d missed, %d fetched "
                  "more than once, %d disallowed, %d other, %d robots.txt, max %d in flight "
                  "per host: %s%s" % (
                      r["profile"], r["crawler"], r["settings"], r["exit"], r["pages"],
                      r["reachable"], r["missed"], r["duplicates"], r["disallowed"],
                      r["other"], r["robots_fetches"], r["inflight_max_per_host"],
                      "ok" if ok else "WRONG", "" if ok else ": " + "; ".join(r["problems"])))
        if not rows:
            print("smoke: no runs")
            return 1
        print("smoke: %s" % ("ok" if not bad else "%d run(s) wrong" % bad))
        return 1 if bad else 0

    os.makedirs(args.results, exist_ok=True)
    crawl = [r for r in rows if r["kind"] == "crawl"]
    summary = summarize(crawl)
    add_ratios(summary)
    scaling = []
    for s in summarize([r for r in rows if r["kind"] == "scaling"]):
        w, c = s["settings"].split("-")
        s["workers"], s["concurrency"] = int(w[1:]), int(c[1:])
        scaling.append(s)
    memory = []
    for r in rows:
        if r["kind"] != "memory":
            continue
        m = SEEN_RE.search(r.get("summary", ""))
        memory.append({
            "max_pages": int(r["settings"].rsplit("-", 1)[1]),
            "known_urls": int(m.group(1)) if m else None,
            "seen_set_bytes_per_url": float(m.group(2)) if m else None,
            "coordinator_rss_mb": r["rss_main_mb"], "rss_sum_mb": r["rss_sum_mb"],
            "wall_s": r["wall_s"], "command": r["command"],
        })
    memory.sort(key=lambda m: m["max_pages"])
    pts = [(m["known_urls"], m["coordinator_rss_mb"] * 1024 * 1024) for m in memory
           if m["known_urls"]]
    slope = fit_slope(pts)
    loads = [float(x.split()[0]) for r in rows for x in (r["loadavg_before"], r["loadavg_after"])]
    cores = limits.get("cores") or os.cpu_count()
    data = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "host_note": "the project's test machine",
        "machine": machine(), "versions": versions(), "command": args.command,
        "source": source_state(),
        "limits": limits, "skipped": skipped, "summary": summary,
        "scaling": scaling, "memory": memory, "memory_slope_bytes_per_url": slope,
        "loop_per_host": args.loop_per_host, "wan_per_host": args.wan_per_host,
        "wan_delay_ms": args.wan_delay_ms, "wan_hosts": args.wan_hosts,
        "load_min": min(loads) if loads else None, "load_max": max(loads) if loads else None,
        "acceptance": acceptance(summary, limits, args.wan_per_host, cores),
        "runs": rows,
    }
    data["plot_problems"] = plots(args.results, summary, scaling, memory, limits)

    cols = ["kind", "profile", "crawler", "settings", "rep", "exit", "wall_s", "pages",
            "reachable", "pages_per_s", "user_s", "sys_s", "cpu_s_per_1k", "rss_sum_mb",
            "rss_main_mb", "rss_other_max_mb", "processes", "requests", "missed",
            "duplicates", "disallowed", "other", "non_200", "robots_fetches",
            "inflight_max_per_host", "correct", "loadavg_before", "loadavg_after", "command"]
    with open(os.path.join(args.results, "runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    scols = ["profile", "crawler", "settings", "runs", "correct_runs", "wall_s", "pages",
             "pages_per_s", "pages_per_s_min", "pages_per_s_max", "cpu_s_per_1k", "rss_mb",
             "duplicates", "disallowed", "missed", "other", "inflight_max_per_host"]
    with open(os.path.join(args.results, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(scols + ["ratio_to_" + p for p in PEERS] + ["command"])
        for s in summary:
            w.writerow([s[c] for c in scols] + [s["ratios"].get(p, "") for p in PEERS] +
                       [s["command"]])
    if scaling:
        with open(os.path.join(args.results, "scaling.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["workers", "concurrency", "runs", "pages_per_s", "cpu_s_per_1k",
                        "rss_mb", "correct_runs"])
            for s in sorted(scaling, key=lambda s: (s["workers"], s["concurrency"])):
                w.writerow([s["workers"], s["concurrency"], s["runs"], s["pages_per_s"],
                            s["cpu_s_per_1k"], s["rss_mb"], s["correct_runs"]])
    if memory:
        with open(os.path.join(args.results, "memory.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["max_pages", "known_urls", "coordinator_rss_mb",
                        "seen_set_bytes_per_url", "rss_sum_mb", "wall_s"])
            for m in memory:
                w.writerow([m["max_pages"], m["known_urls"], m["coordinator_rss_mb"],
                            m["seen_set_bytes_per_url"], m["rss_sum_mb"], m["wall_s"]])
    with open(os.path.join(args.results, "results.json"), "w") as f:
        json.dump(data, f, indent=1)
    md = markdown(data)
    with open(os.path.join(args.results, "summary.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    if args.readme:
        text = open(args.readme).read()
        begin = "<!-- BEGIN run.sh results: written by bench/run.sh; do not edit -->"
        end = "<!-- END run.sh results -->"
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            tail = rest.split(end, 1)[1]
            with open(args.readme, "w") as f:
                f.write(head + begin + "\n" + md + "\n" + end + tail)
            print("report: table written into %s" % args.readme, file=sys.stderr)
        else:
            print("report: no results markers in %s; table not written" % args.readme,
                  file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
