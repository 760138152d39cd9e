#!/usr/bin/env bash
# fetch_bench.sh: end-to-end fetch rate of `crawler fetch` against a local
# nginx serving a generated static site, beside two baselines measured in the
# same run:
#   (a) wrk cycling through the same URLs (what nginx + loopback can serve);
#   (b) parse_bench: single-thread parse rate of the same pages, raw gumbo
#       and the project's extractor (crawler::html::ExtractHtml);
#   (c) crawler fetch over all URLs (default settings and a few variants),
#       checked: every URL exactly once in the output, all with status 200.
# The figure of merit is (c) pages/s / (cores x (b) raw gumbo_parse pages/s),
# target >= 85 % (the foundation issue's definition). Beside it, the ratios to
# cores x the extractor with markup compaction off (whole pages through
# gumbo) and to cores x the extractor as the crawler runs it.
#
# Usage: bench/fetch_bench.sh [--pages N] [--wrk-seconds S] [--skip-fetch]
#   Environment: SITE_CACHE (default /tmp/crawler-bench-site) caches the site;
#   CRAWLER_BIN runs that binary instead of building //crawler/cli:crawler.
# Every server started here is stopped on exit, failure or interrupt.
set -euo pipefail

PAGES=10000
WRK_SECONDS=10
SKIP_FETCH=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pages) PAGES="$2"; shift 2 ;;
    --wrk-seconds) WRK_SECONDS="$2"; shift 2 ;;
    --skip-fetch) SKIP_FETCH=1; shift ;;
    *) echo "usage: $0 [--pages N] [--wrk-seconds S] [--skip-fetch]" >&2
       exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib/nginx.sh
source "$ROOT/bench/lib/nginx.sh"
CORES="$(nproc)"
SEED=1
SITE_VERSION="$(sed -n 's/^VERSION = \([0-9]*\).*/\1/p' bench/site/make_site.py)"
SITE="${SITE_CACHE:-/tmp/crawler-bench-site}/v${SITE_VERSION}-p${PAGES}-s${SEED}"

TMP="$(mktemp -d /tmp/fetch_bench.XXXXXX)"
chmod 755 "$TMP"  # nginx's worker may run as another user.
NGINX_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$NGINX_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "fetch_bench: $*" >&2; }
rate() { python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$@"; }

# --- The site (cached: generating 10,000 pages takes a few seconds) ----------
if [[ ! -f "$SITE/STAMP" ]]; then
  log "generating $PAGES pages into $SITE"
  rm -rf "$SITE.tmp.$$"
  python3 bench/site/make_site.py --out "$SITE.tmp.$$" --pages "$PAGES" \
    --seed "$SEED"
  rm -rf "$SITE"
  mv "$SITE.tmp.$$" "$SITE"
else
  log "reusing the site in $SITE"
fi

# --- Binaries ----------------------------------------------------------------
log "building //bench:parse_bench"
bazel build //bench:parse_bench 2>"$TMP/bazel_bench.log" ||
  { cat "$TMP/bazel_bench.log" >&2; exit 1; }
PARSE_BENCH="$ROOT/bazel-bin/bench/parse_bench"
CRAWLER="${CRAWLER_BIN:-$ROOT/bazel-bin/crawler/cli/crawler}"
FETCH_SKIP_REASON=""
if [[ "$SKIP_FETCH" == 1 ]]; then
  FETCH_SKIP_REASON="--skip-fetch given"
elif [[ -z "${CRAWLER_BIN:-}" ]]; then
  log "building //crawler/cli:crawler"
  if ! bazel build //crawler/cli:crawler >"$TMP/bazel_crawler.log" 2>&1; then
    tail -5 "$TMP/bazel_crawler.log" | sed 's/^/  bazel: /' >&2
    FETCH_SKIP_REASON="'bazel build //crawler/cli:crawler' failed (not written yet?)"
  fi
fi

# --- nginx on 127.0.0.1:<free port> -----------------------------------------
free_port() {
  python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
start_nginx() {
  PORT="$(free_port)"
  # No access log: wrk's baseline measures the server alone.
  bench_nginx_conf "$TMP" "$SITE" "    listen 127.0.0.1:$PORT;" "" "" off
  bench_nginx_start "$TMP" "http://127.0.0.1:$PORT/index.html"
}
started=0
for attempt in 1 2 3; do  # The free port can be taken between probe and bind.
  if start_nginx; then started=1; break; fi
  log "nginx did not start on port $PORT (attempt $attempt)"
done
[[ "$started" == 1 ]] || { log "giving up on nginx"; exit 1; }
BASE="http://127.0.0.1:$PORT"
URLS="$TMP/urls.txt"
python3 bench/site/make_site.py --out "$SITE" --urls-only --base-url "$BASE" \
  --urls "$URLS"
NURLS="$(wc -l <"$URLS")"
log "nginx pid $NGINX_PID serving $SITE on $BASE ($NURLS URLs)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "site: $NURLS pages, $(du -sh --apparent-size "$SITE" | cut -f1) in $SITE"

# --- (a) wrk ------------------------------------------------------------------
cat >"$TMP/cycle.lua" <<'EOF'
-- Cycles through the paths listed in the file given after "--".
local started = 0
function setup(thread)
  thread:set("offset", started * 4999)
  started = started + 1
end
local paths, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  i = (offset or 0) % #paths
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
EOF
echo
echo "== (a) wrk -t2 -c32 -d${WRK_SECONDS}s, cycling through the $NURLS paths"
wrk -t2 -c32 -d"${WRK_SECONDS}s" -s "$TMP/cycle.lua" "$BASE/" -- \
  "$SITE/paths.txt" | tee "$TMP/wrk.txt"
WRK_RPS="$(awk '/^Requests\/sec:/ {print $2}' "$TMP/wrk.txt")"
if grep -q 'Non-2xx' "$TMP/wrk.txt"; then
  log "WARNING: wrk saw non-2xx responses"
fi

# --- (b) parse-only -----------------------------------------------------------
echo
echo "== (b) $PARSE_BENCH $SITE --min_seconds=3 --rounds=2"
"$PARSE_BENCH" "$SITE" --min_seconds=3 --rounds=2 | tee "$TMP/parse.txt"
PARSE_RPS="$(awk '$1 == "best_parse" {print $4}' "$TMP/parse.txt")"
EXTRACT_RPS="$(awk '$1 == "best_extract" {print $4}' "$TMP/parse.txt")"
FULL_RPS="$(awk '$1 == "best_full" {print $4}' "$TMP/parse.txt")"
CEILING="$(python3 -c "print('%.1f' % ($CORES * $EXTRACT_RPS))")"
FULL_CEILING="$(python3 -c "print('%.1f' % ($CORES * $FULL_RPS))")"
RAW_CEILING="$(python3 -c "print('%.1f' % ($CORES * $PARSE_RPS))")"

# --- (c) crawler fetch --------------------------------------------------------
declare -a FETCH_ROWS=()
check_output() {  # check_output OUT.jsonl -> prints "ok" or what is wrong.
  python3 - "$URLS" "$1" <<'EOF'
import collections, json, sys
want = [l.strip() for l in open(sys.argv[1]) if l.strip()]
seen = collections.Counter()
bad_status = collections.Counter()
lines = bad_json = 0
for line in open(sys.argv[2]):
    if not line.strip():
        continue
    lines += 1
    try:
        rec = json.loads(line)
    except ValueError:
        bad_json += 1
        continue
    url = rec.get("url")
    status = rec.get("status", rec.get("status_code"))
    seen[url] += 1
    if status != 200:
        bad_status[status] += 1
problems = []
missing = [u for u in want if seen[u] == 0]
dups = [u for u in want if seen[u] > 1]
extra = [u for u in seen if u not in set(want)]
if bad_json: problems.append("%d lines not JSON" % bad_json)
if missing: problems.append("%d URLs missing (e.g. %s)" % (len(missing), missing[0]))
if dups: problems.append("%d URLs more than once (e.g. %s)" % (len(dups), dups[0]))
if extra: problems.append("%d unexpected urls (e.g. %r)" % (len(extra), extra[0]))
if bad_status: problems.append("non-200 statuses: %s" % dict(bad_status))
print("ok: %d lines, %d URLs once each, all 200" % (lines, len(want))
      if not problems else "FAILED: " + "; ".join(problems))
EOF
}
run_fetch() {  # run_fetch LABEL [extra flags...]
  local label="$1"; shift
  local out="$TMP/out_${label}.jsonl"
  local cmd=("$CRAWLER" fetch --input "$URLS" --allow-private -o "$out" "$@")
  echo
  echo "== (c) ${cmd[*]}"
  local t0 t1 rc=0
  t0="$(date +%s.%N)"
  timeout 120 "${cmd[@]}" >"$TMP/fetch_${label}.log" 2>&1 || rc=$?
  t1="$(date +%s.%N)"
  tail -5 "$TMP/fetch_${label}.log"
  local secs check pps ratio raw
  secs="$(python3 -c "print('%.3f' % ($t1 - $t0))")"
  if [[ "$rc" != 0 ]]; then
    check="FAILED: exit code $rc"
  elif [[ ! -f "$out" ]]; then
    check="FAILED: no output file"
  else
    check="$(check_output "$out")"
  fi
  pps="$(rate "$NURLS" "$secs")"
  ratio="$(python3 -c "print('%.0f%%' % (100 * $pps / $CEILING))")"
  raw="$(python3 -c "print('%.0f%%' % (100 * $pps / $RAW_CEILING))")"
  full="$(python3 -c "print('%.0f%%' % (100 * $pps / $FULL_CEILING))")"
  echo "$NURLS pages in $secs s = $pps pages/s; ${raw} of ${CORES} x gumbo_parse rate (the target), ${full} of ${CORES} x full-parse extractor, ${ratio} of ${CORES} x extractor; output $check"
  FETCH_ROWS+=("$(printf '%-32s %8s %10s %8s %8s %8s  %s' "(c) fetch $label" "$secs" "$pps" "$raw" "$full" "$ratio" "$check")")
}
if [[ -z "$FETCH_SKIP_REASON" && ! -x "$CRAWLER" ]]; then
  FETCH_SKIP_REASON="$CRAWLER does not exist"
fi
if [[ -z "$FETCH_SKIP_REASON" ]]; then
  run_fetch default
  run_fetch w2-c16 --workers 2 --concurrency 16
  run_fetch w2-c32 --workers 2 --concurrency 32
  run_fetch w3-c32 --workers 3 --concurrency 32
else
  echo
  echo "== (c) SKIPPED: $FETCH_SKIP_REASON"
fi

# --- Summary ----------------------------------------------------------------
echo
echo "== summary: $CORES cores; gumbo-bound rate = $CORES x gumbo_parse = $RAW_CEILING" \
  "pages/s (target: fetch >= 85 % of it); $CORES x full-parse extractor =" \
  "$FULL_CEILING pages/s; $CORES x extractor (compacted markup) = $CEILING pages/s"
row() { printf '%-32s %8s %10s %8s %8s %8s  %s\n' "$@"; }
row "measurement" "seconds" "pages/s" "vs gumbo" "vs full" "vs extr" "check / note"
row "(a) wrk -t2 -c32 (nginx)" "$WRK_SECONDS" "$WRK_RPS" "-" "-" "-" "requests/s over the same URLs"
row "(b) gumbo_parse, 1 thread" "-" "$PARSE_RPS" "-" "-" "-" "best of 2 rounds"
row "(b) extract_full, 1 thread" "-" "$FULL_RPS" "-" "-" "-" "best of 2 rounds"
row "(b) extractor, 1 thread" "-" "$EXTRACT_RPS" "-" "-" "-" "best of 2 rounds"
if [[ ${#FETCH_ROWS[@]} -gt 0 ]]; then
  printf '%s\n' "${FETCH_ROWS[@]}"
else
  row "(c) crawler fetch" "-" "-" "-" "-" "-" "SKIPPED: $FETCH_SKIP_REASON"
fi
