#!/usr/bin/env bash
# flag_cost.sh: what some crawl flags cost `crawler crawl` in pages/s
# (--state: issue 6's "under 10 %", via state_cost.sh; --warc: issue 7's
# "under 15 %"), measured the way this shared two-core machine allows: the
# crawl of crawl_bench.sh's 20,000-page site (nginx on loopback, access log
# off, robots.txt on) run without and with the flags, back to back, ROUNDS
# times, the order of the two swapped every round. Each round's two runs
# are seconds apart, so the machine's drift (which moves crawl_bench.sh's
# 90-second runs by 10 % and more) cancels out of the per-round ratio.
# {DIR} in the flags is a scratch directory, emptied before every run (a
# state written from scratch: the most a run writes; WARC files).
#
# Prints one line per run and, at the end, the mean, median, min and max
# of the per-round change in pages/s and of the CPU time (user + sys of
# the whole process tree, /usr/bin/time).
#
# Usage: bench/flag_cost.sh [--rounds N] [--pages N] [--label L] [--gzip]
#        -- FLAGS...
#   (defaults: 10 rounds, 20000 pages, label "with"). CRAWLER_BIN runs that
#   binary instead of building //crawler/cli:crawler with -c opt. --gzip
#   serves the pages gzip-compressed, as most sites answer a crawler that
#   sends Accept-Encoding (the crawler does): a .gz beside each page (gzip
#   -6, made once and cached with the site) and nginx's gzip_static.
#   Example: bench/flag_cost.sh -- --warc {DIR}/crawl
# Every server started here is stopped on exit, failure or interrupt.
set -euo pipefail

ROUNDS=10
PAGES=20000
LABEL=with
GZIP=0
FLAGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --pages) PAGES="$2"; shift 2 ;;
    --label) LABEL="$2"; shift 2 ;;
    --gzip) GZIP=1; shift ;;
    --) shift; FLAGS=("$@"); break ;;
    *) echo "usage: $0 [--rounds N] [--pages N] [--label L] [--gzip] -- FLAGS..." >&2
       exit 2 ;;
  esac
done
[[ ${#FLAGS[@]} -gt 0 ]] ||
  { echo "usage: $0 [--rounds N] [--pages N] [--label L] [--gzip] -- FLAGS..." >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib/nginx.sh
source "$ROOT/bench/lib/nginx.sh"
# shellcheck source=bench/lib/crawl_site.sh
source "$ROOT/bench/lib/crawl_site.sh"

TMP="$(mktemp -d /tmp/flag_cost.XXXXXX)"
chmod 755 "$TMP"  # nginx's worker may run as another user.
NGINX_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log() { echo "flag_cost: $*" >&2; }

# The same site as crawl_bench.sh (cached there too).
bench_crawl_site "$ROOT" "$PAGES" log
LOCATIONS=""
if (( GZIP )); then
  if [[ ! -f "$SITE/STAMP_GZIP" ]]; then
    log "compressing the pages of $SITE (gzip -6, once)"
    find "$SITE" -name '*.html' -print0 | xargs -0 -n 500 gzip -6 -k -f
    touch "$SITE/STAMP_GZIP"
  fi
  LOCATIONS="    location / { gzip_static on; }"
fi

CRAWLER="${CRAWLER_BIN:-}"
if [[ -z "$CRAWLER" ]]; then
  log "building //crawler/cli:crawler (-c opt)"
  bazel build -c opt //crawler/cli:crawler 2>"$TMP/bazel.log" ||
    { cat "$TMP/bazel.log" >&2; exit 1; }
  cp "$(bazel info -c opt bazel-bin 2>/dev/null)/crawler/cli/crawler" \
    "$TMP/crawler"
  CRAWLER="$TMP/crawler"
fi

PORT="$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
bench_nginx_conf "$TMP" "$SITE" "    listen 127.0.0.1:$PORT;" "$LOCATIONS" "" off
bench_nginx_start "$TMP" "http://127.0.0.1:$PORT/__probe"
WITH=("${FLAGS[@]//\{DIR\}/$TMP/scratch}")
echo "machine: $(nproc) cores; site: $SITE$( ((GZIP)) && echo ' (gzip)'); crawler: $CRAWLER; $LABEL: ${WITH[*]}"

# run LABEL ROUND [FLAGS...]: one crawl; appends "ROUND LABEL PAGES SECONDS
# CPU" to $TMP/runs.
run() {
  local label="$1" round="$2"
  shift 2
  rm -rf "$TMP/scratch" "$TMP/out.jsonl"
  mkdir "$TMP/scratch"
  local load
  load="$(cut -d' ' -f1 /proc/loadavg)"
  /usr/bin/time -f "%e %U %S" -o "$TMP/time" "$CRAWLER" crawl \
    "http://127.0.0.1:$PORT/" --allow-private --delay 0 --per-host 32 \
    -o "$TMP/out.jsonl" "$@" 2>"$TMP/err" >/dev/null ||
    { log "crawl failed:"; tail -5 "$TMP/err" >&2; exit 1; }
  local wall user sys pages
  read -r wall user sys <"$TMP/time"
  pages="$(grep -o 'crawl stopped (done): [0-9]* pages' "$TMP/err" |
    grep -o '[0-9]* pages' | cut -d' ' -f1)"
  [[ -n "$pages" ]] || { log "no summary line:"; tail -3 "$TMP/err" >&2; exit 1; }
  echo "$round $label $pages $wall $(python3 -c "print($user + $sys)")" \
    >>"$TMP/runs"
  python3 -c "print('round %2d  %-8s load %5s  %6d pages  %5.2f s  %7.1f pages/s  CPU %.2f s' % ($round, '${label:0:8}', '$load', $pages, $wall, $pages / $wall, $user + $sys))"
}

# One crawl first, not counted: the first of a series was measured 10-20 %
# slower than the rest (page cache, CPU frequency).
run warmup 0 >/dev/null
: >"$TMP/runs"

for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then
    run without "$round"
    run "$LABEL" "$round" "${WITH[@]}"
  else
    run "$LABEL" "$round" "${WITH[@]}"
    run without "$round"
  fi
done

python3 - "$TMP/runs" "$LABEL" <<'PY'
import collections, statistics, sys
label = sys.argv[2]
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, name, pages, wall, cpu = line.split()
    runs[int(r)][name] = (int(pages) / float(wall), float(cpu))
change = [100 * (v[label][0] / v["without"][0] - 1) for v in runs.values()]
cpu = [v[label][1] - v["without"][1] for v in runs.values()]
without = [v["without"][0] for v in runs.values()]
print()
print("without: mean %.1f pages/s over %d runs" %
      (statistics.mean(without), len(without)))
print("%s, per round: pages/s %+.1f %% mean, %+.1f %% median, "
      "%+.1f %% .. %+.1f %%; CPU %+.2f s mean" %
      (label, statistics.mean(change), statistics.median(change), min(change),
       max(change), statistics.mean(cpu)))
PY
