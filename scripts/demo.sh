#!/usr/bin/env bash
# Quick start: sets everything up, builds the crawler, serves seeds/demo-site
# on 127.0.0.1 (so it works without internet access), and fetches its pages
# plus a missing page, a refused port and a malformed URL with
# `crawler fetch`. The server is stopped on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bazel build //crawler/cli:crawler

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory seeds/demo-site \
  >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.1)" \
    2>/dev/null && break
  sleep 0.1
done

base="http://127.0.0.1:$port"
echo "crawler fetch over $base (loopback needs --allow-private):" >&2
printf '%s\n' "$base/" "$base/about.html" "$base/articles/first.html" \
  "$base/articles/second.html" "$base/report.pdf" "$base/missing.html" \
  "http://127.0.0.1:1/refused" "http://bad host/" |
  bazel-bin/crawler/cli/crawler fetch --allow-private --ordered --workers 2 "$@"
