// WarcOptions: what `--warc PREFIX` writes (docs/warc.md).
//
// A plain value type; the defaults are the crawler's. ValidateWarcOptions
// checks the values before a writer is made.
//
// Thread-safety: a value type; copy it freely.
#ifndef CRAWLER_WARC_WARC_OPTIONS_H_
#define CRAWLER_WARC_WARC_OPTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::warc {

// The file size WARC 1.1 recommends (Annex B: 1 GB, 10^9 bytes).
inline constexpr uint64_t kDefaultMaxFileBytes = 1000000000;
// Bounds of WarcOptions::max_file_bytes.
inline constexpr uint64_t kMinMaxFileBytes = 1024;
inline constexpr uint64_t kMaxMaxFileBytes = uint64_t{1} << 40;

struct WarcOptions {
  // Where the files go: each is named
  // PREFIX-YYYYMMDDhhmmss-NNNNN-PID.warc.gz (the UTC time the file was
  // begun, a serial number within the process, the writing process's id),
  // so names sort in time order and no two processes share one. PREFIX may
  // name a directory ("out/crawl"), which must exist. "" for no WARC output.
  std::string prefix;
  // A file is closed and the next one begun before a write would take it
  // past this many bytes (compressed, as stored). A file always takes the
  // records of at least one exchange, so one bigger than this makes a file
  // bigger than this.
  uint64_t max_file_bytes = kDefaultMaxFileBytes;
  // Compression level of each record's gzip member (ISA-L's igzip; see
  // gzip_member.h, IgzipLevelFor): 1 (the default: igzip's fastest level),
  // 2 and 3 (igzip's levels 1 and 2), 4 to 12 (all igzip's level 3, the
  // smallest; the range is that of the libdeflate levels first accepted),
  // or 0: stored, not compressed (still one gzip member per record, about
  // 2.2 times bigger on HTML, for the least CPU).
  int compression_level = 1;
  // The fields of the warcinfo record that begins each file, in order, as
  // application/warc-fields lines (WARC 1.1 section 6.2): "software",
  // "format", "conformsTo", "robots", "http-header-user-agent", ... The
  // writer adds none of its own.
  std::vector<std::pair<std::string, std::string>> info;
};

// Checks `options`: a non-empty prefix without a NUL byte whose file part
// (after the last '/') is not empty, max_file_bytes within
// [kMinMaxFileBytes, kMaxMaxFileBytes], compression_level within 0..12.
// Fails with InvalidArgument saying which.
inline Status ValidateWarcOptions(const WarcOptions& options) {
  auto bad = [](const std::string& why) {
    return InvalidArgumentError("invalid WarcOptions: " + why);
  };
  if (options.prefix.empty()) return bad("prefix is empty");
  if (options.prefix.find('\0') != std::string::npos) {
    return bad("prefix holds a NUL byte");
  }
  if (options.prefix.back() == '/') {
    return bad("prefix '" + options.prefix +
               "' names a directory only; add a file name prefix, e.g. '" +
               options.prefix + "crawl'");
  }
  if (options.max_file_bytes < kMinMaxFileBytes ||
      options.max_file_bytes > kMaxMaxFileBytes) {
    return bad("max_file_bytes must be within " +
               std::to_string(kMinMaxFileBytes) + " and " +
               std::to_string(kMaxMaxFileBytes));
  }
  if (options.compression_level < 0 || options.compression_level > 12) {
    return bad("compression_level must be within 0 and 12");
  }
  return Status::Ok();
}

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_WARC_OPTIONS_H_
