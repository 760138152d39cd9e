// doctest entry point for every test binary in the repository.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <csignal>

int main(int argc, char** argv) {
  // A test that writes to a pipe whose reader died must see EPIPE, not die.
  std::signal(SIGPIPE, SIG_IGN);
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  return context.run();
}

// LeakSanitizer (bazel test --config=asan) reads its suppressions from this
// function. libcurl 7.88.1 leaks a few bytes per internationalized host name
// converted with CURLU_PUNYCODE (inside libcurl; nothing our code can free),
// so leaks whose stack is inside libcurl are not reported.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcurl.so\n";
}
