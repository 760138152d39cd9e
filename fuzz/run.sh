#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ for a bounded time, at most JOBS at
# once, at the lowest CPU priority (nice -n 19), then prints per target:
# executions, exec/s, wall time, coverage gained (edges "cov" and features
# "ft" from the seed corpus to the end of the run), new corpus entries and
# crashes.
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
#   SECONDS  time per target (default 600); TARGET in robots url html sitemap
#            ipc retry_after cron warc (default all). Builds first when a binary is
#            missing.
# Env: OUT (default fuzz/out), JOBS (default 2), KEEP_GOING=1 to go on after
#   a crash (libFuzzer -fork=1 -ignore_crashes=1: every crash input is saved
#   and the target runs its whole time; for a target with a known open bug).
#
# Layout under OUT (git-ignored scratch, never committed as is):
#   bin/<t>_fuzzer       the binaries (fuzz/build.sh)
#   corpus/<t>/          new corpus entries found (seeds stay in fuzz/corpus/<t>)
#   artifacts/<t>/       crash-*, leak-*, timeout-*, oom-* inputs
#   logs/<t>.log         libFuzzer's output; summary.tsv the table below
# A crash: minimize it with
#   OUT/bin/<t>_fuzzer -minimize_crash=1 -runs=10000 OUT/artifacts/<t>/crash-...
# then commit it under fuzz/crashes/<t>/ (tests/fuzz replays it).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(robots url html sitemap ipc retry_after cron warc)
out=${OUT:-fuzz/out}
jobs=${JOBS:-2}
keep_going=()
[ "${KEEP_GOING:-0}" = 1 ] && keep_going=(-fork=1 -ignore_crashes=1)

for t in "${targets[@]}"; do
  if [ ! -x "$out/bin/${t}_fuzzer" ]; then bash fuzz/build.sh "$out" || exit 1; fi
done

max_len() {
  case "$1" in
    html | sitemap | warc) echo 65536 ;;
    robots) echo 16384 ;;
    url) echo 10000 ;;
    retry_after | cron) echo 256 ;;
    *) echo 4096 ;;
  esac
}

# Extra libFuzzer flags per target. url: libcurl 7.88.1 leaks a few bytes per
# IDN host (inside libcurl, suppressed in url_fuzzer.cc), and libFuzzer then
# runs a full LeakSanitizer scan after every such input, which slows the
# target down twentyfold; leaks in crawler/url are caught by the Bazel ASan
# (LSan) run of tests/url and tests/fuzz instead.
extra_flags() {
  case "$1" in
    url) echo -detect_leaks=0 ;;
  esac
}

run_one() {
  local t=$1
  mkdir -p "$out/corpus/$t" "$out/artifacts/$t" "$out/logs"
  local dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  local start end
  start=$(date +%s)
  nice -n 19 "$out/bin/${t}_fuzzer" -max_total_time="$seconds" \
    -print_final_stats=1 -timeout=25 -rss_limit_mb=2048 \
    -max_len="$(max_len "$t")" $(extra_flags "$t") "${dict[@]}" \
    "${keep_going[@]}" \
    -artifact_prefix="$out/artifacts/$t/" \
    "$out/corpus/$t" "fuzz/corpus/$t" >"$out/logs/$t.log" 2>&1
  echo "rc=$? wall=$(($(date +%s) - start))" >"$out/logs/$t.rc"
}

echo "fuzz/run.sh: ${targets[*]}, ${seconds} s each, ${jobs} at a time; logs in $out/logs"
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
wait

stat() {  # stat LOG NAME: a libFuzzer final stat
  grep -m1 "^stat::$2:" "$1" | awk '{print $2}'
}
status=0
{
  printf 'target\texecutions\texec/s\ttime_s\tcov_start\tcov_end\tft_start\tft_end\tnew_units\tcrashes\n'
  for t in "${targets[@]}"; do
    log="$out/logs/$t.log"
    wall=$(sed -n 's/.*wall=\([0-9]*\).*/\1/p' "$out/logs/$t.rc")
    # -fork=1 logs "#N: cov: ..." lines (no INITED line, no final stats).
    init=$(grep -m1 'INITED' "$log" || grep -m1 -E '^#[0-9]+: cov: ' "$log")
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
    execs=$(stat "$log" number_of_executed_units)
    speed=$(stat "$log" average_exec_per_sec)
    if [ -z "$execs" ]; then
      execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
      [ -n "$execs" ] && [ "${wall:-0}" -gt 0 ] && speed=$((execs / wall))
    fi
    cov0=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$init")
    cov1=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft0=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$init")
    ft1=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
    crashes=$(find "$out/artifacts/$t" -type f | wc -l)
    [ "$crashes" -ne 0 ] && status=1
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" \
      "${execs:-?}" "${speed:-?}" "$wall" "${cov0:-?}" \
      "${cov1:-?}" "${ft0:-?}" "${ft1:-?}" \
      "$(stat "$log" new_units_added)" "$crashes"
  done
} | tee "$out/summary.tsv" | column -t -s $'\t'
for t in "${targets[@]}"; do
  n=$(find "$out/artifacts/$t" -type f | wc -l)
  [ "$n" -eq 0 ] && continue
  echo "CRASH $t: $n input(s) in $out/artifacts/$t (see $out/logs/$t.log); by kind:"
  # Replays each one and counts the kinds of failure.
  for f in "$out/artifacts/$t"/*; do
    line=$("$out/bin/${t}_fuzzer" -runs=1 $(extra_flags "$t") "$f" 2>&1 |
      grep -a -m1 -E 'property violated|ERROR: ')
    if [ -z "$line" ]; then echo "did not reproduce"; continue; fi
    # The violated property without the input; else the sanitizer's verdict.
    kind=$(sed -E "s/^[a-z]+_fuzzer: property violated: ([A-Za-z ()]+) of .*': /\1: /; s/'.*//; s/^==[0-9]+==//" <<<"$line")
    echo "${kind:0:120}"
  done | sort | uniq -c
done
exit "$status"
