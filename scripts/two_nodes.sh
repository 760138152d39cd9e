#!/usr/bin/env bash
# A crawl shared by two nodes through Redis, end to end on one machine
# (README "Several nodes, one crawl"; docs/redis.md): starts a redis-server
# of its own on a free loopback port (append-only file on, so a restart
# loses nothing), serves the generated test site under 24 host names, runs
# two `crawler crawl --frontier` nodes at once, shows `crawler status`
# while they run and at the end, and checks that every expected URL was
# recorded exactly once across the two nodes' files. Everything it starts
# is stopped on exit, also on failure. Usage:
#
#   bash scripts/two_nodes.sh [PAGES]        # default 100 pages per host
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-100}
hosts=24

bash scripts/setup.sh
bazel build //crawler/cli:crawler
crawler=bazel-bin/crawler/cli/crawler

work=$(mktemp -d /tmp/two-nodes.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' \
  --appendonly yes --appendfsync everysec --dir "$work/redis" \
  --logfile "$work/redis/redis.log" &
pids+=($!)
for _ in $(seq 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
frontier="redis://127.0.0.1:$redis_port/0"

python3 -u tests/testdata/site_server.py --port 0 --pages "$pages" \
  --slow-ms 5 >"$work/site.out" 2>"$work/site.err" &
pids+=($!)
for _ in $(seq 50); do
  grep -q READY "$work/site.out" 2>/dev/null && break
  sleep 0.1
done
site_port=$(awk '/READY/ {print $2}' "$work/site.out")
seeds=()
for i in $(seq 1 "$hosts"); do seeds+=("http://h$i.test:$site_port/"); done

echo "== redis $frontier, site on port $site_port as h1.test ... h$hosts.test" >&2
node() {
  "$crawler" crawl --allow-private --resolve "*.test:$site_port:127.0.0.1" \
    --delay 0.01 --frontier "$frontier" --crawl-name demo --node-id "$1" \
    -o "$work/pages.jsonl" "${seeds[@]}" 2>"$work/$1.err"
}
node n1 &
n1=$!
pids+=($n1)
node n2 &
n2=$!
pids+=($n2)
sleep 2
echo "== crawler status, 2 s in" >&2
"$crawler" status --frontier "$frontier" --crawl-name demo || true
wait "$n1"
wait "$n2"
echo "== crawler status, at the end" >&2
"$crawler" status --frontier "$frontier" --crawl-name demo
echo "== the last line of each node" >&2
tail -n 1 "$work/n1.err" "$work/n2.err"

echo "== records" >&2
wc -l "$work"/pages.n1.jsonl "$work"/pages.n2.jsonl
python3 - "$work" "$site_port" "$hosts" <<'PY'
import json, sys, urllib.request
work, port, hosts = sys.argv[1], sys.argv[2], int(sys.argv[3])
records = []
for node in ("n1", "n2"):
    with open(f"{work}/pages.{node}.jsonl") as f:
        records += [json.loads(line) for line in f]
urls = [r["url"] for r in records]
dups = len(urls) - len(set(urls))
# The expected crawl of one host name, as the site server computes it (its
# URLs are on 127.0.0.1:PORT), once per host name.
one = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/__expected"))
self = f"http://127.0.0.1:{port}"
expected = {f"http://h{i}.test:{port}" + u[len(self):]
            for u in one for i in range(1, hosts + 1)}
fetched = {r["url"] for r in records
           if not str(r.get("error") or "").startswith("blocked_by_robots")}
print(f"{len(urls)} records, {dups} URLs recorded twice, "
      f"{len(expected)} URLs expected, {len(expected - fetched)} missing, "
      f"{len(fetched - expected)} unexpected")
sys.exit(0 if dups == 0 and expected == fetched else 1)
PY
echo "== the records and logs are in $work" >&2
