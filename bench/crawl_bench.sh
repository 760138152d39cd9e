#!/usr/bin/env bash
# crawl_bench.sh: `crawler crawl` over a generated 20,000-page site served by
# nginx on loopback, robots.txt on, beside the parse-only rate of the same
# pages measured in the same run:
#   (b) parse_bench: single-thread parse rate, raw gumbo and the project's
#       extractor (crawler::html::ExtractHtml);
#   (c) crawler crawl http://127.0.0.1:PORT/ --allow-private --delay 0
#       --per-host 32 -o OUT, timed with /usr/bin/time -v (wall, user+sys of
#       the coordinator and its waited-for workers) while /proc is sampled
#       for the peak RSS of every process of the tree; then checked against
#       nginx's access log: every reachable allowed page (a BFS over the
#       generator, make_site.py --reachable) requested exactly once,
#       robots.txt once, nothing disallowed, nothing else; and the records
#       hold the same set, once each.
# The figure of merit is the issue's: (c) pages/s / (cores x (b) raw
# gumbo_parse pages/s), target >= 85 %. Beside it, the ratio to cores x the
# extractor with compaction off (gumbo parses whole pages, as before
# CompactMarkup) and to cores x the extractor as the crawler runs it.
#
# Usage: bench/crawl_bench.sh [--pages N] [--perf] [-- EXTRA CRAWL FLAGS...]
#   --perf records `perf record -g` of the crawl into $PERF_OUT
#   (default /tmp/crawl_bench.perf.data) and prints the top of the report.
#   Environment: SITE_CACHE (default /tmp/crawler-bench-site) caches the site;
#   CRAWLER_BIN runs that binary instead of building //crawler/cli:crawler.
# Every server started here is stopped on exit, failure or interrupt.
set -euo pipefail

PAGES=20000
PERF=0
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pages) PAGES="$2"; shift 2 ;;
    --perf) PERF=1; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "usage: $0 [--pages N] [--perf] [-- EXTRA CRAWL FLAGS...]" >&2
       exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib/nginx.sh
source "$ROOT/bench/lib/nginx.sh"
# shellcheck source=bench/lib/crawl_site.sh
source "$ROOT/bench/lib/crawl_site.sh"
CORES="$(nproc)"
PERF_OUT="${PERF_OUT:-/tmp/crawl_bench.perf.data}"

TMP="$(mktemp -d /tmp/crawl_bench.XXXXXX)"
chmod 755 "$TMP"  # nginx's worker may run as another user.
NGINX_PID=""
SAMPLER_PID=""
stop_pid() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_pid "$SAMPLER_PID"
  stop_pid "$NGINX_PID"
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "crawl_bench: $*" >&2; }
py() { python3 -c "$@"; }

# --- The site (cached) ---------------------------------------------------------
bench_crawl_site "$ROOT" "$PAGES" log
NREACH="$(wc -l <"$SITE/reachable.txt")"

# --- Binaries ------------------------------------------------------------------
log "building //bench:parse_bench"
bazel build //bench:parse_bench 2>"$TMP/bazel_bench.log" ||
  { cat "$TMP/bazel_bench.log" >&2; exit 1; }
PARSE_BENCH="$ROOT/bazel-bin/bench/parse_bench"
CRAWLER="${CRAWLER_BIN:-$ROOT/bazel-bin/crawler/cli/crawler}"
if [[ -z "${CRAWLER_BIN:-}" ]]; then
  log "building //crawler/cli:crawler"
  bazel build //crawler/cli:crawler 2>"$TMP/bazel_crawler.log" ||
    { cat "$TMP/bazel_crawler.log" >&2; exit 1; }
fi

# --- nginx on 127.0.0.1:<free port>, with an access log ------------------------
free_port() {
  py 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
start_nginx() {
  PORT="$(free_port)"
  bench_nginx_conf "$TMP" "$SITE" "    listen 127.0.0.1:$PORT;"
  # Probe a path that is not logged, so the access log holds the crawl only.
  bench_nginx_start "$TMP" "http://127.0.0.1:$PORT/__probe"
}
started=0
for attempt in 1 2 3; do  # The free port can be taken between probe and bind.
  if start_nginx; then started=1; break; fi
  log "nginx did not start on port $PORT (attempt $attempt)"
done
[[ "$started" == 1 ]] || { log "giving up on nginx"; exit 1; }
BASE="http://127.0.0.1:$PORT"
log "nginx pid $NGINX_PID serving $SITE on $BASE"
echo "machine: $CORES cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "site: $PAGES pages, $(du -sh --apparent-size "$SITE" | cut -f1)," \
  "$(py "import os,sys; d=sys.argv[1]; ps=[l.strip() for l in open(d+'/paths.txt')]; print('%.0f bytes/page' % (sum(os.path.getsize(d+p) for p in ps)/len(ps)))" "$SITE")," \
  "robots.txt disallows /$DISALLOW/; $NREACH URLs reachable and allowed (/ included)"

# --- (b) parse-only -------------------------------------------------------------
echo
echo "== (b) $PARSE_BENCH $SITE --min_seconds=3 --rounds=2"
"$PARSE_BENCH" "$SITE" --min_seconds=3 --rounds=2 | tee "$TMP/parse.txt"
PARSE_RPS="$(awk '$1 == "best_parse" {print $4}' "$TMP/parse.txt")"
EXTRACT_RPS="$(awk '$1 == "best_extract" {print $4}' "$TMP/parse.txt")"
FULL_RPS="$(awk '$1 == "best_full" {print $4}' "$TMP/parse.txt")"
CEILING="$(py "print('%.1f' % ($CORES * $EXTRACT_RPS))")"
FULL_CEILING="$(py "print('%.1f' % ($CORES * $FULL_RPS))")"
RAW_CEILING="$(py "print('%.1f' % ($CORES * $PARSE_RPS))")"

# --- (c) crawler crawl ------------------------------------------------------------
# Samples /proc every 20 ms: peak RSS (VmHWM) of every process under $1.
cat >"$TMP/sampler.py" <<'EOF'
import os, sys, time
root, out = int(sys.argv[1]), sys.argv[2]
hwm, role, total_max = {}, {}, 0
def kids(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out
def status(pid):
    d = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS"):
                    d[k] = int(v.split()[0])
    except OSError:
        pass
    return d
def dump():
    coord = [hwm[p] for p in hwm if role[p] == "coordinator"]
    workers = [hwm[p] for p in hwm if role[p] == "worker"]
    with open(out, "w") as f:
        f.write("coordinator_kb %d\nworker_max_kb %d\nworkers %d\n"
                "sum_kb %d\nconcurrent_max_kb %d\n" % (
                    max(coord or [0]), max(workers or [0]), len(workers),
                    sum(coord) + sum(workers), total_max))
while os.path.exists("/proc/%d" % root):
    total = 0
    for c in kids(root):  # /usr/bin/time's child: the coordinator.
        for pid, r in [(c, "coordinator")] + [(w, "worker") for w in kids(c)]:
            s = status(pid)
            if "VmHWM" in s:
                hwm[pid] = max(hwm.get(pid, 0), s["VmHWM"])
                role[pid] = r
                total += s.get("VmRSS", 0)
    total_max = max(total_max, total)
    dump()
    time.sleep(0.02)
dump()
EOF
OUT="$TMP/crawl.jsonl"
CMD=("$CRAWLER" crawl "$BASE/" --allow-private --delay 0 --per-host 32 -o "$OUT"
     "${EXTRA[@]}")
echo
echo "== (c) ${CMD[*]}"
: >"$TMP/access.log"
WRAP=(/usr/bin/time -v -o "$TMP/time.txt")
if [[ "$PERF" == 1 ]]; then
  WRAP=(/usr/bin/time -v -o "$TMP/time.txt" perf record -q -g -o "$PERF_OUT" --)
fi
rc=0
"${WRAP[@]}" "${CMD[@]}" 2>"$TMP/crawl.err" &
TIME_PID=$!
python3 "$TMP/sampler.py" "$TIME_PID" "$TMP/rss.txt" &
SAMPLER_PID=$!
wait "$TIME_PID" || rc=$?
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
tail -2 "$TMP/crawl.err"
[[ "$rc" == 0 ]] || { log "crawl failed: exit $rc"; cat "$TMP/time.txt" >&2; exit 1; }
kill -USR1 "$NGINX_PID"  # Reopen logs: flushes the access log buffer.
sleep 0.5

WALL="$(py "import sys
for l in open(sys.argv[1]):
    if 'Elapsed (wall clock)' in l:
        v = l.rsplit(' ', 1)[1].strip().split(':')
        s = 0.0
        for x in v: s = s * 60 + float(x)
        print('%.3f' % s)" "$TMP/time.txt")"
USER_S="$(awk -F': ' '/User time/ {print $2}' "$TMP/time.txt")"
SYS_S="$(awk -F': ' '/System time/ {print $2}' "$TMP/time.txt")"
TIME_MAXRSS="$(awk -F': ' '/Maximum resident/ {print $2}' "$TMP/time.txt")"
# shellcheck disable=SC1090
eval "$(awk '{print $1 "=" $2}' "$TMP/rss.txt")"

CHECK="$(python3 - "$SITE/reachable.txt" "$TMP/access.log" "$OUT" "$BASE" "$DISALLOW" <<'EOF'
import collections, json, sys
reach_file, access, out, base, disallow = sys.argv[1:]
want = set(l.strip() for l in open(reach_file) if l.strip())
hits = collections.Counter()
bad_status = collections.Counter()
for line in open(access):
    # bench/lib/nginx.sh's format: $msec $request_time $host $request_uri
    # $status $body_bytes_sent.
    path, status = line.split()[3:5]
    hits[path] += 1
    if status != "200":
        bad_status[status] += 1
problems = []
if hits["/robots.txt"] != 1:
    problems.append("robots.txt requested %d times" % hits["/robots.txt"])
got = set(hits) - {"/robots.txt"}
missing = sorted(want - got)
extra = sorted(got - want)
dups = sorted(p for p in got if hits[p] > 1)
disallowed = sorted(p for p in got if p.startswith("/%s/" % disallow))
if missing: problems.append("%d reachable pages not fetched (e.g. %s)" % (len(missing), missing[0]))
if extra: problems.append("%d unexpected requests (e.g. %s)" % (len(extra), extra[0]))
if dups: problems.append("%d pages fetched more than once (e.g. %s)" % (len(dups), dups[0]))
if disallowed: problems.append("%d disallowed pages fetched" % len(disallowed))
if bad_status: problems.append("non-200: %s" % dict(bad_status))
records = collections.Counter()
blocked = collections.Counter()
for line in open(out):
    r = json.loads(line)
    # URLs robots.txt disallows end in a blocked_by_robots record (no fetch).
    error_class = (r.get("error") or "").split(":")[0]
    (blocked if error_class == "blocked_by_robots" else records)[r["url"]] += 1
rec_paths = set(u[len(base):] for u in records)
if rec_paths != want:
    problems.append("fetched records differ from the reachable set (%d vs %d)" % (len(rec_paths), len(want)))
if any(c > 1 for c in records.values()) or any(c > 1 for c in blocked.values()):
    problems.append("duplicate records")
bad_blocked = [u for u in blocked if not u[len(base):].startswith("/%s/" % disallow)]
if bad_blocked:
    problems.append("%d blocked_by_robots records outside /%s/" % (len(bad_blocked), disallow))
with open(out + ".fetched", "w") as f:
    f.write("%d\n" % sum(records.values()))
print(("ok: %d pages fetched once each (nginx log and records), robots.txt once, "
       "0 under /%s/ (%d blocked_by_robots records)" % (len(want), disallow, len(blocked))) if not problems
      else "FAILED: " + "; ".join(problems))
EOF
)"
NREC="$(cat "$OUT.fetched" 2>/dev/null || wc -l <"$OUT")"
PPS="$(py "print('%.1f' % ($NREC / $WALL))")"
CPU_PER_K="$(py "print('%.2f' % (($USER_S + $SYS_S) / $NREC * 1000))")"
RATIO="$(py "print('%.0f%%' % (100 * $PPS / $CEILING))")"
FULL="$(py "print('%.0f%%' % (100 * $PPS / $FULL_CEILING))")"
RAW="$(py "print('%.0f%%' % (100 * $PPS / $RAW_CEILING))")"
mb() { py "print('%.0f' % ($1 / 1024))"; }
echo "$NREC pages in $WALL s = $PPS pages/s; ${RAW} of $CORES x gumbo_parse rate" \
  "(the target), ${FULL} of $CORES x the full-parse extractor, ${RATIO} of" \
  "$CORES x the extractor"
echo "CPU: user $USER_S s + sys $SYS_S s = $CPU_PER_K CPU s per 1,000 pages"
echo "peak RSS: coordinator $(mb "$coordinator_kb") MB, largest of $workers workers" \
  "$(mb "$worker_max_kb") MB, sum of peaks $(mb "$sum_kb") MB, largest" \
  "simultaneous total $(mb "$concurrent_max_kb") MB (/usr/bin/time max: $(mb "$TIME_MAXRSS") MB)"
echo "check: $CHECK"

if [[ "$PERF" == 1 ]]; then
  echo
  echo "== perf report --no-children (top 25), $PERF_OUT"
  { perf report -i "$PERF_OUT" --no-children --sort comm --stdio -g none \
      2>/dev/null | grep '%' | grep -v '^#' | head -5
    perf report -i "$PERF_OUT" --no-children --sort comm,dso --stdio -g none \
      2>/dev/null | grep '%' | grep -v '^#' | head -12
    perf report -i "$PERF_OUT" --no-children --sort comm,dso,symbol --stdio \
      -g none 2>/dev/null | grep '%' | grep -v '^#' | cut -c1-110 |
      head -25; } || true
fi

# --- Summary ------------------------------------------------------------------------
echo
echo "== summary: $CORES cores; gumbo-bound rate = $CORES x gumbo_parse = $RAW_CEILING" \
  "pages/s (target: crawl >= 85 % of it); $CORES x full-parse extractor =" \
  "$FULL_CEILING pages/s; $CORES x extractor (compacted markup) = $CEILING pages/s"
row() { printf '%-30s %9s %10s %9s %8s %8s %8s %9s  %s\n' "$@"; }
row "measurement" "seconds" "pages/s" "vs gumbo" "vs full" "vs extr" "CPU/1k" "RSS MB" "check / note"
row "(b) gumbo_parse, 1 thread" "-" "$PARSE_RPS" "-" "-" "-" "-" "-" "best of 2 rounds"
row "(b) extract_full, 1 thread" "-" "$FULL_RPS" "-" "-" "-" "-" "-" "best of 2 rounds"
row "(b) extractor, 1 thread" "-" "$EXTRACT_RPS" "-" "-" "-" "-" "-" "best of 2 rounds"
row "(c) crawl --per-host 32" "$WALL" "$PPS" "$RAW" "$FULL" "$RATIO" "$CPU_PER_K" \
  "$(mb "$sum_kb")" "$CHECK"
[[ "$CHECK" == ok* ]]
