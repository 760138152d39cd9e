#!/usr/bin/env bash
# Sets everything up, builds, and runs every test; the README's test command.
#
# Runs the whole suite three times: as built normally, under AddressSanitizer
# (with LeakSanitizer) and under UndefinedBehaviorSanitizer (.bazelrc configs
# asan and ubsan). Prints Bazel's per-target results, a check that no test
# left a process behind, then one last line "N passed, N failed" that counts
# doctest test cases across all test binaries and all three runs (a binary
# that crashed before printing its summary counts as one failed case). Exits
# non-zero on any failure.
#
# Options: --quick runs only the normal build. Other arguments go to
# `bazel test` (e.g. a target pattern).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

configs=("" "--config=asan" "--config=ubsan")
targets=()
for a in "$@"; do
  if [ "$a" = "--quick" ]; then configs=(""); else targets+=("$a"); fi
done
[ ${#targets[@]} -eq 0 ] && targets=(//...)

# Processes started by tests run from Bazel's execroot; remember what is
# already there so that only new leftovers are reported.
list_test_procs() {
  ps -eo pid=,args= | grep -E 'execroot|_bazel_root/.*/(sandbox|bin)/' |
    grep -vE 'bazel\(|A-server\.jar|grep -E' | awk '{print $1}' | sort
}
before=$(list_test_procs)

rc=0
passed=0
failed=0
for cfg in "${configs[@]}"; do
  name=${cfg#--config=}
  [ -z "$name" ] && name=default
  echo "=== tests: ${name} build"
  marker=$(mktemp)
  # shellcheck disable=SC2086
  bazel test $cfg --nocache_test_results "${targets[@]}"
  run_rc=$?
  [ "$run_rc" -ne 0 ] && rc=$run_rc
  # shellcheck disable=SC2086
  testlogs=$(bazel info $cfg bazel-testlogs 2>/dev/null)
  p_run=0
  f_run=0
  if [ -n "$testlogs" ] && [ -d "$testlogs" ]; then
    while IFS= read -r log; do
      line=$(grep -a '^\[doctest\] test cases:' "$log" | tail -n 1)
      if [ -z "$line" ]; then
        echo "no doctest summary in ${log#$testlogs/} (crashed or not a doctest binary)"
        f_run=$((f_run + 1))
        continue
      fi
      p=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$line")
      f=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$line")
      p_run=$((p_run + p))
      f_run=$((f_run + f))
    done < <(find -L "$testlogs" -name test.log -newer "$marker" 2>/dev/null | sort)
  fi
  rm -f "$marker"
  if [ "$run_rc" -ne 0 ] && [ "$f_run" -eq 0 ]; then
    echo "bazel test (${name}) failed: a build error or a target failed without a doctest failure"
    f_run=1
  fi
  echo "=== ${name}: ${p_run} passed, ${f_run} failed"
  passed=$((passed + p_run))
  failed=$((failed + f_run))
done

sleep 0.5
after=$(list_test_procs)
leftover=$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^$' || true)
if [ -n "$leftover" ]; then
  echo "processes left behind by tests:"
  for pid in $leftover; do ps -o pid=,args= -p "$pid" || true; done
  failed=$((failed + 1))
  rc=1
else
  echo "no test processes left behind"
fi

echo "${passed} passed, ${failed} failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
