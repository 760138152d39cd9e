#include "crawler/cli/warc_flags.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crawler/cli/flag_values.h"
#include "crawler/warc/warc_archive.h"

namespace crawler::cli {

StatusOr<bool> ParseWarcFlag(
    const std::string& flag,
    const std::function<StatusOr<std::string>()>& value,
    warc::WarcOptions* options) {
  if (flag == "--warc") {
    ASSIGN_OR_RETURN(std::string prefix, value());
    warc::WarcOptions check = *options;
    check.prefix = prefix;
    Status valid = warc::ValidateWarcOptions(check);
    if (!valid.ok()) {
      return InvalidArgumentError(
          "--warc expects a file name prefix such as 'out/crawl' (files "
          "out/crawl-YYYYMMDDhhmmss-NNNNN-PID.warc.gz), got '" +
          prefix + "'");
    }
    options->prefix = prefix;
    return true;
  }
  if (flag == "--warc-compression-level") {
    ASSIGN_OR_RETURN(std::string v, value());
    ASSIGN_OR_RETURN(int64_t level, ParseInt(flag, v, 0, 12));
    options->compression_level = static_cast<int>(level);
    return true;
  }
  if (flag == "--warc-max-size") {
    ASSIGN_OR_RETURN(std::string v, value());
    ASSIGN_OR_RETURN(int64_t bytes, ParseBytes(flag, v));
    if (static_cast<uint64_t>(bytes) < warc::kMinMaxFileBytes) {
      return InvalidArgumentError(flag + " expects at least " +
                                  std::to_string(warc::kMinMaxFileBytes) +
                                  " bytes, got '" + v + "'");
    }
    options->max_file_bytes = static_cast<uint64_t>(bytes);
    return true;
  }
  return false;
}

StatusOr<warc::ArchiveFactory> MakeWarcArchiveFactory(
    warc::WarcOptions options, const std::string& software,
    const std::vector<std::pair<std::string, std::string>>& info) {
  RETURN_IF_ERROR(warc::ValidateWarcOptions(options));
  const size_t slash = options.prefix.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : options.prefix.substr(0, slash + 1);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return InvalidArgumentError("--warc: cannot write WARC files in '" + dir +
                                "': " + std::strerror(errno) +
                                " (the directory must exist)");
  }
  options.info = {
      {"software", software},
      {"format", "WARC File Format 1.1"},
      {"conformsTo",
       "http://iipc.github.io/warc-specifications/specifications/"
       "warc-format/warc-1.1/"},
  };
  options.info.insert(options.info.end(), info.begin(), info.end());
  return warc::ArchiveFactory(
      [options] { return warc::NewWarcArchive(options); });
}

}  // namespace crawler::cli
