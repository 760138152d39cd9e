// libFuzzer target: crawler::fuzz::CheckWarc (see fuzz/fuzz_checks.h) on
// every input. Built by fuzz/build.sh; run by fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string error = crawler::fuzz::CheckWarc(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!error.empty()) {
    std::fprintf(stderr, "warc_fuzzer: property violated: %s\n", error.c_str());
    std::abort();
  }
  return 0;
}
