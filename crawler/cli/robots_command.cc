#include "crawler/cli/robots_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/robots/robots.h"
#include "crawler/url/url.h"

namespace crawler::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadUrl = 1;
constexpr int kExitUsage = 2;

struct RobotsCheckFlags {
  bool help = false;
  std::string robots_file;  // --robots FILE
  std::string agent;        // --agent UA
  bool has_robots = false;
  bool has_agent = false;
  std::vector<std::string> urls;
};

// Quotes `s` for a message: at most 200 bytes, control bytes as \xNN.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 200;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

// Parses the arguments after "check".
StatusOr<RobotsCheckFlags> ParseCheckFlags(const std::vector<std::string>& args,
                                           size_t first) {
  RobotsCheckFlags flags;
  bool only_urls = false;
  for (size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_urls || a.empty() || a[0] != '-' || a == "-") {
      flags.urls.push_back(a);
      continue;
    }
    if (a == "--") {
      only_urls = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      flags.help = true;
      continue;
    }
    std::string name = a;
    std::string value;
    bool has_value = false;
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (name != "--robots" && name != "--agent") {
      return InvalidArgumentError("unknown flag " + Quote(a) +
                                  " (expected --robots FILE, --agent UA, "
                                  "--help, or '--' before URLs that start "
                                  "with '-')");
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return InvalidArgumentError(
            name + " expects a value: " +
            (name == "--robots" ? "the path of a robots.txt file"
                                : "a user agent such as 'Crawler/0.1'"));
      }
      value = args[++i];
    }
    if (name == "--robots") {
      if (flags.has_robots) {
        return InvalidArgumentError("--robots given twice; give one file");
      }
      flags.robots_file = value;
      flags.has_robots = true;
    } else {
      if (flags.has_agent) {
        return InvalidArgumentError("--agent given twice; give one agent");
      }
      flags.agent = value;
      flags.has_agent = true;
    }
  }
  if (flags.help) return flags;
  if (!flags.has_robots) {
    return InvalidArgumentError(
        "missing --robots FILE: give the robots.txt file to check against");
  }
  if (flags.robots_file.empty()) {
    return InvalidArgumentError("--robots expects a file path, got ''");
  }
  if (!flags.has_agent) {
    return InvalidArgumentError(
        "missing --agent UA: give the crawler's user agent or product token, "
        "e.g. --agent 'Crawler/0.1'");
  }
  if (robots::ProductToken(flags.agent).empty()) {
    return InvalidArgumentError(
        "--agent " + Quote(flags.agent) +
        " has no product token: it must start with letters, '_' or '-' "
        "(RFC 9309 2.2.1), e.g. 'Crawler/0.1'");
  }
  if (flags.urls.empty()) {
    return InvalidArgumentError("no URL to check: give one or more URLs");
  }
  return flags;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads what Parse() can use of the file: up to the parse limit plus one byte
// (enough to know whether the line at the limit is complete).
StatusOr<std::string> ReadRobotsFile(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (f == nullptr) {
    return ErrnoError("cannot open robots file " + Quote(path), errno);
  }
  std::string body;
  const size_t want = robots::kMaxRobotsBytes + 1;
  body.resize(want);
  size_t got = 0;
  while (got < want) {
    const size_t n = std::fread(body.data() + got, 1, want - got, f.get());
    if (n == 0) break;
    got += n;
  }
  if (std::ferror(f.get())) {
    return ErrnoError("cannot read robots file " + Quote(path), errno);
  }
  body.resize(got);
  return body;
}

int UsageError(std::FILE* err, const Status& status) {
  std::fprintf(err,
               "crawler robots: %s\nRun 'crawler robots --help' for usage.\n",
               status.message().c_str());
  return kExitUsage;
}

}  // namespace

const char* RobotsUsage() {
  return R"usage(Usage: crawler robots check --robots FILE --agent UA URL...

Checks each URL against the robots.txt FILE as the crawler would (RFC 9309)
and prints "allowed URL" or "disallowed URL", one line per URL, in order.

  --robots FILE   the robots.txt to check against (only its first 500 KiB
                  are read, as when crawling)
  --agent UA      the user agent: a product token ("Crawler") or a full
                  User-Agent value ("Crawler/0.1 (+https://x)"); groups
                  are matched on its product token, case-insensitively
  -h, --help      print this help
  --              treat every later argument as a URL

Only the path and query of each URL are matched; the scheme and host are
ignored. Exit status: 0 when every URL was checked, 1 when some URL was not a
valid absolute http(s) URL (the others are still printed), 2 on a usage error
or an unreadable robots file.
)usage";
}

int RunRobotsCommand(const std::vector<std::string>& args, std::FILE* out,
                     std::FILE* err) {
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") {
      std::fputs(RobotsUsage(), out);
      return kExitOk;
    }
  }
  if (args.empty()) {
    return UsageError(err, InvalidArgumentError(
                               "missing subcommand: use 'crawler robots check "
                               "--robots FILE --agent UA URL...'"));
  }
  if (args[0] != "check") {
    return UsageError(
        err, InvalidArgumentError("unknown subcommand " + Quote(args[0]) +
                                  " (the only one is 'check')"));
  }
  StatusOr<RobotsCheckFlags> flags = ParseCheckFlags(args, 1);
  if (!flags.ok()) return UsageError(err, flags.status());

  StatusOr<std::string> body = ReadRobotsFile(flags->robots_file);
  if (!body.ok()) {
    std::fprintf(err, "crawler robots: %s; check the path given to --robots\n",
                 body.status().message().c_str());
    return kExitUsage;
  }
  const robots::RobotsPolicy policy =
      robots::RobotsPolicy::Parse(*body, robots::ProductToken(flags->agent));

  int exit_code = kExitOk;
  for (const std::string& u : flags->urls) {
    StatusOr<std::string> normalized = url::NormalizeUrl(u);
    StatusOr<url::UrlParts> parts =
        normalized.ok() ? url::SplitUrl(*normalized)
                        : StatusOr<url::UrlParts>(normalized.status());
    if (!parts.ok()) {
      std::fprintf(err, "crawler robots: skipped URL %s: %s\n",
                   Quote(u).c_str(), parts.status().message().c_str());
      exit_code = kExitBadUrl;
      continue;
    }
    const bool allowed = policy.IsAllowed(parts->path_and_query);
    std::fprintf(out, "%s %s\n", allowed ? "allowed" : "disallowed", u.c_str());
  }
  if (std::fflush(out) != 0 || std::ferror(out)) {
    std::fprintf(err, "crawler robots: cannot write the results: %s\n",
                 std::strerror(errno));
    return kExitBadUrl;
  }
  return exit_code;
}

}  // namespace crawler::cli
