#include "crawler/cli/fetch_flags.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace crawler::cli {
namespace {

StatusOr<int64_t> ParseInt(const std::string& flag, const std::string& v,
                           int64_t lo, int64_t hi) {
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || x < lo || x > hi) {
    return InvalidArgumentError(flag + " expects an integer from " +
                                std::to_string(lo) + " to " +
                                std::to_string(hi) + ", got '" + v + "'");
  }
  return static_cast<int64_t>(x);
}

// Seconds, possibly fractional ("2.5"), returned as milliseconds.
StatusOr<int64_t> ParseSeconds(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno != 0 || !std::isfinite(x) ||
      x < 0.001 || x > 86400) {
    return InvalidArgumentError(flag +
                                " expects a number of seconds from 0.001 to "
                                "86400, got '" +
                                v + "'");
  }
  return static_cast<int64_t>(x * 1000 + 0.5);
}

// A byte count with an optional K, M or G suffix (powers of 1024).
StatusOr<int64_t> ParseBytes(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(v.c_str(), &end, 10);
  int64_t mult = 1;
  std::string suffix = end != nullptr ? end : "";
  if (suffix == "K" || suffix == "k")
    mult = 1 << 10;
  else if (suffix == "M" || suffix == "m")
    mult = 1 << 20;
  else if (suffix == "G" || suffix == "g")
    mult = int64_t{1} << 30;
  else if (!suffix.empty())
    x = -1;
  if (v.empty() || errno != 0 || x <= 0 || x > (int64_t{4} << 30) / mult) {
    return InvalidArgumentError(flag +
                                " expects a byte count above 0 (suffix K, M "
                                "or G allowed) up to 4G, got '" +
                                v + "'");
  }
  return x * mult;
}

}  // namespace

const char* FetchUsage() {
  return R"(Usage: crawler fetch [OPTIONS] [URL...]

Fetches every URL once, in parallel, and prints one JSON object per URL:
  {"url", "final_url", "status", "content_type", "bytes", "title", "links",
   "elapsed_ms", "error"}
URLs come from the arguments, then from --input FILE; with neither, from
standard input. One URL per line; blank lines and '#' comments are ignored.

Options:
  -i, --input FILE        read URLs from FILE ('-' for standard input)
  -o, --output FILE       write records to FILE instead of standard output
  -w, --workers N         worker processes (default: number of CPUs)
  -c, --concurrency N     transfers in flight per worker (default: 16)
      --ordered           write records in input order (default: as they finish)
      --timeout SEC       whole-transfer time limit per URL (default: 30)
      --connect-timeout SEC
                          connection time limit (default: 10)
      --lease-timeout SEC time a worker may hold one URL before it is taken
                          to be hung, killed and replaced (default: --timeout
                          plus 10)
      --max-body BYTES    largest body kept, e.g. 16M (default: 16M); larger
                          ones are cut and reported as too_large
      --max-redirects N   redirects followed per URL (default: 10)
      --user-agent TEXT   User-Agent header (default: crawler/0.1)
      --retries N         extra attempts for a URL whose worker crashed
                          (default: 2)
      --allow-private     allow loopback, private and link-local addresses
                          (refused by default, checked on every connection)
      --progress          print a progress line to stderr every second
  -h, --help              show this help

Exit status: 0 when every URL got its record (per-URL failures are in the
records), 1 when the job could not run or finish (e.g. the output cannot be
written), 2 on a usage error, 130/143 when stopped by SIGINT/SIGTERM.
)";
}

StatusOr<FetchFlags> ParseFetchFlags(const std::vector<std::string>& args) {
  FetchFlags f;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool has_inline_value = false;
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline_value = true;
      }
    }
    auto need_value = [&]() -> StatusOr<std::string> {
      if (has_inline_value) return value;
      if (i + 1 >= args.size()) {
        return InvalidArgumentError(
            a + " needs a value (see crawler fetch --help)");
      }
      return args[++i];
    };
    auto no_value = [&]() -> Status {
      if (has_inline_value) {
        return InvalidArgumentError(a + " takes no value, got '" + value + "'");
      }
      return Status::Ok();
    };
    if (a == "-h" || a == "--help") {
      RETURN_IF_ERROR(no_value());
      f.help = true;
    } else if (a == "-i" || a == "--input") {
      ASSIGN_OR_RETURN(f.input, need_value());
    } else if (a == "-o" || a == "--output") {
      ASSIGN_OR_RETURN(f.output, need_value());
    } else if (a == "-w" || a == "--workers") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseInt(a, v, 1, 256));
      f.job.workers = static_cast<int>(n);
    } else if (a == "-c" || a == "--concurrency") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseInt(a, v, 1, 1000));
      f.job.concurrency = static_cast<int>(n);
    } else if (a == "--ordered") {
      RETURN_IF_ERROR(no_value());
      f.job.ordered = true;
    } else if (a == "--progress") {
      RETURN_IF_ERROR(no_value());
      f.job.progress = true;
    } else if (a == "--allow-private") {
      RETURN_IF_ERROR(no_value());
      f.fetch.allow_private_addresses = true;
    } else if (a == "--timeout") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(f.fetch.total_timeout_ms, ParseSeconds(a, v));
    } else if (a == "--lease-timeout") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(f.job.lease_timeout_ms, ParseSeconds(a, v));
    } else if (a == "--connect-timeout") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(f.fetch.connect_timeout_ms, ParseSeconds(a, v));
    } else if (a == "--max-body") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseBytes(a, v));
      f.fetch.max_body_bytes = static_cast<size_t>(n);
    } else if (a == "--max-redirects") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseInt(a, v, 0, 50));
      f.fetch.max_redirects = static_cast<int>(n);
    } else if (a == "--retries") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseInt(a, v, 0, 10));
      f.job.max_retries = static_cast<int>(n);
    } else if (a == "--user-agent") {
      ASSIGN_OR_RETURN(f.fetch.user_agent, need_value());
      for (char c : f.fetch.user_agent) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          return InvalidArgumentError(
              "--user-agent must not contain control characters (CR, LF...)");
        }
      }
    } else if (a == "--") {
      for (++i; i < args.size(); ++i) f.urls.push_back(args[i]);
    } else if (a.size() > 1 && a[0] == '-') {
      return InvalidArgumentError("unknown option '" + a +
                                  "' (see crawler fetch --help)");
    } else {
      f.urls.push_back(a);
    }
  }
  f.fetch.max_concurrency = f.job.concurrency;
  if (f.job.lease_timeout_ms < 0) {
    f.job.lease_timeout_ms = f.fetch.total_timeout_ms + 10000;
  }
  return f;
}

}  // namespace crawler::cli
