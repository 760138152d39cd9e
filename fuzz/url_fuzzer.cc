// libFuzzer target: crawler::fuzz::CheckUrl (see fuzz/fuzz_checks.h) on
// every input. Built by fuzz/build.sh; run by fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string error = crawler::fuzz::CheckUrl(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!error.empty()) {
    std::fprintf(stderr, "url_fuzzer: property violated: %s\n", error.c_str());
    std::abort();
  }
  return 0;
}

// libcurl 7.88.1 leaks a few bytes per IDN host converted with
// CURLU_PUNYCODE, inside libcurl (see crawler/testing/doctest_main.cc): not
// reported, so that libFuzzer's leak check finds only our leaks.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcurl.so\n";
}
