// `crawler robots check`: checks URLs against a local robots.txt file, the way
// the crawler decides whether it may fetch them (crawler/robots, RFC 9309).
//
//   crawler robots check --robots FILE --agent UA URL...
//
// Prints "allowed URL" or "disallowed URL" for each URL, one per line, in
// argument order, URL as given. `--agent` may be a full User-Agent value
// ("Crawler/0.1 (+https://x)"): its product token ("Crawler") selects the
// group. Each URL is normalized with crawler/url and its path plus "?query"
// is checked; scheme and authority are ignored (the file is taken to be that
// host's robots.txt).
//
// Exit codes:
//   0  every URL was checked;
//   1  some URL was not a valid absolute http(s) URL (a message naming it on
//      `err`; the other URLs are still checked and printed);
//   2  usage error (unknown subcommand or flag, missing --robots, --agent or
//      URL, an --agent without a product token) or an unreadable robots file;
//      the message names the argument or file and says what to do.
// `--help` (or `-h`) anywhere prints the usage to `out` and returns 0.
//
// Thread-safety: RunRobotsCommand has no shared state; it may run on any
// thread, writing only to `out` and `err`.
#ifndef CRAWLER_CLI_ROBOTS_COMMAND_H_
#define CRAWLER_CLI_ROBOTS_COMMAND_H_

#include <cstdio>
#include <string>
#include <vector>

namespace crawler::cli {

// Runs `crawler robots ...`; `args` are the words after "robots".
int RunRobotsCommand(const std::vector<std::string>& args, std::FILE* out,
                     std::FILE* err);

// The text of `crawler robots --help`.
const char* RobotsUsage();

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_ROBOTS_COMMAND_H_
