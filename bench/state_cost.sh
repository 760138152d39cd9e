#!/usr/bin/env bash
# state_cost.sh: what --state costs `crawler crawl` in pages/s (issue 6: "the
# state costs under 10 % of pages/s"): flag_cost.sh with `--state DIR`, the
# state directory emptied before each run with it (every URL written as
# new: the most a run writes).
#
# Usage: bench/state_cost.sh [--rounds N] [--pages N] [-- MORE FLAGS]
#   (defaults: 10 rounds, 20000 pages); MORE FLAGS go to the run with the
#   state only. CRAWLER_BIN as for flag_cost.sh.
set -euo pipefail
ARGS=()
while [[ $# -gt 0 && "$1" != "--" ]]; do ARGS+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
exec "$(dirname "${BASH_SOURCE[0]}")/flag_cost.sh" "${ARGS[@]}" \
  --label state -- --state '{DIR}/state' "$@"
