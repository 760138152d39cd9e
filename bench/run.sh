#!/usr/bin/env bash
# run.sh: the crawler side by side with GNU wget, Scrapy and Crawlee on the
# same generated site, served by nginx on this machine (issue 10).
#
#   bench/run.sh [--pages N] [--repeat K] [--profile loopback|wan|both] [--smoke]
#
# One command does everything, in this order:
#   1. installs the peers when missing (Debian: wget, python3-scrapy,
#      nginx-light, libnginx-mod-http-echo, wrk, gnuplot-nox, nodejs/npm,
#      time, linux-perf; npm: crawlee + cheerio from bench/peers/crawlee's
#      lockfile) and builds the crawler and parse_bench;
#   2. per profile, generates the site (bench/site/make_site.py --origin ...:
#      every link form, robots.txt disallowing /opinion/, the reachable URL
#      list and the link graph) and starts nginx on free ports, with an
#      access log of $msec $request_time $host $request_uri $status;
#        loopback: one host, 127.0.0.1, --pages pages (default 20,000);
#        wan: --wan-pages pages (default 2,000) split over 50 hosts
#             127.0.0.2 ... 127.0.0.51 (all on lo), every response delayed
#             40 ms by nginx's echo module (echo_sleep, then echo_exec to the
#             static location; checked with wrk before the crawls), 2
#             requests per host at most;
#   3. measures the machine's limits in the same run: loopback, wrk over the
#      same URLs with keep-alive and parse_bench's raw gumbo_parse (the
#      gumbo-bound limit is cores x its pages/s); wan, the ideal rate from
#      bench/ideal_rate.py's event simulation over the link graph;
#   4. runs every crawler K times (--repeat, default 3), interleaved: the
#      crawler with its default settings and with its best ones, wget
#      --recursive, a Scrapy CrawlSpider, a Crawlee CheerioCrawler (tuning in
#      bench/README.md). Each run: wall time, user+sys CPU (/usr/bin/time),
#      peak RSS of the process tree (bench/lib/rss_sampler.py), the load
#      average before and after, and the verdict from nginx's access log
#      (bench/lib/access_check.py: pages missed, fetched more than once,
#      disallowed fetched, requests in flight per host);
#   5. loopback: the crawler's scaling with workers (1, 2, 4) x transfers
#      per worker (4, 16, 64), and one run under `perf record -g`;
#   6. memory: a --wide site (1,000 links per page) crawled with --max-pages
#      1 ... 1,000, so up to 1,000,000 URLs are known: coordinator RSS and
#      the seen-set's bytes per URL;
#   7. bench/lib/report.py: medians, ratios, CSV + JSON + PNG plots in
#      bench/results/, the table printed and written into bench/README.md.
#
# Options:
#   --pages N        loopback site size (default 20000)
#   --wan-pages N    wan site size (default 2000)
#   --repeat K       runs per crawler and setting (default 3)
#   --profile P      loopback, wan or both (default both)
#   --peers LIST     comma-separated subset of wget,scrapy,crawlee (default all)
#   --no-install     do not install anything (missing peers are skipped)
#   --no-scaling, --no-memory, --no-perf   skip those parts
#   --results DIR    where results go (default bench/results)
#   --no-readme      do not rewrite the table in bench/README.md
#   --smoke          CI mode: a 300-page loopback site, one run of the
#                    crawler with default settings, correctness only (no
#                    limits, peers, timing or installs); results in a
#                    temporary directory; exit 1 when the crawl is wrong.
# Environment: CRAWLER_BIN and PARSE_BENCH_BIN use those binaries instead of
# building them (the Bazel smoke test sets CRAWLER_BIN); BENCH_SOURCE then
# says in the report what they were built from (e.g. "ccbb650, a clean
# export": the working tree may hold others' unfinished edits).
# Every process started here (nginx, the sampler, a crawl in progress) is
# stopped on exit, failure or interrupt, by its pid.
set -euo pipefail

PAGES=20000
WAN_PAGES=2000
REPEAT=3
PROFILE=both
PEERS="wget,scrapy,crawlee"
INSTALL=1
SCALING=1
MEMORY=1
PERF=1
SMOKE=0
README=1
RESULTS=""
WAN_HOSTS=50
WAN_DELAY_MS=40
WAN_PER_HOST=2
LOOP_PER_HOST=32
ARGS_GIVEN="$*"
usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pages) PAGES="$2"; shift 2 ;;
    --wan-pages) WAN_PAGES="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --profile) PROFILE="$2"; shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --no-scaling) SCALING=0; shift ;;
    --no-memory) MEMORY=0; shift ;;
    --no-perf) PERF=0; shift ;;
    --no-readme) README=0; shift ;;
    --results) RESULTS="$2"; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown option $1" >&2; usage ;;
  esac
done
case "$PROFILE" in loopback|wan|both) ;; *) usage ;; esac
if [[ "$SMOKE" == 1 ]]; then
  [[ "$ARGS_GIVEN" == *--pages* ]] || PAGES=300
  [[ "$ARGS_GIVEN" == *--wan-pages* ]] || WAN_PAGES=300
  [[ "$ARGS_GIVEN" == *--profile* ]] || PROFILE=loopback
  REPEAT=1 PEERS="" INSTALL=0 SCALING=0 MEMORY=0 PERF=0 README=0
fi

export PATH="$PATH:/usr/sbin:/sbin"  # nginx, for a user whose PATH lacks them.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib/nginx.sh
source "$ROOT/bench/lib/nginx.sh"
CORES="$(nproc)"
SEED=1
DISALLOW=opinion
PY=python3
SYS_PY=/usr/bin/python3  # Scrapy is Debian's, for the system interpreter.

# nginx's worker runs as another user when started as root: a directory it
# can read, under /tmp (a Bazel test's TMPDIR is under /root, mode 700).
WORK="$(mktemp -d /tmp/bench_run.XXXXXX)"
chmod 755 "$WORK"
if [[ -z "$RESULTS" ]]; then
  if [[ "$SMOKE" == 1 ]]; then RESULTS="$WORK/results"; else RESULTS="$ROOT/bench/results"; fi
fi
mkdir -p "$RESULTS"
RUNS="$WORK/runs.jsonl"
: >"$RUNS"

NGINX_PID=""
SAMPLER_PID=""
MEASURED_PID=""
# Stops a process we started: TERM, up to 5 s, then KILL.
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
# Children of a pid, from /proc (all its threads).
children_of() {
  cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true
}
# Stops a measured command: the wrapper's descendants first, then the wrapper.
stop_tree() {
  local pid="$1" kid
  [[ -n "$pid" ]] || return 0
  for kid in $(children_of "$pid"); do
    stop_tree "$kid"
  done
  stop_pid "$pid"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_tree "$MEASURED_PID"
  stop_pid "$SAMPLER_PID"
  stop_pid "$NGINX_PID"
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "run.sh: $*" >&2; }
has_peer() { [[ ",$PEERS," == *",$1,"* ]]; }
SKIPPED="$WORK/skipped.txt"  # "name<TAB>why" for every peer not run.
: >"$SKIPPED"
skip_peer() { printf '%s\t%s\n' "$1" "$2" >>"$SKIPPED"; log "skipping $1: $2"; }

# --- 1. Peers and binaries --------------------------------------------------------
install_peers() {
  local want=(nginx-light wrk time wget python3-scrapy gnuplot-nox libnginx-mod-http-echo)
  local missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$p")
  done
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  command -v perf >/dev/null || missing+=(linux-perf)
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]}"
    local sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
    if ! { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
             --no-install-recommends "${missing[@]}" >"$WORK/apt.log" 2>&1; }; then
      log "apt-get install failed (see below); going on with what is there"
      tail -5 "$WORK/apt.log" >&2 || true
    fi
  fi
  if command -v npm >/dev/null && [[ ! -f bench/peers/crawlee/node_modules/crawlee/package.json ]]; then
    log "npm ci in bench/peers/crawlee (crawlee, cheerio from package-lock.json)"
    (cd bench/peers/crawlee && npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1) ||
      { log "npm ci failed:"; tail -5 "$WORK/npm.log" >&2; }
  fi
}
[[ "$INSTALL" == 1 ]] && install_peers

for tool in nginx curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { log "$tool is missing (run scripts/setup.sh)"; exit 1; }
done
if has_peer wget && ! command -v wget >/dev/null; then skip_peer wget "wget is not installed"; fi
if has_peer scrapy && ! "$SYS_PY" -c 'import scrapy' 2>/dev/null; then
  skip_peer scrapy "python3-scrapy is not installed ($SYS_PY cannot import scrapy)"
fi
if has_peer crawlee; then
  if ! command -v node >/dev/null; then skip_peer crawlee "node is not installed"
  elif [[ ! -f bench/peers/crawlee/node_modules/crawlee/package.json ]]; then
    skip_peer crawlee "bench/peers/crawlee/node_modules is missing (npm ci failed or --no-install)"
  fi
fi
peer_ok() { has_peer "$1" && ! grep -q "^$1	" "$SKIPPED"; }

CRAWLER="${CRAWLER_BIN:-}"
PARSE_BENCH="${PARSE_BENCH_BIN:-}"
build_targets=()
[[ -z "$CRAWLER" ]] && build_targets+=(//crawler/cli:crawler)
[[ -z "$PARSE_BENCH" && "$SMOKE" == 0 && "$PROFILE" != wan ]] && build_targets+=(//bench:parse_bench)
if [[ ${#build_targets[@]} -gt 0 ]]; then
  log "bazel build ${build_targets[*]}"
  bazel build "${build_targets[@]}" >"$WORK/bazel.log" 2>&1 ||
    { tail -20 "$WORK/bazel.log" >&2; exit 1; }
fi
CRAWLER="${CRAWLER:-$ROOT/bazel-bin/crawler/cli/crawler}"
PARSE_BENCH="${PARSE_BENCH:-$ROOT/bazel-bin/bench/parse_bench}"

# --- 2. Site and nginx ----------------------------------------------------------------
free_port() {
  $PY -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# write_nginx_conf PROFILE SITE PORT: loopback (127.0.0.1, no delay), wan
# (127.0.0.2 ... .(1+WAN_HOSTS), every response delayed) or plain (127.0.0.1,
# for the memory site).
write_nginx_conf() {
  local profile="$1" site="$2" port="$3" listen="" i location
  if [[ "$profile" == wan ]]; then
    for i in $(seq 2 $((WAN_HOSTS + 1))); do listen+="    listen 127.0.0.$i:$port;"$'\n'; done
    # echo_sleep is a timer, not a blocking sleep; echo_exec then hands the
    # request to the static location. "/" is served from //index.html by
    # try_files, so it is delayed once, not again by an index redirect.
    location="    location / { echo_sleep $(printf '0.%03d' "$WAN_DELAY_MS"); echo_exec @static; }
    location @static { try_files \$uri/index.html \$uri =404; }"
  else
    listen="    listen 127.0.0.1:$port;"
    location="    location / { }"
  fi
  local prelude=""
  [[ "$profile" == wan ]] &&
    prelude="load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;"
  bench_nginx_conf "$WORK" "$site" "$listen" "$location" "$prelude"
}
# start_nginx PROFILE SITE PORT -> NGINX_PID; 1 when it did not come up.
start_nginx() {
  local profile="$1" site="$2" port="$3" probe_host=127.0.0.1
  [[ "$profile" == wan ]] && probe_host=127.0.0.2
  write_nginx_conf "$profile" "$site" "$port"
  : >"$WORK/access.log"
  # Probe a path that is not logged, so the access log holds crawls only.
  bench_nginx_start "$WORK" "http://$probe_host:$port/__probe"
}
# Flushes nginx's buffered access log (USR1 reopens it) and waits until the
# file stops growing.
flush_log() {
  kill -USR1 "$NGINX_PID"
  local size=-1 now
  for _ in $(seq 50); do
    sleep 0.1
    now="$(stat -c %s "$WORK/access.log")"
    [[ "$now" == "$size" ]] && break
    size="$now"
  done
}
# setup_profile PROFILE: picks a port, generates the site with its links to
# that port, starts nginx (three attempts: a free port can be taken).
setup_profile() {
  local profile="$1" attempt pages origins=() i
  pages="$PAGES"; [[ "$profile" == wan ]] && pages="$WAN_PAGES"
  for attempt in 1 2 3; do
    PORT="$(free_port)"
    origins=()
    if [[ "$profile" == wan ]]; then
      for i in $(seq 2 $((WAN_HOSTS + 1))); do origins+=(--origin "http://127.0.0.$i:$PORT"); done
      START="http://127.0.0.2:$PORT/"
    else
      origins=(--origin "http://127.0.0.1:$PORT")
      START="http://127.0.0.1:$PORT/"
    fi
    SITE="$WORK/site-$profile"
    rm -rf "$SITE"
    log "$profile: generating $pages pages for port $PORT"
    $PY bench/site/make_site.py --out "$SITE" --pages "$pages" --seed "$SEED" \
      --size-range 10000,20000 --links 20,40 --disallow "$DISALLOW" \
      "${origins[@]}" --reachable "$WORK/reachable-$profile.txt" \
      --graph "$WORK/graph-$profile.tsv" 2>"$WORK/make_site.log" ||
      { cat "$WORK/make_site.log" >&2; exit 1; }
    SITE_INFO="$(cat "$WORK/make_site.log")"
    start_nginx "$profile" "$SITE" "$PORT" && return 0
    log "attempt $attempt failed"
  done
  log "giving up on nginx"
  exit 1
}

# --- 4. One measured run ------------------------------------------------------------------
# measure KIND PROFILE NAME SETTINGS REP LIMIT -- CMD...: runs CMD under
# /usr/bin/time and the RSS sampler, judges nginx's log, appends a JSON row.
measure() {
  local kind="$1" profile="$2" name="$3" settings="$4" rep="$5" limit="$6"
  shift 7
  local tag="$profile-$name-$settings-$rep" rc=0 t0 t1 load0 load1
  local dir="$WORK/run-$tag"
  mkdir -p "$dir"
  flush_log  # Earlier requests (wrk's) still in nginx's log buffer.
  : >"$WORK/access.log"
  load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  t0="$(date +%s%N)"
  /usr/bin/time -v -o "$dir/time.txt" "$@" >"$dir/stdout" 2>"$dir/stderr" &
  MEASURED_PID=$!
  $PY bench/lib/rss_sampler.py "$MEASURED_PID" "$dir/rss.json" &
  SAMPLER_PID=$!
  wait "$MEASURED_PID" || rc=$?
  t1="$(date +%s%N)"
  MEASURED_PID=""
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  load1="$(cut -d' ' -f1-3 /proc/loadavg)"
  flush_log
  cp "$WORK/access.log" "$dir/access.log"
  local check
  check="$($PY bench/lib/access_check.py --log "$dir/access.log" \
    --reachable "$WORK/reachable-$profile.txt" --port "$PORT" \
    --disallow "/$DISALLOW/" --limit "$limit" --json "$dir/check.json" || true)"
  $PY - "$dir" "$kind" "$profile" "$name" "$settings" "$rep" "$rc" "$t0" "$t1" \
    "$load0" "$load1" "$limit" "$*" >>"$RUNS" <<'EOF'
import json, sys
d, kind, profile, name, settings, rep, rc, t0, t1, load0, load1, limit, cmd = sys.argv[1:]
row = {"kind": kind, "profile": profile, "crawler": name, "settings": settings,
       "rep": int(rep), "exit": int(rc), "wall_s": (int(t1) - int(t0)) / 1e9,
       "loadavg_before": load0, "loadavg_after": load1,
       "per_host_limit": int(limit), "command": cmd}
for line in open(d + "/time.txt"):
    k, _, v = line.strip().rpartition(": ")
    if k == "User time (seconds)": row["user_s"] = float(v)
    if k == "System time (seconds)": row["sys_s"] = float(v)
    if k == "Maximum resident set size (kbytes)": row["time_maxrss_mb"] = round(int(v) / 1024, 1)
try:
    rss = json.load(open(d + "/rss.json"))
except (OSError, ValueError):
    rss = {}
row["rss_sum_mb"] = round(rss.get("sum_kb", 0) / 1024, 1)
row["rss_main_mb"] = round(rss.get("main_kb", 0) / 1024, 1)
row["rss_other_max_mb"] = round(rss.get("other_max_kb", 0) / 1024, 1)
row["processes"] = 1 + rss.get("others", 0)
if not row["rss_sum_mb"] and row.get("time_maxrss_mb"):
    # Over before the sampler's first look (tens of ms): GNU time's maximum
    # resident set size, the largest single process of the tree.
    row["rss_sum_mb"] = row["rss_main_mb"] = row["time_maxrss_mb"]
    row["rss_from"] = "time"
row.update(json.load(open(d + "/check.json")))
row["pages_per_s"] = round(row["pages"] / row["wall_s"], 1) if row["wall_s"] else 0
cpu = row.get("user_s", 0) + row.get("sys_s", 0)
row["cpu_s_per_1k"] = round(cpu / row["pages"] * 1000, 3) if row["pages"] else None
for line in open(d + "/stderr", errors="replace"):
    if "seen-set" in line:
        row["summary"] = line.strip()
print(json.dumps(row))
EOF
  printf '%-9s %-8s %-16s rep %d: %6.2f s, %s\n' "$profile" "$name" "$settings" \
    "$rep" "$(( (t1 - t0) / 1000000 ))e-3" "$check" >&2
  if [[ "$rc" != 0 ]]; then
    log "$name exited with $rc; its stderr ends:"
    tail -3 "$dir/stderr" | sed 's/^/  /' >&2
  fi
  [[ "$SMOKE" == 1 ]] || rm -f "$dir/access.log"
}

# The crawlers of a profile: NAME SETTINGS -- ARGS (PORT, START known).
crawl_cmd() {
  local profile="$1" name="$2" settings="$3" out="$4"
  local re hosts=() i
  if [[ "$profile" == wan ]]; then
    re="^http://127\\.0\\.0\\.[0-9]+:$PORT/"
    for i in $(seq 2 $((WAN_HOSTS + 1))); do hosts+=("127.0.0.$i"); done
  else
    re="^http://127\\.0\\.0\\.1:$PORT/"
    hosts=(127.0.0.1)
  fi
  local per_host="$LOOP_PER_HOST" total="$LOOP_PER_HOST"
  if [[ "$profile" == wan ]]; then per_host="$WAN_PER_HOST"; total=$((WAN_PER_HOST * WAN_HOSTS)); fi
  # The scaling sweep: per host up to 1000, so workers x concurrency limit.
  [[ "$settings" == w*-c* ]] && per_host=1000
  case "$name" in
    crawler)
      CMD=("$CRAWLER" crawl "$START" --allow-address "127.0.0.0/8:$PORT"
           --delay 0 --per-host "$per_host" -o "$out")
      [[ "$profile" == wan ]] && CMD+=(--scope any --include "$re")
      case "$settings" in
        default) ;;
        best) CMD+=(${CRAWLER_BEST[$profile]}) ;;
        w*-c*) local w="${settings%%-*}" c="${settings##*-c}"
               CMD+=(--workers "${w#w}" --concurrency "$c") ;;
      esac ;;
    wget)
      CMD=(wget --recursive --level=inf --no-verbose --delete-after
           -e robots=on --directory-prefix "$out.d" --tries=3)
      [[ "$profile" == wan ]] && CMD+=(--span-hosts "--domains=$(IFS=,; echo "${hosts[*]}")")
      CMD+=("$START") ;;
    scrapy)
      CMD=("$SYS_PY" bench/peers/scrapy/crawl.py --start "$START" --out "$out"
           --concurrency "$total" --per-host "$per_host")
      for i in "${hosts[@]}"; do CMD+=(--allow-host "$i"); done ;;
    crawlee)
      local conc="${CRAWLEE_CONCURRENCY[$profile]}"
      CMD=(node bench/peers/crawlee/crawl.mjs --start "$START" --origins-regex "$re"
           --out "$out" --concurrency "$conc" --per-host "$per_host") ;;
  esac
}
# Best settings of the crawler. Loopback: replaced by the scaling sweep's
# winner when the sweep runs. Wan: enough transfers for every host's slots
# (2 workers x 64 >= 50 hosts x 2 per host). Crawlee's fixed concurrency:
# 16 on loopback (CPU-bound: more only adds memory), 200 on wan (waiting for
# a host's slot holds a task, so more tasks than slots).
declare -A CRAWLER_BEST=([loopback]="--workers 2 --concurrency 16"
                         [wan]="--workers 2 --concurrency 64")
declare -A CRAWLEE_CONCURRENCY=([loopback]=16 [wan]=200)

run_crawl() {  # run_crawl PROFILE NAME SETTINGS REP
  local profile="$1" name="$2" settings="$3" rep="$4" limit
  limit="$LOOP_PER_HOST"; [[ "$profile" == wan ]] && limit="$WAN_PER_HOST"
  [[ "$settings" == w*-c* ]] && limit=0
  crawl_cmd "$profile" "$name" "$settings" "$WORK/out-$profile-$name-$settings-$rep"
  measure crawl "$profile" "$name" "$settings" "$rep" "$limit" -- "${CMD[@]}"
  rm -rf "$WORK/out-$profile-$name-$settings-$rep"*
}

# --- 3. Limits and the profiles ------------------------------------------------------------
LIMITS="$WORK/limits.json"
echo '{}' >"$LIMITS"
add_limit() {  # add_limit KEY JSON-VALUE
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); d[sys.argv[2]]=json.loads(sys.argv[3]); json.dump(d,open(sys.argv[1],"w"))' \
    "$LIMITS" "$1" "$2"
}
cat >"$WORK/cycle.lua" <<'EOF'
-- Cycles through the paths listed in the file given after "--" (as
-- bench/fetch_bench.sh does).
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

machine_limits_loopback() {
  sed -E 's#^https?://[^/]+##' "$WORK/reachable-loopback.txt" >"$WORK/paths-loopback.txt"
  if command -v wrk >/dev/null; then
    log "loopback: wrk -t2 -c32 -d10s over the $(wc -l <"$WORK/paths-loopback.txt") reachable URLs"
    wrk -t2 -c32 -d10s -s "$WORK/cycle.lua" "$START" -- "$WORK/paths-loopback.txt" \
      >"$WORK/wrk.txt" 2>&1 || true
    add_limit wrk_requests_per_s "$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt" | grep . || echo null)"
    add_limit wrk_command "\"wrk -t2 -c32 -d10s (keep-alive), cycling the reachable URLs\""
  else
    add_limit wrk_requests_per_s null
  fi
  log "loopback: $PARSE_BENCH (single thread, same pages)"
  "$PARSE_BENCH" "$SITE" --min_seconds=3 --rounds=2 >"$WORK/parse.txt"
  local parse extract full
  parse="$(awk '$1 == "best_parse" {print $4}' "$WORK/parse.txt")"
  extract="$(awk '$1 == "best_extract" {print $4}' "$WORK/parse.txt")"
  full="$(awk '$1 == "best_full" {print $4}' "$WORK/parse.txt")"
  add_limit gumbo_parse_pages_per_s_1core "$parse"
  add_limit extractor_pages_per_s_1core "$extract"
  add_limit extractor_full_pages_per_s_1core "${full:-null}"
  add_limit cores "$CORES"
  cp "$WORK/parse.txt" "$RESULTS/parse_bench.txt"
}

wan_checks() {
  # The delay is real and does not block nginx: 50 connections at once over
  # 2 s through one nginx worker. Blocking would give 25 requests/s.
  if command -v wrk >/dev/null; then
    sed -E 's#^https?://[^/]+##' "$WORK/reachable-wan.txt" >"$WORK/paths-wan.txt"
    wrk -t1 -c50 -d2s --latency -s "$WORK/cycle.lua" "$START" -- "$WORK/paths-wan.txt" \
      >"$WORK/wrk-wan.txt" 2>&1 || true
    : >"$WORK/access.log"
    local rps lat
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk-wan.txt")"
    lat="$(awk '$1 == "50%" {print $2}' "$WORK/wrk-wan.txt")"
    log "wan: wrk -t1 -c50 -d2s: $rps requests/s, median latency $lat (delay ${WAN_DELAY_MS} ms)"
    add_limit wan_delay_check "{\"command\": \"wrk -t1 -c50 -d2s --latency\", \"requests_per_s\": ${rps:-null}, \"median_latency\": \"$lat\", \"blocking_would_give_requests_per_s\": $((1000 / WAN_DELAY_MS))}"
    cp "$WORK/wrk-wan.txt" "$RESULTS/wan_delay_check.txt"
  fi
  $PY bench/ideal_rate.py --graph "$WORK/graph-wan.tsv" --start "$START" \
    --delay "0.$(printf '%03d' "$WAN_DELAY_MS")" --per-host "$WAN_PER_HOST" --json >"$WORK/ideal.json"
  add_limit wan_ideal "$(cat "$WORK/ideal.json")"
  log "wan: ideal $($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ideal_pages_per_s"], "pages/s,", d["pages"], "pages in", d["makespan_s"], "s")' "$WORK/ideal.json")"
}

crawlers_of() {  # the NAME:SETTINGS list of a profile
  local list=("crawler:default")
  [[ "$SMOKE" == 1 ]] || list+=("crawler:best")
  local p
  for p in wget scrapy crawlee; do peer_ok "$p" && list+=("$p:tuned"); done
  echo "${list[@]}"
}

run_profile() {
  local profile="$1" rep entry
  setup_profile "$profile"
  add_limit "${profile}_site" "$($PY -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$SITE_INFO")"
  add_limit "${profile}_reachable" "$(wc -l <"$WORK/reachable-$profile.txt")"
  log "$profile: nginx pid $NGINX_PID on port $PORT; start $START; $(wc -l <"$WORK/reachable-$profile.txt") reachable URLs"
  if [[ "$SMOKE" == 0 ]]; then
    if [[ "$profile" == loopback ]]; then machine_limits_loopback; else wan_checks; fi
  fi
  if [[ "$profile" == loopback && "$SCALING" == 1 ]]; then
    local w c
    for rep in $(seq 1 "$REPEAT"); do
      for w in 1 2 4; do
        for c in 4 16 64; do
          crawl_cmd loopback crawler "w$w-c$c" "$WORK/out-scaling"
          measure scaling loopback crawler "w$w-c$c" "$rep" 0 -- "${CMD[@]}"
          rm -f "$WORK/out-scaling"
        done
      done
    done
    # The crawler's best loopback settings: the sweep's highest median
    # pages/s (the "best" rows below are measured anew, interleaved with the
    # peers, so the pick does not bias them).
    CRAWLER_BEST[loopback]="$($PY -c '
import json, statistics, sys
rates = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["kind"] == "scaling" and r["correct"]:
        rates.setdefault(r["settings"], []).append(r["pages_per_s"])
best = max(rates, key=lambda k: statistics.median(rates[k]))
w, c = best.split("-")
print("--workers %s --concurrency %s" % (w[1:], c[1:]))' "$RUNS")"
    add_limit crawler_best_loopback "\"${CRAWLER_BEST[loopback]}\""
    log "loopback: best crawler settings from the sweep: ${CRAWLER_BEST[loopback]}"
  fi
  for rep in $(seq 1 "$REPEAT"); do
    for entry in $(crawlers_of); do
      run_crawl "$profile" "${entry%%:*}" "${entry##*:}" "$rep"
    done
  done
  if [[ "$profile" == loopback && "$PERF" == 1 ]]; then
    if command -v perf >/dev/null; then
      crawl_cmd loopback crawler best "$WORK/out-perf"
      log "loopback: perf record -g -- ${CMD[*]}"
      : >"$WORK/access.log"
      perf record -q -g -o "$WORK/perf.data" -- "${CMD[@]}" 2>"$WORK/perf-crawl.err" || true
      rm -f "$WORK/out-perf"
      {
        echo "# perf record -g -o perf.data -- ${CMD[*]}"
        echo "# $(tail -1 "$WORK/perf-crawl.err")"
        echo "## by process (--sort comm)"
        perf report -i "$WORK/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | head -5
        echo "## by process and library (--sort comm,dso)"
        perf report -i "$WORK/perf.data" --no-children --sort comm,dso --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | head -15
        echo "## by symbol (--sort comm,dso,symbol), top 40"
        perf report -i "$WORK/perf.data" --no-children --sort comm,dso,symbol --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | cut -c1-130 | head -40
        echo "## with children (--children --sort symbol), top 40"
        perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | cut -c1-130 | head -40
      } >"$RESULTS/perf_report.txt" || true
      rm -f "$WORK/perf.data"
      log "loopback: perf report in $RESULTS/perf_report.txt"
    else
      log "perf is not installed: no profile"
    fi
  fi
  stop_pid "$NGINX_PID"
  NGINX_PID=""
}

# --- 6. Memory against known URLs ----------------------------------------------------------
run_memory() {
  local width=1000 m
  SITE="$WORK/site-wide"
  $PY bench/site/make_site.py --out "$SITE" --pages "$width" --wide "$width" 2>/dev/null
  local attempt
  for attempt in 1 2 3; do
    PORT="$(free_port)"
    start_nginx plain "$SITE" "$PORT" && break
    [[ "$attempt" == 3 ]] && { log "giving up on nginx"; exit 1; }
  done
  START="http://127.0.0.1:$PORT/"
  # The reachable list does not matter here: every row is "missed" by design.
  echo "$START" >"$WORK/reachable-memory.txt"
  for m in 1 10 30 100 300 1000; do
    CMD=("$CRAWLER" crawl "$START" --allow-address "127.0.0.0/8:$PORT" --delay 0
         --per-host 32 --max-pages "$m" -o "$WORK/out-memory")
    measure memory memory crawler "max-pages-$m" 1 0 -- "${CMD[@]}"
    rm -f "$WORK/out-memory"
  done
  stop_pid "$NGINX_PID"
  NGINX_PID=""
}

# --- Run -----------------------------------------------------------------------------------------
log "machine: $CORES cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
[[ "$PROFILE" == loopback || "$PROFILE" == both ]] && run_profile loopback
[[ "$PROFILE" == wan || "$PROFILE" == both ]] && run_profile wan
[[ "$MEMORY" == 1 ]] && run_memory

# The exact command, with the environment that changes what runs.
COMMAND_LINE=""
for v in BENCH_SOURCE CRAWLER_BIN PARSE_BENCH_BIN; do
  [[ -n "${!v:-}" ]] && COMMAND_LINE+="$v=$(printf '%q' "${!v}") "
done
COMMAND_LINE+="bench/run.sh${ARGS_GIVEN:+ $ARGS_GIVEN}"
REPORT_ARGS=(--runs "$RUNS" --limits "$LIMITS" --skipped "$SKIPPED" --results "$RESULTS"
             --command "$COMMAND_LINE" --wan-per-host "$WAN_PER_HOST"
             --wan-delay-ms "$WAN_DELAY_MS" --wan-hosts "$WAN_HOSTS")
[[ "$SMOKE" == 1 ]] && REPORT_ARGS+=(--smoke)
[[ "$README" == 1 ]] && REPORT_ARGS+=(--readme "$ROOT/bench/README.md")
$PY bench/lib/report.py "${REPORT_ARGS[@]}"
