#!/usr/bin/env bash
# Sets everything up, builds, and runs every test; the README's test command.
#
# Prints Bazel's per-target results, then a check that no test left a process
# behind, then one last line "N passed, N failed" that counts doctest test
# cases across all test binaries (a binary that crashed before printing its
# summary counts as one failed case). Exits non-zero on any failure.
#
# Extra arguments go to `bazel test` (e.g. a target pattern or --config).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(//...)

# Processes started by tests run from Bazel's execroot; remember what is
# already there so that only new leftovers are reported.
list_test_procs() {
  ps -eo pid=,args= | grep -E 'execroot|_bazel_root/.*/(sandbox|bin)/' |
    grep -vE 'bazel\(|A-server\.jar|grep -E' | awk '{print $1}' | sort
}
before=$(list_test_procs)
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT

bazel test --nocache_test_results "${targets[@]}"
rc=$?

passed=0
failed=0
testlogs=$(bazel info bazel-testlogs 2>/dev/null)
if [ -n "$testlogs" ] && [ -d "$testlogs" ]; then
  while IFS= read -r log; do
    line=$(grep -a '^\[doctest\] test cases:' "$log" | tail -n 1)
    if [ -z "$line" ]; then
      echo "no doctest summary in ${log#$testlogs/} (crashed or not a doctest binary)"
      failed=$((failed + 1))
      continue
    fi
    p=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$line")
    passed=$((passed + p))
    failed=$((failed + f))
  done < <(find -L "$testlogs" -name test.log -newer "$marker" 2>/dev/null | sort)
fi

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

if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "bazel test failed (build error or a test target failed without a doctest failure)"
  failed=1
fi
echo "${passed} passed, ${failed} failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
