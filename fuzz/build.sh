#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (Debian clang-14 and
# libclang-rt-14-dev), outside Bazel: the Bazel toolchain here is g++, which
# has no libFuzzer. Every target is instrumented with ASan and UBSan (UBSan
# findings abort, so libFuzzer records them as crashes).
#
# Usage: fuzz/build.sh [OUT_DIR]   (default fuzz/out; binaries in OUT/bin)
# Env: CXX (default clang++-14), JOBS (parallel compiles, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-fuzz/out}
CXX=${CXX:-clang++-14}
jobs=${JOBS:-2}
mkdir -p "$out/obj" "$out/bin"

flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -I.
  -fsanitize=address,undefined -fno-sanitize-recover=undefined
  -fsanitize-address-use-after-scope)
# Sources the targets need: the pure parsers, their base, and the shared
# checks (fuzz/fuzz_checks.cc, also used by tests/fuzz/corpus_test.cc).
srcs=(crawler/base/status.cc crawler/robots/robots.cc crawler/url/url.cc
  crawler/html/html_extractor.cc crawler/html/markup_compactor.cc
  crawler/sitemap/sitemap.cc
  crawler/mp/wire.cc crawler/ipc/messages.cc
  crawler/coordinator/retry_after.cc crawler/schedule/cron.cc
  crawler/warc/warc_reader.cc crawler/warc/warc_record.cc
  crawler/warc/gzip_member.cc crawler/warc/http_message.cc
  crawler/warc/content_decoding.cc
  fuzz/fuzz_checks.cc)
targets=(robots url html sitemap ipc retry_after cron warc)

compile() {  # compile SRC OBJ EXTRA_FLAG
  echo "  CXX $1"
  nice -n 19 "$CXX" "${flags[@]}" "$3" -c "$1" -o "$2"
}
objs=()
pids=()
for s in "${srcs[@]}"; do
  o="$out/obj/$(echo "$s" | tr / _).o"
  objs+=("$o")
  compile "$s" "$o" -fsanitize=fuzzer-no-link &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done

for t in "${targets[@]}"; do
  echo "  LINK $out/bin/${t}_fuzzer"
  nice -n 19 "$CXX" "${flags[@]}" -fsanitize=fuzzer "fuzz/${t}_fuzzer.cc" \
    "${objs[@]}" -o "$out/bin/${t}_fuzzer" -lcurl -lgumbo -lexpat -lz -lisal \
    -lbrotlidec -lzstd
done
echo "built: $(cd "$out/bin" && echo *_fuzzer)"
