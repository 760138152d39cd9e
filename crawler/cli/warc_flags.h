// Command-line flags of the WARC output, shared by `crawler crawl` (and
// `crawler run`) and `crawler fetch` (docs/warc.md):
//
//   --warc PREFIX          write every exchange to WARC/1.1 files
//                          PREFIX-YYYYMMDDhhmmss-NNNNN-PID.warc.gz
//   --warc-max-size BYTES  begin a new file before one would pass BYTES
//                          (default 1000000000, WARC 1.1 Annex B's 1 GB)
//   --warc-compression-level N
//                          0 (stored, least CPU), 1 (the default) to 4
//                          (smallest files; 5 to 12 the same as 4): igzip
//                          levels 0 to 3 (crawler/warc/gzip_member.h)
//
// and the wiring of `main`: the warcinfo fields and the factory each worker
// makes its archive with.
#ifndef CRAWLER_CLI_WARC_FLAGS_H_
#define CRAWLER_CLI_WARC_FLAGS_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/warc/exchange_archive.h"
#include "crawler/warc/warc_options.h"

namespace crawler::cli {

// If `flag` is one of the flags above, parses its value (from `value`)
// into *options and returns true; returns false for any other flag. Fails
// with InvalidArgument naming the flag and what was expected. Pure.
StatusOr<bool> ParseWarcFlag(
    const std::string& flag,
    const std::function<StatusOr<std::string>()>& value,
    warc::WarcOptions* options);

// The archive factory of `crawler crawl` and `crawler fetch` with --warc:
// `options` with the warcinfo fields "software" (`software`, e.g.
// "crawler/0.1.0"), "format" and "conformsTo", then `info`. Checks first
// that the prefix's
// directory exists and is writable (InvalidArgument naming it otherwise):
// the workers would otherwise fail on their first page. Each worker calls
// the factory after the fork and gets its own files.
StatusOr<warc::ArchiveFactory> MakeWarcArchiveFactory(
    warc::WarcOptions options, const std::string& software,
    const std::vector<std::pair<std::string, std::string>>& info);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_WARC_FLAGS_H_
