#include "crawler/cli/url_command.h"

#include <cstdio>
#include <string>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/url/url.h"

namespace crawler::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadUrl = 1;
constexpr int kExitUsage = 2;

constexpr char kUsage[] =
    R"(Usage: crawler url resolve [--strip-param GLOB]... [--] BASE HREF

Resolves HREF against BASE as the crawler does for links, and prints the
absolute normalized URL. HREF is cleaned as browsers do (surrounding spaces
and control characters, tabs, backslashes; but a CR or LF inside HREF makes
it malformed), resolved (RFC 3986 section 5) and normalized: lowercase
scheme and host, IDN host in punycode, default port dropped, dot-segments
removed, percent-encoding normalized, fragment dropped, empty path as "/".

Options:
  --strip-param GLOB  remove query parameters (and ;name=value path
                      parameters) whose names match GLOB ('*', '?',
                      case-insensitive), e.g. 'utm_*'; repeatable
  --                  end of options (for an HREF starting with '-')
  -h, --help          show this help

Exit status: 0 printed, 1 BASE or the result is not a valid http(s) URL
(message on stderr), 2 usage error.
)";

int Usage(std::FILE* err, const std::string& message) {
  std::fprintf(err, "crawler url: %s (see crawler url --help)\n",
               message.c_str());
  return kExitUsage;
}

bool WantsHelp(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

int RunResolve(const std::vector<std::string>& args, std::FILE* out,
               std::FILE* err) {
  url::UrlOptions options;
  std::vector<std::string> operands;
  bool only_operands = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_operands || a.empty() || a[0] != '-' || a == "-") {
      operands.push_back(a);
    } else if (a == "--") {
      only_operands = true;
    } else if (a == "--strip-param") {
      if (i + 1 == args.size()) {
        return Usage(err, "resolve: --strip-param needs a GLOB");
      }
      options.strip_query_params.push_back(args[++i]);
    } else if (a.rfind("--strip-param=", 0) == 0) {
      options.strip_query_params.push_back(a.substr(a.find('=') + 1));
    } else {
      return Usage(err, "resolve: unknown flag '" + a +
                            "' (put -- before an HREF that starts with '-')");
    }
  }
  if (operands.size() != 2) {
    return Usage(err, "resolve: expected BASE and HREF, got " +
                          std::to_string(operands.size()) + " argument" +
                          (operands.size() == 1 ? "" : "s"));
  }
  StatusOr<url::UrlResolver> resolver =
      url::UrlResolver::Create(operands[0], options);
  if (!resolver.ok()) {
    std::fprintf(err, "crawler url resolve: bad BASE: %s\n",
                 resolver.status().message().c_str());
    return kExitBadUrl;
  }
  StatusOr<std::string> resolved = resolver->Resolve(operands[1]);
  if (!resolved.ok()) {
    std::fprintf(err, "crawler url resolve: %s\n",
                 resolved.status().message().c_str());
    return kExitBadUrl;
  }
  if (std::fprintf(out, "%s\n", resolved->c_str()) < 0 ||
      std::fflush(out) != 0) {
    std::fprintf(err, "crawler url resolve: cannot write the result\n");
    return kExitBadUrl;
  }
  return kExitOk;
}

}  // namespace

const char* UrlUsage() { return kUsage; }

int RunUrlCommand(const std::vector<std::string>& args, std::FILE* out,
                  std::FILE* err) {
  if (WantsHelp(args)) {
    std::fputs(kUsage, out);
    return kExitOk;
  }
  if (args.empty()) return Usage(err, "missing subcommand (expected: resolve)");
  const std::string& command = args[0];
  if (command == "resolve") return RunResolve(args, out, err);
  if (!command.empty() && command[0] == '-') {
    return Usage(err, "unknown flag '" + command + "' (expected: resolve)");
  }
  return Usage(err, "unknown subcommand '" + command + "' (expected: resolve)");
}

}  // namespace crawler::cli
