#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and
# benchmark, and the npm packages of the WARC interoperability test
# (`npm ci` in tests/testdata/warcio). Idempotent: when everything is present it prints nothing and
# returns in well under a second. Needs root (or sudo) only when installing.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap      # Bazel 4.2.3, the only Bazel that works offline here
  bazel-rules-java     # local rules_java for Bazel 4.2.3 (see WORKSPACE)
  g++                  # C++20 compiler (g++ 12)
  libcurl4-openssl-dev # HTTP client (libcurl 7.88)
  libgumbo-dev         # HTML5 parser (gumbo 0.10.1)
  libre2-dev           # RE2 regular expressions for scope include/exclude: linear time, no backtracking blow-up on hostile URLs
  libpsl-dev           # libpsl: registered domains (eTLD+1) from the maintained Public Suffix List, for --scope domain
  publicsuffix         # the distribution's current Public Suffix List, newer than libpsl's built-in copy
  libexpat1-dev        # expat XML parser for sitemaps: no I/O of its own, entity declarations refusable (XXE, billion laughs)
  zlib1g-dev           # zlib, gunzip of .xml.gz sitemaps with a decompressed-size cap; the gzip members of .warc.gz files
  libisal-dev          # Intel ISA-L's igzip: the gzip member of each WARC record, about twice libdeflate's speed (AVX2/AVX-512), for --warc's cost budget
  libssl-dev           # OpenSSL's libcrypto: the SHA-1 of WARC-Block-Digest and WARC-Payload-Digest (--warc)
  libbrotli-dev        # brotli decoder: `crawler warc cat` decodes br payloads
  libzstd-dev          # zstd decoder: `crawler warc cat` decodes zstd payloads
  libsqlite3-dev       # SQLite 3.40: crawl state between runs (--state): resume, incremental re-crawl, change reports
  libxxhash-dev        # xxHash 0.8: XXH3-128 of each page body, the content hash --state compares between runs (0.8 us for a 14.8 KB page, SHA-1 7.6 us)
  libyaml-cpp-dev      # yaml-cpp 0.7: crawl files (crawler run / validate), parsed with line and column of every node
  doctest-dev          # unit-test framework (header only)
  nlohmann-json3-dev   # JSON parser, used by tests to read the crawler's output
  tzdata               # time zones: crawler schedule's local time; the cron parser's daylight-saving tests (New York, Berlin, Lord Howe)
  python3              # loopback test servers (standard library only)
  procps               # ps/pgrep, used by tests to check for leftover processes
  nginx-light          # loopback web server for the fetch benchmark and the TLS tests (ssl, http2)
  openssl              # openssl CLI: the TLS tests make their CA and certificates at run time
  wrk                  # HTTP load generator, the benchmark's baseline
  libcpp-httplib-dev   # cpp-httplib 0.11: the HTTP server of the --metrics process (/metrics, /status)
  chromium             # headless browser: the test that renders the --report HTML and checks its charts
  time                 # /usr/bin/time: CPU time of a crawl in bench/run.sh (its --smoke mode is //tests/bench)
  curl                 # curl CLI: bench/run.sh probes nginx before a crawl
  libhiredis-dev       # hiredis 0.14: the Redis client of the shared frontier (--frontier redis://, issue 8)
  redis-server         # Redis 7.0: each Redis test starts its own loopback server (no persistence); never the system service
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm for the WARC interoperability test (below), unless a
# node with npm is there already (e.g. from another source than Debian's).
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: done" >&2
fi

# warcio, an independent WARC reader, for //tests/e2e:warc_interop_test:
# the versions pinned by tests/testdata/warcio/package-lock.json.
WARCIO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/testdata/warcio"
if [ ! -f "$WARCIO_DIR/node_modules/warcio/package.json" ]; then
  echo "setup: npm ci in tests/testdata/warcio" >&2
  (cd "$WARCIO_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
