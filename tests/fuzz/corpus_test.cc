// Replays every seed corpus file (fuzz/corpus/<target>/) and every minimized
// crash input (fuzz/crashes/<target>/) through the checks the libFuzzer
// targets run (fuzz/fuzz_checks.h), so the corpora stay a regression suite in
// CI: under ASan and UBSan a crash input that still crashes fails here too.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/testing/test_util.h"
#include "fuzz/fuzz_checks.h"

namespace crawler::fuzz {
namespace {

namespace fs = std::filesystem;

using CheckFn = std::string (*)(std::string_view);

const std::map<std::string, CheckFn>& Targets() {
  static const auto* targets = new std::map<std::string, CheckFn>{
      {"cron", &CheckCron},
      {"html", &CheckHtml},
      {"ipc", &CheckIpc},
      {"retry_after", &CheckRetryAfter},
      {"robots", &CheckRobots},
      {"sitemap", &CheckSitemap},
      {"url", &CheckUrl},
      {"warc", &CheckWarc},
  };
  return *targets;
}

// The fuzz/ directory in the runfiles tree (or the workspace, when run from
// its root), or an empty path.
fs::path FuzzDir() {
  std::vector<fs::path> roots;
  for (const char* var : {"TEST_SRCDIR", "RUNFILES_DIR"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') roots.push_back(fs::path(v) / "crawler");
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back(fs::path(exe.string() + ".runfiles") / "crawler");
  roots.push_back(".");
  for (const fs::path& root : roots) {
    if (fs::is_directory(root / "fuzz" / "corpus", ec)) return root / "fuzz";
  }
  return {};
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The regular files under `dir` (following the runfiles symlinks), sorted.
std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (fs::is_regular_file(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The entries of fuzz/crashes/KNOWN_OPEN: crash inputs ("url/name",
// relative to fuzz/crashes/) whose bug is not fixed yet.
std::set<std::string> KnownOpen(const fs::path& fuzz) {
  std::set<std::string> open;
  std::ifstream in(fuzz / "crashes" / "KNOWN_OPEN");
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) {
      line.pop_back();
    }
    if (!line.empty() && line[0] != '#') open.insert(line);
  }
  return open;
}

// Runs `target`'s check on every file of `dir` but those in `skip` (paths
// relative to dir's parent); returns how many were checked.
size_t Replay(const std::string& target, const fs::path& dir,
              const std::set<std::string>& skip = {}) {
  CheckFn check = Targets().at(target);
  size_t n = 0;
  for (const fs::path& file : FilesIn(dir)) {
    if (skip.count(target + "/" + file.filename().string()) != 0) continue;
    std::string error = check(ReadFile(file));
    CHECK_MESSAGE(error.empty(), file.string() << ": " << error);
    ++n;
  }
  return n;
}

TEST_CASE("every seed corpus and crash input passes its target's checks") {
  fs::path fuzz = FuzzDir();
  REQUIRE_MESSAGE(!fuzz.empty(),
                  "fuzz/corpus not found in the runfiles ($TEST_SRCDIR)");
  for (const auto& [target, check] : Targets()) {
    CAPTURE(target);
    size_t seeds = Replay(target, fuzz / "corpus" / target);
    // A few dozen hand-made seeds per target; fewer means a broken data dep.
    CHECK(seeds >= 15);
    Replay(target, fuzz / "crashes" / target, KnownOpen(fuzz));
  }
}

// A crash input listed in KNOWN_OPEN documents a bug that its owner has not
// fixed yet: it must still exist and still break its target's check (run
// under ASan/UBSan too, so a memory error there still fails CI). Once the
// bug is fixed this fails: delete the line from KNOWN_OPEN.
TEST_CASE("known open crash inputs still reproduce (fuzz/crashes/KNOWN_OPEN)") {
  fs::path fuzz = FuzzDir();
  REQUIRE(!fuzz.empty());
  for (const std::string& entry : KnownOpen(fuzz)) {
    CAPTURE(entry);
    fs::path file = fuzz / "crashes" / entry;
    std::error_code ec;
    REQUIRE_MESSAGE(fs::is_regular_file(file, ec),
                    "KNOWN_OPEN lists a missing file");
    std::string target = fs::path(entry).parent_path().string();
    REQUIRE(Targets().count(target) == 1);
    std::string error = Targets().at(target)(ReadFile(file));
    CHECK_MESSAGE(!error.empty(),
                  entry << " passes now: its bug is fixed, so delete it from "
                           "fuzz/crashes/KNOWN_OPEN");
    MESSAGE("open bug, " << entry << ": " << error);
  }
}

TEST_CASE("corpus and crash directories are named after a target") {
  fs::path fuzz = FuzzDir();
  REQUIRE(!fuzz.empty());
  for (const char* kind : {"corpus", "crashes"}) {
    std::error_code ec;
    if (!fs::is_directory(fuzz / kind, ec)) continue;
    for (const auto& entry : fs::directory_iterator(fuzz / kind)) {
      if (!entry.is_directory()) continue;
      std::string name = entry.path().filename().string();
      CHECK_MESSAGE(Targets().count(name) == 1,
                    kind << "/" << name << " is not a fuzz target");
    }
  }
}

TEST_CASE("the checks accept well-formed inputs of each parser") {
  CHECK(CheckRobots(std::string_view("User-agent: *\nDisallow: /\0/x", 29))
            .empty());
  CHECK(CheckUrl("HTTP://Example.com:80/a/../b?utm_source=x#f").empty());
  CHECK(CheckHtml("<title>t</title><a href=/a>a</a>").empty());
  CHECK(
      CheckSitemap("<urlset><url><loc>http://a/</loc></url></urlset>").empty());
  CHECK(CheckIpc(std::string_view("\x01\x01\x07\x01u\x01\x00\x00", 8)).empty());
  CHECK(CheckRetryAfter("120").empty());
  CHECK(CheckWarc("WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 41"
                  "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                  "\r\n\r\n")
            .empty());
  CHECK(CheckRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT").empty());
  // Garbage is not a violation: decoders fail cleanly.
  CHECK(CheckIpc("\xff\xff\xff").empty());
  CHECK(CheckSitemap(std::string_view("\x1f\x8b\x08\x00\x00", 5)).empty());
}

}  // namespace
}  // namespace crawler::fuzz
