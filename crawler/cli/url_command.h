// `crawler url resolve`: resolves an href against a base URL the way the
// crawler does for every link it finds (crawler/url), and prints the result.
//
//   crawler url resolve [--strip-param GLOB]... [--] BASE HREF
//
// Prints the absolute normalized URL and a newline to `out`. HREF is cleaned
// as browsers do (surrounding whitespace and control characters, tabs,
// backslashes; see url::CleanHref; a CR or LF inside HREF makes it
// malformed), resolved against BASE (RFC 3986 section 5) and normalized
// (lowercase scheme and host, punycode, no default port, no dot-segments,
// percent-encoding normalized, no fragment).
// `--strip-param GLOB` (repeatable) removes query and path parameters whose
// names match, as url::UrlOptions::strip_query_params; none by default. Use
// `--` before an HREF that starts with '-'.
//
// Exit codes:
//   0  the URL was printed;
//   1  BASE is not a valid absolute http(s) URL, or the result is not a valid
//      http(s) URL (other scheme, malformed, too long); the message on `err`
//      says what is wrong and quotes the URL;
//   2  usage error (no or unknown subcommand, unknown flag, not exactly BASE
//      and HREF); the message on `err` names the problem.
// `--help` (or `-h`) before `--` prints the usage to `out` and returns 0.
//
// Thread-safety: RunUrlCommand has no shared state; it may run on any thread,
// writing only to `out` and `err`.
#ifndef CRAWLER_CLI_URL_COMMAND_H_
#define CRAWLER_CLI_URL_COMMAND_H_

#include <cstdio>
#include <string>
#include <vector>

namespace crawler::cli {

// Runs `crawler url ...`; `args` are the words after "url".
int RunUrlCommand(const std::vector<std::string>& args, std::FILE* out,
                  std::FILE* err);

// The text of `crawler url --help`.
const char* UrlUsage();

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_URL_COMMAND_H_
