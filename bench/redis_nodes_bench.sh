#!/usr/bin/env bash
# redis_nodes_bench.sh: the same crawl run by 1, 2 and 3 `crawler crawl
# --frontier redis://...` nodes on this machine, beside the same crawl by
# one plain node (no Redis) measured in the same run (issue 8,
# docs/redis.md "Measured").
#
# The site: bench/site/make_site.py --origin over HOSTS host names
# (127.0.0.2 ... 127.0.0.(1+HOSTS), all on lo, one nginx worker), no delay,
# so the crawl is CPU-bound and a host is leased to one node at a time (a
# single-host site would leave all but one node idle). Every node is given
# the same command: the first host's "/" as seed, --workers W (default 1:
# one coordinator and one worker process per node, so 3 nodes are 6 busy
# processes on 2 cores), --concurrency C (default 4), --per-host P (default
# 2), --delay 0. A node holds at most 2 x W x C hosts (at least 8; main.cc),
# and hosts it holds stay with it while they have work: with W=1, C=4 a
# node holds 8 of the 24 hosts, so three nodes share them (with the
# crawler's default C=16 a node may hold 32, and the first node started
# takes every host of a 24-host site while the others idle).
#
# Configurations, in alternating order per round (round 1 in this order,
# round 2 in reverse, ...):
#   plain     one node, no --frontier (the baseline: the same flags)
#   plain-w2  one node, no --frontier, --workers 2W: one node using the
#             machine as a single-machine crawl would (more workers instead
#             of more nodes)
#   redis-1   one node with --frontier
#   redis-2   two nodes at once, one crawl
#   redis-3   three nodes at once, one crawl
# For each: wall time from the start of the first node to the end of the
# last, pages/s (fetched records / wall), CPU s per 1,000 pages of the
# crawler processes (/usr/bin/time: user + sys of each node and its
# workers) and of redis-server (INFO cpu), Redis commands per page (INFO
# stats total_commands_processed after CONFIG RESETSTAT, which counts the
# commands run inside Lua scripts too), script calls (EVALSHA) per page,
# and the top of INFO commandstats. Each crawl is judged from nginx's log
# (bench/lib/access_check.py: every reachable URL fetched, none twice) and
# the records (each URL once across the nodes' files). Figures and what
# they mean: docs/redis.md, "Measured".
#
# Usage: bench/redis_nodes_bench.sh [--pages N] [--hosts H] [--rounds R]
#            [--workers W] [--concurrency C] [--per-host P]
#   Defaults: 10000 pages, 24 hosts, 2 rounds, 1 worker, 4 transfers per
#   worker, 2 per host.
#   Environment: CRAWLER_BIN runs that binary instead of building
#   //crawler/cli:crawler (-c opt, from .bazelrc); either way it is copied
#   to the work directory first, so a build running beside the bench does
#   not change it mid-run. KEEP_WORK=1 keeps the work directory.
# Needs nginx, redis-server, redis-cli, python3, /usr/bin/time. Every
# process started here is stopped on exit, failure or interrupt.
set -euo pipefail

PAGES=10000
HOSTS=24
ROUNDS=2
WORKERS=1
CONCURRENCY=4
PER_HOST=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pages) PAGES="$2"; shift 2 ;;
    --hosts) HOSTS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --per-host) PER_HOST="$2"; shift 2 ;;
    *) echo "usage: $0 [--pages N] [--hosts H] [--rounds R] [--workers W] [--concurrency C] [--per-host P]" >&2
       exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib/nginx.sh
source "$ROOT/bench/lib/nginx.sh"
SEED=1
DISALLOW=opinion

WORK="$(mktemp -d /tmp/redis_nodes_bench.XXXXXX)"
chmod 755 "$WORK"  # nginx's worker may run as another user.
PIDS=()  # Everything started in the background, stopped on exit.
stop_pid() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  # A node runs under /usr/bin/time: its child (the crawler) first.
  pkill -TERM -P "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then
    echo "redis_nodes_bench: work directory kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "redis_nodes_bench: $*" >&2; }
free_port() {
  python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- The crawler binary (copied) ---------------------------------------------------
if [[ -z "${CRAWLER_BIN:-}" ]]; then
  log "bazel build //crawler/cli:crawler"
  bazel build //crawler/cli:crawler >"$WORK/bazel.log" 2>&1 ||
    { tail -20 "$WORK/bazel.log" >&2; exit 1; }
  CRAWLER_BIN="$ROOT/bazel-bin/crawler/cli/crawler"
fi
cp "$CRAWLER_BIN" "$WORK/crawler"
CRAWLER="$WORK/crawler"

# --- Site and nginx on 127.0.0.2 ... 127.0.0.(1+HOSTS) ------------------------------
start_nginx() {
  local listen="" i
  for i in $(seq 2 $((HOSTS + 1))); do listen+="    listen 127.0.0.$i:$PORT;"$'\n'; done
  bench_nginx_conf "$WORK" "$WORK/site" "$listen"
  : >"$WORK/access.log"
  bench_nginx_start "$WORK" "http://127.0.0.2:$PORT/__probe" || return 1
  PIDS+=("$NGINX_PID")
}
started=0
for attempt in 1 2 3; do  # The free port can be taken between probe and bind.
  PORT="$(free_port)"
  origins=()
  for i in $(seq 2 $((HOSTS + 1))); do origins+=(--origin "http://127.0.0.$i:$PORT"); done
  rm -rf "$WORK/site"
  log "generating $PAGES pages over $HOSTS hosts for port $PORT"
  python3 bench/site/make_site.py --out "$WORK/site" --pages "$PAGES" --seed "$SEED" \
    --size-range 10000,20000 --links 20,40 --disallow "$DISALLOW" \
    "${origins[@]}" --reachable "$WORK/reachable.txt" 2>"$WORK/make_site.log" ||
    { cat "$WORK/make_site.log" >&2; exit 1; }
  if start_nginx; then started=1; break; fi
  log "nginx did not start (attempt $attempt)"
done
[[ "$started" == 1 ]] || { log "giving up on nginx"; exit 1; }
START="http://127.0.0.2:$PORT/"
INCLUDE="^http://127\\.0\\.0\\.[0-9]+:$PORT/"
NREACH="$(wc -l <"$WORK/reachable.txt")"

# --- redis-server on a free port, no persistence ------------------------------------
REDIS_PORT=""
for attempt in 1 2 3; do
  REDIS_PORT="$(free_port)"
  mkdir -p "$WORK/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$WORK/redis" --daemonize no --loglevel warning --logfile "" \
    >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 50); do
    [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && break
    sleep 0.1
  done
  [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && break
  stop_pid "$REDIS_PID"
  REDIS_PORT=""
done
[[ -n "$REDIS_PORT" ]] || { log "redis-server did not start"; exit 1; }
RCLI=(redis-cli -p "$REDIS_PORT")
# info_field SECTION FIELD: one field of INFO.
info_field() {
  "${RCLI[@]}" info "$1" | tr -d '\r' | sed -n "s/^$2:\\(.*\\)$/\\1/p"
}


echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "site: $PAGES pages over $HOSTS hosts (127.0.0.2-$((HOSTS + 1)), one nginx worker," \
  "no delay), $NREACH URLs reachable from $START; redis-server" \
  "$(info_field server redis_version) on 127.0.0.1:$REDIS_PORT"
echo "every node: $CRAWLER crawl $START --allow-address 127.0.0.0/8:$PORT --scope any" \
  "--include '$INCLUDE' --delay 0 --per-host $PER_HOST --workers $WORKERS" \
  "--concurrency $CONCURRENCY -q -o OUT" \
  "[--frontier redis://127.0.0.1:$REDIS_PORT/0 --crawl-name NAME --node-id nK]"

# run_config NAME NODES ROUND: one crawl; appends a line to $WORK/rows.
run_config() {
  local name="$1" nodes="$2" round="$3" i pids=() rc=0 t0 t1 workers="$WORKERS"
  [[ "$name" == plain-w2 ]] && workers=$((2 * WORKERS))
  local out="$WORK/out-$name-$round" crawl="bench-$name-$round"
  rm -f "$out".* "$WORK/time-$name-$round".*
  : >"$WORK/access.log"
  kill -USR1 "$NGINX_PID"
  sleep 0.3
  "${RCLI[@]}" flushall >/dev/null
  "${RCLI[@]}" config resetstat >/dev/null
  local cpu0
  cpu0="$(python3 -c 'import sys; print(float(sys.argv[1]) + float(sys.argv[2]))' \
    "$(info_field cpu used_cpu_user)" "$(info_field cpu used_cpu_sys)")"
  echo "load before $name (round $round): $(cat /proc/loadavg)"
  t0="$(date +%s.%N)"
  for i in $(seq 1 "$nodes"); do
    local cmd=("$CRAWLER" crawl "$START" --allow-address "127.0.0.0/8:$PORT"
               --scope any --include "$INCLUDE" --delay 0 --per-host "$PER_HOST"
               --workers "$workers" --concurrency "$CONCURRENCY" -q -o "$out.jsonl")
    if [[ "$name" != plain* ]]; then
      cmd+=(--frontier "redis://127.0.0.1:$REDIS_PORT/0" --crawl-name "$crawl"
            --node-id "n$i")
    fi
    /usr/bin/time -f "%e %U %S" -o "$WORK/time-$name-$round.$i" "${cmd[@]}" \
      2>"$WORK/err-$name-$round.$i" &
    pids+=($!)
    PIDS+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { rc=$?; log "$name node $((i + 1)) failed: exit $rc"; \
      tail -5 "$WORK/err-$name-$round.$((i + 1))" >&2; }
  done
  t1="$(date +%s.%N)"
  [[ "$rc" == 0 ]] || exit 1
  kill -USR1 "$NGINX_PID"
  sleep 0.5
  "${RCLI[@]}" info stats | tr -d '\r' >"$WORK/stats-$name-$round"
  "${RCLI[@]}" info commandstats | tr -d '\r' >"$WORK/cmdstats-$name-$round"
  local cpu1
  cpu1="$(python3 -c 'import sys; print(float(sys.argv[1]) + float(sys.argv[2]))' \
    "$(info_field cpu used_cpu_user)" "$(info_field cpu used_cpu_sys)")"
  local check
  check="$(python3 bench/lib/access_check.py --log "$WORK/access.log" \
    --reachable "$WORK/reachable.txt" --port "$PORT" --disallow "/$DISALLOW/" || true)"
  python3 - "$name" "$nodes" "$round" "$t0" "$t1" "$cpu0" "$cpu1" "$out" \
    "$WORK/time-$name-$round" "$WORK/stats-$name-$round" \
    "$WORK/cmdstats-$name-$round" "$check" >>"$WORK/rows" <<'EOF'
import collections, glob, json, sys
(name, nodes, rnd, t0, t1, cpu0, cpu1, out, times, stats, cmdstats,
 check) = sys.argv[1:]
nodes = int(nodes)
wall = float(t1) - float(t0)
files = (sorted(glob.glob(out + ".*jsonl")) if not name.startswith("plain")
         else [out + ".jsonl"])
urls = collections.Counter()
fetched = 0
per_node = []
for f in files:
    n = 0
    for line in open(f):
        r = json.loads(line)
        urls[r["url"]] += 1
        n += 1
        if not (r.get("error") or "").startswith("blocked_by_robots"):
            fetched += 1
    per_node.append(n)
dups = sum(1 for c in urls.values() if c > 1)
cpu = 0.0
for i in range(1, nodes + 1):
    e, u, s = open("%s.%d" % (times, i)).read().split()[-3:]
    cpu += float(u) + float(s)
st = dict(l.split(":", 1) for l in open(stats) if ":" in l)
total = int(st.get("total_commands_processed", 0))
calls = {}
for l in open(cmdstats):
    if l.startswith("cmdstat_"):
        k, v = l.split(":", 1)
        calls[k[len("cmdstat_"):]] = int(v.split(",")[0].split("=")[1])
# INFO/CONFIG/FLUSHALL calls of this script are not the crawl's.
for k in ("info", "config|resetstat", "flushall", "ping"):
    total -= calls.pop(k, 0)
evalsha = calls.get("evalsha", 0)
top = sorted(calls.items(), key=lambda kv: -kv[1])[:10]
row = {
    "name": name, "nodes": nodes, "round": int(rnd), "wall": wall,
    "pages": fetched, "pps": fetched / wall if wall > 0 else 0,
    "crawler_cpu_ms_per_page": 1000 * cpu / max(fetched, 1),
    "redis_cpu_ms_per_page": 1000 * (float(cpu1) - float(cpu0)) / max(fetched, 1),
    "cmds_per_page": total / max(fetched, 1),
    "evalsha_per_page": evalsha / max(fetched, 1),
    "top": ", ".join("%s %.2f" % (k, v / max(fetched, 1)) for k, v in top),
    "records_per_node": per_node, "dup_records": dups, "check": check,
}
print(json.dumps(row))
EOF
  tail -1 "$WORK/rows" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
redis = "" if r["name"].startswith("plain") else (
    "redis CPU %.3f ms/page; %.2f Redis commands/page (%.3f EVALSHA); " % (
        r["redis_cpu_ms_per_page"], r["cmds_per_page"], r["evalsha_per_page"]))
print("  %-8s round %d: %d pages in %.2f s = %.1f pages/s; crawler CPU %.3f "
      "ms/page; %srecords per node %s, %d recorded twice" % (
          r["name"], r["round"], r["pages"], r["wall"], r["pps"],
          r["crawler_cpu_ms_per_page"], redis, r["records_per_node"],
          r["dup_records"]))
if not r["name"].startswith("plain"):
    print("           per page: " + r["top"])
print("           check: " + r["check"])'
}

CONFIGS=("plain 1" "plain-w2 1" "redis-1 1" "redis-2 2" "redis-3 3")
for round in $(seq 1 "$ROUNDS"); do
  echo
  echo "== round $round (load $(cat /proc/loadavg))"
  order=("${CONFIGS[@]}")
  if (( round % 2 == 0 )); then
    order=()
    for (( i = ${#CONFIGS[@]} - 1; i >= 0; --i )); do order+=("${CONFIGS[$i]}"); done
  fi
  for c in "${order[@]}"; do
    # shellcheck disable=SC2086
    run_config $c "$round"
  done
done

echo
echo "== summary ($ROUNDS rounds; pages/s as min-max over rounds; per page: mean)"
python3 - "$WORK/rows" <<'EOF'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = collections.OrderedDict()
for r in rows:
    by.setdefault(r["name"], []).append(r)
base = by.get("plain")
base_pps = sum(r["pps"] for r in base) / len(base) if base else 0
print("| run | nodes | pages/s | vs plain (mean) | crawler CPU ms/page | Redis CPU ms/page | crawler + Redis CPU ms/page | Redis commands/page | EVALSHA/page | all ok |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for name in ("plain", "plain-w2", "redis-1", "redis-2", "redis-3"):
    rs = by.get(name)
    if not rs:
        continue
    mean = lambda k: sum(r[k] for r in rs) / len(rs)
    pps = sorted(r["pps"] for r in rs)
    ok = all(r["check"].startswith("ok") and r["dup_records"] == 0 for r in rs)
    print("| %s | %d | %s | %s | %.3f | %s | %.3f | %s | %s | %s |" % (
        name, rs[0]["nodes"],
        "%.0f" % pps[0] if len(pps) == 1 else "%.0f-%.0f" % (pps[0], pps[-1]),
        "%.0f %%" % (100 * mean("pps") / base_pps) if base_pps else "-",
        mean("crawler_cpu_ms_per_page"),
        "-" if name.startswith("plain") else "%.3f" % mean("redis_cpu_ms_per_page"),
        mean("crawler_cpu_ms_per_page") + (0 if name.startswith("plain")
                                           else mean("redis_cpu_ms_per_page")),
        "-" if name.startswith("plain") else "%.2f" % mean("cmds_per_page"),
        "-" if name.startswith("plain") else "%.3f" % mean("evalsha_per_page"),
        "yes" if ok else "NO"))
bad = [r for r in rows if not (r["check"].startswith("ok") and r["dup_records"] == 0)]
sys.exit(1 if bad else 0)
EOF
