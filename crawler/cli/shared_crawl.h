// The defaults and names of a crawl shared through Redis (`crawler crawl
// --frontier`, docs/redis.md): the crawl name, the node id, and each node's
// output file.
#ifndef CRAWLER_CLI_SHARED_CRAWL_H_
#define CRAWLER_CLI_SHARED_CRAWL_H_

#include <string>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::cli {

// The crawl name when --crawl-name is not given: the host of the first seed
// that parses (every node is started with the same seeds), "crawl" when none
// does.
std::string DefaultCrawlName(const std::vector<std::string>& seeds);

// The node id when --node-id is not given: "HOSTNAME-PID".
std::string DefaultNodeId();

// A node id or crawl name must be 1 to 100 of [A-Za-z0-9._-] (it goes into
// file names and Redis keys). Fails with InvalidArgument naming `what`.
Status CheckSharedName(const std::string& what, const std::string& value);

// Each node's output file: `path` with ".NODE" inserted before the
// extension of its last component ("out/pages.jsonl" ->
// "out/pages.NODE.jsonl"; "pages" -> "pages.NODE"). "" and "-" (standard
// output) stay as they are.
std::string NodeOutputPath(const std::string& path, const std::string& node_id);

// Each node's WARC file name prefix (--warc PREFIX): PREFIX.NODE, so that
// its files are PREFIX.NODE-YYYYMMDDhhmmss-NNNNN-PID.warc.gz ("out/crawl" ->
// "out/crawl.n1"; the pid tells a node's worker processes apart). "" (no
// WARC output) stays "".
std::string NodeWarcPrefix(const std::string& prefix,
                           const std::string& node_id);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_SHARED_CRAWL_H_
