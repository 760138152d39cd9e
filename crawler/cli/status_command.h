// `crawler status`: the global progress of a crawl shared through Redis
// (`crawler crawl --frontier`, docs/redis.md).
//
//   crawler status --frontier redis://HOST[:PORT][/DB] [--crawl-name NAME]
//                  [--json]
//
// Reads the crawl's counters and nodes in one round trip
// (frontier::ReadFrontierProgress) and prints them: URLs queued, in flight,
// done (recorded) and seen, pages leased, hosts queued and held, and per
// node its held hosts, URLs in flight, records and when it was last heard
// from. --json prints one JSON object instead. Without --crawl-name, the
// only crawl in that Redis database is shown (several: a usage error that
// lists them).
//
// Exit codes: 0 printed; 1 Redis unreachable or no such crawl; 2 usage
// error. `--help` prints the usage to `out`.
//
// Thread-safety: no shared state; writes only to `out` and `err`.
#ifndef CRAWLER_CLI_STATUS_COMMAND_H_
#define CRAWLER_CLI_STATUS_COMMAND_H_

#include <cstdio>
#include <string>
#include <vector>

#include "crawler/frontier/redis_frontier.h"

namespace crawler::cli {

// The arguments after "status"; the exit code.
int RunStatusCommand(const std::vector<std::string>& args, std::FILE* out,
                     std::FILE* err);

// The text and the JSON of a crawl's progress (for tests).
std::string FormatFrontierProgress(const std::string& crawl_name,
                                   const frontier::FrontierProgress& p);
std::string FrontierProgressJson(const std::string& crawl_name,
                                 const frontier::FrontierProgress& p);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_STATUS_COMMAND_H_
