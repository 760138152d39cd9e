# The generated site of crawl_bench.sh and flag_cost.sh (sourced by both):
# PAGES pages from bench/site/make_site.py, seed 1, 10-20 KB and 20-40
# links a page, robots.txt disallowing one of its 20 sections, cached
# under $SITE_CACHE (default /tmp/crawler-bench-site) by generator version,
# size and seed.

# bench_crawl_site ROOT PAGES [LOG_FUNCTION]
# Sets SITE (its directory), SEED and DISALLOW; generates the site first
# when it is not cached (saying so with LOG_FUNCTION, if given).
bench_crawl_site() {
  local root="$1" pages="$2" log="${3:-}"
  SEED=1
  DISALLOW=opinion  # One of the 20 sections: 1/20 of the pages.
  local version
  version="$(sed -n 's/^VERSION = \([0-9]*\).*/\1/p' "$root/bench/site/make_site.py")"
  SITE="${SITE_CACHE:-/tmp/crawler-bench-site}/crawl-v${version}-p${pages}-s${SEED}"
  if [[ -f "$SITE/STAMP" ]]; then
    [[ -n "$log" ]] && "$log" "reusing the site in $SITE"
    return 0
  fi
  [[ -n "$log" ]] && "$log" "generating $pages pages into $SITE"
  rm -rf "$SITE.tmp.$$"
  python3 "$root/bench/site/make_site.py" --out "$SITE.tmp.$$" \
    --pages "$pages" --seed "$SEED" --size-range 10000,20000 \
    --links 20,40 --disallow "$DISALLOW" \
    --reachable "$SITE.tmp.$$/reachable.txt" || return 1
  rm -rf "$SITE"
  mv "$SITE.tmp.$$" "$SITE"
}
