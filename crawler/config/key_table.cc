#include "crawler/config/key_table.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <type_traits>
#include <utility>

#include "crawler/cli/output_flags.h"
#include "crawler/fetch/address_policy.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/fetch/request_options.h"
#include "crawler/log/log_options.h"
#include "crawler/metrics/listen_address.h"
#include "crawler/output/output_options.h"
#include "crawler/output/record_fields.h"
#include "crawler/redis/redis_client.h"
#include "crawler/robots/robots.h"
#include "crawler/schedule/cron.h"
#include "crawler/scope/scope.h"
#include "crawler/url/url.h"
#include "crawler/warc/warc_options.h"

namespace crawler::config {
namespace {

constexpr int64_t kMaxCount = int64_t{1} << 40;
constexpr int64_t kMaxBytes = int64_t{4} << 30;
constexpr double kMaxSeconds = 86400;
constexpr double kMaxRevisitSeconds = 3650.0 * 86400;

KeySpec Spec(std::string path, ValueType type, std::string flag,
             std::string help) {
  KeySpec s;
  s.path = std::move(path);
  s.type = type;
  s.flag = std::move(flag);
  s.help = std::move(help);
  return s;
}

std::string FormatList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteYaml(items[i]);
  }
  return out + "]";
}

// The builders. `field` is a generic lambda returning a reference to the
// option in a CrawlConfig (const or not).

template <typename Field>
KeySpec Bool(std::string path, std::string flag, std::string help,
             Field field) {
  KeySpec s =
      Spec(std::move(path), ValueType::kBool, std::move(flag), std::move(help));
  s.set = [field](const KeyValue& v, CrawlConfig& c) { field(c) = v.boolean; };
  s.get = [field](const CrawlConfig& c) -> std::string {
    return field(c) ? "true" : "false";
  };
  return s;
}

template <typename Field>
KeySpec Int(std::string path, int64_t min, int64_t max, std::string flag,
            std::string help, Field field) {
  KeySpec s =
      Spec(std::move(path), ValueType::kInt, std::move(flag), std::move(help));
  s.min = static_cast<double>(min);
  s.max = static_cast<double>(max);
  s.set = [field](const KeyValue& v, CrawlConfig& c) {
    using T = std::remove_reference_t<decltype(field(c))>;
    field(c) = static_cast<T>(v.integer);
  };
  s.get = [field](const CrawlConfig& c) {
    return std::to_string(static_cast<int64_t>(field(c)));
  };
  return s;
}

// A number (kNumber) or seconds (kSeconds). A floating-point field holds the
// value as written; an integer field holds milliseconds, and a negative one
// means "not set" (its default is default_note).
template <typename Field>
KeySpec Real(ValueType type, std::string path, double min, double max,
             std::string flag, std::string help, Field field) {
  KeySpec s = Spec(std::move(path), type, std::move(flag), std::move(help));
  s.min = min;
  s.max = max;
  s.set = [field](const KeyValue& v, CrawlConfig& c) {
    using T = std::remove_reference_t<decltype(field(c))>;
    if constexpr (std::is_floating_point_v<T>) {
      field(c) = v.number;
    } else {
      field(c) = static_cast<T>(std::llround(v.number * 1000));
    }
  };
  s.get = [field](const CrawlConfig& c) -> std::string {
    using T = std::decay_t<decltype(field(c))>;
    if constexpr (std::is_floating_point_v<T>) {
      return FormatNumber(field(c));
    } else {
      if (field(c) < 0) return "";
      return FormatNumber(static_cast<double>(field(c)) / 1000);
    }
  };
  return s;
}

template <typename Field>
KeySpec Number(std::string path, double min, double max, std::string flag,
               std::string help, Field field) {
  return Real(ValueType::kNumber, std::move(path), min, max, std::move(flag),
              std::move(help), field);
}

template <typename Field>
KeySpec Seconds(std::string path, double min, double max, std::string flag,
                std::string help, Field field) {
  return Real(ValueType::kSeconds, std::move(path), min, max, std::move(flag),
              std::move(help), field);
}

template <typename Field>
KeySpec Bytes(std::string path, int64_t min, int64_t max, std::string flag,
              std::string help, Field field) {
  KeySpec s = Spec(std::move(path), ValueType::kBytes, std::move(flag),
                   std::move(help));
  s.min = static_cast<double>(min);
  s.max = static_cast<double>(max);
  s.set = [field](const KeyValue& v, CrawlConfig& c) {
    using T = std::remove_reference_t<decltype(field(c))>;
    field(c) = static_cast<T>(v.integer);
  };
  s.get = [field](const CrawlConfig& c) {
    return FormatBytes(static_cast<int64_t>(field(c)));
  };
  return s;
}

template <typename Field>
KeySpec Text(ValueType type, std::string path, std::string flag,
             std::string help, Field field) {
  KeySpec s = Spec(std::move(path), type, std::move(flag), std::move(help));
  s.set = [field](const KeyValue& v, CrawlConfig& c) { field(c) = v.text; };
  s.get = [field](const CrawlConfig& c) { return QuoteYaml(field(c)); };
  return s;
}

template <typename Field>
KeySpec String(std::string path, std::string flag, std::string help,
               Field field) {
  return Text(ValueType::kString, std::move(path), std::move(flag),
              std::move(help), field);
}

template <typename Field>
KeySpec Path(std::string path, std::string flag, std::string help,
             Field field) {
  return Text(ValueType::kPath, std::move(path), std::move(flag),
              std::move(help), field);
}

template <typename Field>
KeySpec List(ValueType type, std::string path, std::string flag,
             std::string help, Field field) {
  KeySpec s = Spec(std::move(path), type, std::move(flag), std::move(help));
  s.set = [field](const KeyValue& v, CrawlConfig& c) { field(c) = v.list; };
  s.get = [field](const CrawlConfig& c) { return FormatList(field(c)); };
  return s;
}

template <typename Field>
KeySpec StringList(std::string path, std::string flag, std::string help,
                   Field field) {
  return List(ValueType::kStringList, std::move(path), std::move(flag),
              std::move(help), field);
}

template <typename Field>
KeySpec PathList(std::string path, std::string flag, std::string help,
                 Field field) {
  return List(ValueType::kPathList, std::move(path), std::move(flag),
              std::move(help), field);
}

// The extra checks: each calls the owning package's own parser.

Status CheckSeedUrl(const std::string& value) {
  StatusOr<std::string> normal = url::NormalizeUrl(value);
  if (normal.ok()) return Status::Ok();
  return InvalidArgumentError("expected an absolute http or https URL; " +
                              normal.status().message());
}

// Patterns and domains are checked by building a Scope that holds only the
// one value (mode "any", which needs no seed).
Status CheckScopeValue(const std::string& value,
                       std::vector<std::string> scope::ScopeOptions::*list,
                       const char* what) {
  scope::ScopeOptions options;
  options.mode = scope::ScopeMode::kAny;
  (options.*list).push_back(value);
  StatusOr<scope::Scope> s = scope::Scope::Create(options, {});
  if (s.ok()) return Status::Ok();
  return InvalidArgumentError(std::string("expected ") + what + "; " +
                              s.status().message());
}

Status CheckUserAgent(const std::string& value) {
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgumentError(
          "expected a User-Agent without control characters (CR, LF, tab, "
          "...)");
    }
  }
  if (robots::ProductToken(value).empty()) {
    return InvalidArgumentError(
        "expected a User-Agent starting with a product token (letters, '_' "
        "or '-'), e.g. `mybot/1.0 (+https://example.com/bot)`, got `" +
        value + "`");
  }
  return Status::Ok();
}

Status CheckReadableFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return InvalidArgumentError("cannot read seed file `" + path +
                                "`: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgumentError("cannot read seed file `" + path +
                                "`: not a regular file");
  }
  std::ifstream in(path);
  if (!in) {
    return InvalidArgumentError("cannot read seed file `" + path +
                                "`: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status CheckCaCert(const std::string& path) {
  if (path.empty()) return Status::Ok();
  Status s = fetch::CheckCaCertFile(path);
  if (s.ok()) return s;
  return InvalidArgumentError("expected a PEM file of CA certificates; " +
                              s.message());
}

Status CheckResolve(const std::string& value) {
  StatusOr<fetch::ResolveRule> rule = fetch::ParseResolveRule(value);
  if (rule.ok()) return Status::Ok();
  return rule.status();
}

Status CheckAllowAddress(const std::string& value) {
  StatusOr<fetch::AddressRule> rule = fetch::ParseAddressRule(value);
  if (rule.ok()) return Status::Ok();
  return rule.status();
}

// The request options (fetch/request_options.h), output fields
// (output/record_fields.h), the error rate (cli::ParseRate) and the metrics
// address (metrics/listen_address.h): each with its package's own check.

Status CheckHeader(const std::string& value) {
  return fetch::ParseRequestHeader(value).status();
}

Status CheckHeaderCount(const KeyValue& value) {
  if (value.list.size() <= fetch::kMaxRequestHeaders) return Status::Ok();
  return InvalidArgumentError(
      "at most " + std::to_string(fetch::kMaxRequestHeaders) +
      " extra headers, got " + std::to_string(value.list.size()));
}

Status CheckProxy(const std::string& value) {
  if (value.empty()) return Status::Ok();
  return fetch::CheckProxyUrl(value);
}

Status CheckNoProxy(const std::string& value) {
  return fetch::CheckNoProxyEntry(value);
}

Status CheckProxyCredentials(const std::string& value) {
  if (value.empty()) return Status::Ok();
  return fetch::CheckProxyCredentials(value);
}

Status CheckOrigin(const std::string& value, const std::vector<std::string>&) {
  return fetch::ParseOrigin(value).status();
}

Status CheckAuthScheme(const std::string& value,
                       const std::vector<std::string>&) {
  return fetch::ParseAuthScheme(value).status();
}

// The credentials of an auth entry, for the scheme before them (unchecked
// when the scheme itself was wrong).
Status CheckAuthCredentials(const std::string& value,
                            const std::vector<std::string>& before) {
  StatusOr<fetch::AuthScheme> scheme = fetch::ParseAuthScheme(before.at(1));
  if (!scheme.ok()) return Status::Ok();
  return fetch::CheckAuthSecret(*scheme, value);
}

// One entry per origin, compared as FormatOrigin writes them.
Status CheckAuthOrigins(const KeyValue& value) {
  std::set<std::string> seen;
  for (size_t i = 0; i < value.records.size(); ++i) {
    StatusOr<fetch::Origin> origin = fetch::ParseOrigin(value.records[i][0]);
    if (!origin.ok()) continue;
    const std::string name = fetch::FormatOrigin(*origin);
    if (!seen.insert(name).second) {
      return InvalidArgumentError("two entries for " + name + " (entry " +
                                  std::to_string(i) +
                                  "); one entry per origin");
    }
  }
  return Status::Ok();
}

Status CheckCron(const std::string& value) {
  if (value.empty()) return Status::Ok();
  return schedule::CronExpression::Parse(value).status();
}

Status CheckField(const std::string& value) {
  return output::ResolveFields({value}, output::RecordKind::kCrawl).status();
}

Status CheckFieldList(const KeyValue& value) {
  return output::ResolveFields(value.list, output::RecordKind::kCrawl).status();
}

Status CheckRate(const std::string& value) {
  if (cli::ParseRate("", value).ok()) return Status::Ok();
  return InvalidArgumentError(
      "expected a fraction from 0 to 1 (0.05) or a percentage from 0% to "
      "100% (5%), got `" +
      value + "`");
}

Status CheckListenAddress(const std::string& value) {
  if (value.empty()) return Status::Ok();
  return metrics::ParseListenAddress(value).status();
}

// A --warc prefix: checked as the flag checks it (the directory's existence
// is checked when the crawl starts, as for the flag).
Status CheckWarcPrefix(const std::string& value) {
  if (value.empty()) return Status::Ok();
  warc::WarcOptions options;
  options.prefix = value;
  Status s = warc::ValidateWarcOptions(options);
  if (s.ok()) return s;
  std::string why = s.message();
  constexpr std::string_view kLead = "invalid WarcOptions: ";
  if (why.compare(0, kLead.size(), kLead) == 0) why.erase(0, kLead.size());
  return InvalidArgumentError(
      "expected a file name prefix such as `out/crawl` (files "
      "out/crawl-YYYYMMDDhhmmss-NNNNN-PID.warc.gz); " +
      why);
}

Status CheckRedisUrl(const std::string& value) {
  if (value.empty()) return Status::Ok();
  return redis::ParseRedisUrl(value).status();
}

// A crawl name or node id: it goes into Redis keys and file names.
Status CheckSharedName(const std::string& value) {
  bool ok = value.size() <= 100;
  for (char c : value) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  }
  if (ok) return Status::Ok();
  return InvalidArgumentError(
      "expected at most 100 letters, digits, '.', '_' or '-', got `" + value +
      "`");
}

Status CheckNotEmpty(const std::string& value) {
  if (!value.empty()) return Status::Ok();
  return InvalidArgumentError("expected a non-empty pattern");
}

std::vector<GroupSpec> MakeGroups() {
  return {
      {"seeds", "Where the crawl starts. At least one URL is required."},
      {"scope",
       "Which URLs the crawl may fetch, and how URLs are cleaned "
       "before they are compared."},
      {"limits",
       "When the crawl stops. It stops cleanly and its last "
       "stderr line says which limit it reached."},
      {"politeness", "How hard one host is hit."},
      {"robots", "robots.txt (RFC 9309) and the nofollow hints of pages."},
      {"fetch", "How each URL is fetched."},
      {"workers", "Worker processes and the transfers each runs at once."},
      {"state",
       "What the crawl remembers between runs: resume after a stop or a "
       "crash, re-fetch only what is due, report what changed."},
      {"frontier",
       "A crawl shared by several nodes through Redis (docs/redis.md): "
       "every node started with the same URL and crawl name takes work "
       "from one shared frontier."},
      {"schedule",
       "When the crawl runs by itself: `crawler cron` prints the crontab "
       "line for it, `crawler schedule` runs it in the foreground on this "
       "schedule (docs/state.md)."},
      {"output",
       "The records (where they go, their format and fields) and the crawl "
       "report."},
      {"logging", "What the crawler says on stderr while it runs."},
      {"metrics", "Metrics for operators, served while the crawl runs."},
  };
}

std::vector<KeySpec> MakeKeys() {
  std::vector<KeySpec> k;
  // seeds
  KeySpec urls = StringList(
      "seeds.urls", "URL arguments",
      "Start URLs: absolute http or https URLs, crawled at depth 0.",
      [](auto& c) -> auto& { return c.seeds; });
  urls.example = "[\"https://example.com/\"]";
  k.push_back(urls.WithCheck(CheckSeedUrl, "a list of absolute http(s) URLs"));
  k.push_back(PathList(
                  "seeds.files", "--seeds",
                  "Files of start URLs, one per line; blank lines and lines "
                  "starting with '#' are ignored.",
                  [](auto& c) -> auto& { return c.seed_files; })
                  .WithCheck(CheckReadableFile, "a list of readable files"));
  k.push_back(Bool(
      "seeds.sitemaps", "--sitemaps",
      "Also crawl the URLs of the sitemaps that robots.txt "
      "lists (XML, text or gzip; sitemap indexes followed).",
      [](auto& c) -> auto& { return c.job.sitemaps; }));
  // scope
  {
    KeySpec mode = Spec("scope.mode", ValueType::kEnum, "--scope",
                        "host: only the seeds' hosts; domain: any host "
                        "under a seed's registered domain (Public Suffix "
                        "List); any: any host.");
    mode.choices = {"host", "domain", "any"};
    mode.set = [](const KeyValue& v, CrawlConfig& c) {
      c.job.scope.mode = *scope::ParseScopeMode(v.text);
    };
    mode.get = [](const CrawlConfig& c) {
      return std::string(scope::ScopeModeName(c.job.scope.mode));
    };
    k.push_back(mode);
  }
  k.push_back(StringList(
                  "scope.include", "--include",
                  "If any, a URL must match one of these RE2 regular "
                  "expressions (anywhere in the normalized URL).",
                  [](auto& c) -> auto& { return c.job.scope.include; })
                  .WithCheck(
                      [](const std::string& v) {
                        return CheckScopeValue(v, &scope::ScopeOptions::include,
                                               "an RE2 regular expression");
                      },
                      "a list of RE2 regular expressions"));
  k.push_back(StringList(
                  "scope.exclude", "--exclude",
                  "URLs matching any of these RE2 regular expressions "
                  "are skipped.",
                  [](auto& c) -> auto& { return c.job.scope.exclude; })
                  .WithCheck(
                      [](const std::string& v) {
                        return CheckScopeValue(v, &scope::ScopeOptions::exclude,
                                               "an RE2 regular expression");
                      },
                      "a list of RE2 regular expressions"));
  k.push_back(StringList(
                  "scope.allow_domains", "--allow-domain",
                  "If any, only these domains and their subdomains are "
                  "crawled (on top of scope.mode).",
                  [](auto& c) -> auto& { return c.job.scope.allow_domains; })
                  .WithCheck(
                      [](const std::string& v) {
                        return CheckScopeValue(
                            v, &scope::ScopeOptions::allow_domains,
                            "a domain name");
                      },
                      "a list of domain names"));
  k.push_back(StringList(
                  "scope.deny_domains", "--deny-domain",
                  "Never these domains or their subdomains; wins over "
                  "everything else.",
                  [](auto& c) -> auto& { return c.job.scope.deny_domains; })
                  .WithCheck(
                      [](const std::string& v) {
                        return CheckScopeValue(
                            v, &scope::ScopeOptions::deny_domains,
                            "a domain name");
                      },
                      "a list of domain names"));
  k.push_back(StringList(
                  "scope.strip_query", "--strip-query",
                  "Query parameters removed from every URL before it is "
                  "compared, by name glob ('*', '?'), e.g. utm_*.",
                  [](auto& c) -> auto& { return c.job.url.strip_query_params; })
                  .WithCheck(CheckNotEmpty, "a list of name patterns"));
  k.push_back(Bool(
      "scope.keep_session_ids", "--keep-session-ids",
      "Keep the session-id parameters jsessionid, phpsessid, "
      "aspsessionid*, sid, cfid and cftoken, which are "
      "otherwise stripped.",
      [](auto& c) -> auto& { return c.keep_session_ids; }));
  k.push_back(Int(
      "scope.per_host_cap", 0, kMaxCount, "--per-host-cap",
      "URLs accepted per host at most, a guard against traps; "
      "0: no cap.",
      [](auto& c) -> auto& { return c.job.frontier.per_host_cap; }));
  k.push_back(Int(
      "scope.max_query_variants", 0, kMaxCount, "--max-query-variants",
      "URLs with a query accepted per host and path at most (/list?page=1 "
      "and /list?page=2 both count for /list), a guard against endless "
      "query variants; 0: no cap.",
      [](auto& c) -> auto& { return c.job.frontier.max_query_variants; }));
  k.push_back(Bool(
      "scope.sort_query", "--sort-query",
      "Sort query parameters and drop exact repeats before "
      "URLs are compared, so ?b=2&a=1 and ?a=1&b=2 are one URL.",
      [](auto& c) -> auto& { return c.job.url.sort_query; }));
  // limits
  k.push_back(Int(
      "limits.max_depth", -1, 1000, "--max-depth",
      "Links followed from a seed; -1: no limit.",
      [](auto& c) -> auto& { return c.job.max_depth; }));
  k.push_back(Int(
      "limits.max_pages", 0, kMaxCount, "--max-pages",
      "Stop after this many fetched URLs; 0: no limit.",
      [](auto& c) -> auto& { return c.job.max_pages; }));
  k.push_back(Bytes(
      "limits.max_bytes", 0, kMaxBytes, "--max-bytes",
      "Stop after this many body bytes; 0: no limit.",
      [](auto& c) -> auto& { return c.job.max_bytes; }));
  k.push_back(Seconds(
      "limits.max_duration", 0, kMaxSeconds, "--max-duration",
      "Stop after this many seconds; 0: no limit.",
      [](auto& c) -> auto& { return c.job.max_duration_s; }));
  k.push_back(Seconds(
      "limits.grace_period", 0, kMaxSeconds, "--grace-period",
      "After Ctrl-C or SIGTERM, seconds the requests in flight get to "
      "finish and be recorded; 0: none.",
      [](auto& c) -> auto& { return c.job.interrupt_grace_s; }));
  {
    KeySpec rate =
        Spec("limits.max_error_rate", ValueType::kString, "--max-error-rate",
             "Exit with status 3 when more than this share of the "
             "fetched URLs ended with an error (HTTP error "
             "statuses are answers, not errors).");
    rate.set = [](const KeyValue& v, CrawlConfig& c) {
      c.job.max_error_rate = *cli::ParseRate("", v.text);
    };
    rate.get = [](const CrawlConfig& c) -> std::string {
      if (c.job.max_error_rate < 0) return "";
      return FormatNumber(c.job.max_error_rate);
    };
    rate.default_note = "off";
    k.push_back(rate.WithCheck(
        CheckRate, "a fraction from 0 to 1 (0.05) or a percentage (5%)"));
  }
  // politeness
  k.push_back(Seconds(
      "politeness.delay", 0, kMaxSeconds, "--delay",
      "Minimum seconds between two requests to one host.",
      [](auto& c) -> auto& { return c.job.frontier.delay_s; }));
  k.push_back(Int(
      "politeness.per_host", 1, 1000, "--per-host",
      "Requests in flight to one host at once.",
      [](auto& c) -> auto& { return c.job.frontier.per_host; }));
  k.push_back(Seconds(
      "politeness.max_crawl_delay", 0, kMaxSeconds, "--max-crawl-delay",
      "A robots.txt Crawl-delay is honoured up to this many seconds.",
      [](auto& c) -> auto& { return c.job.frontier.max_crawl_delay_s; }));
  k.push_back(Number(
      "politeness.delay_factor", 0, 1e6, "--delay-factor",
      "Also wait this many times the host's last response time; 0: off.",
      [](auto& c) -> auto& { return c.job.frontier.delay_factor; }));
  // robots
  k.push_back(Bool(
      "robots.enabled", "--no-robots (sets false)",
      "Fetch each origin's robots.txt first and honour it.",
      [](auto& c) -> auto& { return c.job.robots; }));
  k.push_back(Bool(
      "robots.honour_nofollow", "--follow-nofollow (sets false)",
      "Drop links marked rel=nofollow, meta robots nofollow or "
      "X-Robots-Tag nofollow.",
      [](auto& c) -> auto& { return c.job.honour_nofollow; }));
  // fetch
  k.push_back(String(
                  "fetch.user_agent", "--user-agent",
                  "The User-Agent header; robots.txt groups are matched "
                  "on its product token.",
                  [](auto& c) -> auto& { return c.fetch.user_agent; })
                  .WithCheck(CheckUserAgent, "a User-Agent string"));
  k.push_back(Seconds(
      "fetch.timeout", 0.001, kMaxSeconds, "--timeout",
      "Time limit for one whole transfer.",
      [](auto& c) -> auto& { return c.fetch.total_timeout_ms; }));
  k.push_back(Seconds(
      "fetch.connect_timeout", 0.001, kMaxSeconds, "--connect-timeout",
      "Time limit for connecting (DNS included).",
      [](auto& c) -> auto& { return c.fetch.connect_timeout_ms; }));
  k.push_back(Int(
      "fetch.retries", 0, 10, "--retries",
      "Retries after a timeout, a reset, a 5xx or a 429.",
      [](auto& c) -> auto& { return c.job.max_fetch_retries; }));
  k.push_back(Int(
      "fetch.max_redirects", 0, 50, "--max-redirects",
      "Redirect hops followed from one URL.",
      [](auto& c) -> auto& { return c.job.max_redirects; }));
  k.push_back(Bytes(
      "fetch.max_body", 1, kMaxBytes, "--max-body",
      "Largest body kept, after decompression; a longer one "
      "ends as too_large.",
      [](auto& c) -> auto& { return c.fetch.max_body_bytes; }));
  k.push_back(Bool(
      "fetch.allow_private", "--allow-private",
      "Allow loopback, private, link-local and the other "
      "special-purpose addresses (refused by default, against SSRF).",
      [](auto& c) -> auto& { return c.fetch.allow_private_addresses; }));
  k.push_back(
      StringList(
          "fetch.allow_addresses", "--allow-address",
          "Allow only these of the special-purpose addresses: CIDR "
          "or CIDR:PORT, e.g. 127.0.0.1:8080, 10.0.0.0/8, [::1]:8080.",
          [](auto& c) -> auto& { return c.fetch.allowed_addresses; })
          .WithCheck(CheckAllowAddress, "a list of CIDR or CIDR:PORT rules"));
  k.push_back(
      StringList(
          "fetch.resolve", "--resolve",
          "HOST:PORT:ADDRESS: connect to ADDRESS for HOST on "
          "PORT instead of resolving HOST (as curl's "
          "--resolve; HOST may be *.SUFFIX or *).",
          [](auto& c) -> auto& { return c.fetch.resolve; })
          .WithCheck(CheckResolve, "a list of HOST:PORT:ADDRESS rules"));
  k.push_back(Path(
                  "fetch.ca_cert", "--ca-cert",
                  "A PEM file of extra CA certificates to trust, e.g. a "
                  "private CA; \"\" for none.",
                  [](auto& c) -> auto& { return c.fetch.ca_cert_file; })
                  .WithCheck(CheckCaCert, "a PEM file path, or \"\""));
  k.push_back(Bool(
      "fetch.insecure", "--insecure",
      "Do not verify TLS certificates (said so on stderr).",
      [](auto& c) -> auto& { return c.fetch.insecure; }));
  {
    KeySpec headers =
        StringList(
            "fetch.headers", "--header (-H)",
            "Extra request headers, 'Name: value', sent to every host "
            "(robots.txt and sitemaps included); Host, User-Agent, the "
            "framing headers and the credential headers Authorization, "
            "Proxy-Authorization and Cookie are refused.",
            [](auto& c) -> auto& { return c.fetch.headers; })
            .WithCheck(CheckHeader, "a list of 'Name: value' headers");
    // Stored as the flag stores them: "Name: value", the value trimmed.
    headers.set = [](const KeyValue& v, CrawlConfig& c) {
      c.fetch.headers.clear();
      for (const std::string& h : v.list) {
        c.fetch.headers.push_back(*fetch::ParseRequestHeader(h));
      }
    };
    headers.list_check = CheckHeaderCount;
    k.push_back(headers);
  }
  k.push_back(Bool(
      "fetch.cookies", "--cookies",
      "Keep cookies: an in-memory jar per host in each worker process; a "
      "cookie goes back only to the host that set it.",
      [](auto& c) -> auto& { return c.fetch.cookies; }));
  k.push_back(String(
                  "fetch.proxy", "--proxy",
                  "Send every request through this proxy, "
                  "SCHEME://HOST:PORT with SCHEME http, https, socks5 or "
                  "socks5h, without credentials; \"\" for none (the "
                  "http_proxy & co. variables are always ignored).",
                  [](auto& c) -> auto& { return c.fetch.proxy; })
                  .WithCheck(CheckProxy, "a proxy URL, or \"\""));
  {
    KeySpec user =
        Spec("fetch.proxy_user_env", ValueType::kString, "--proxy-user-env",
             "The environment variable holding the proxy's "
             "USER:PASSWORD (the credentials are never written "
             "in the file); \"\" for none. Needs fetch.proxy.");
    user.env_name = true;
    user.needs = "fetch.proxy";
    user.set = [](const KeyValue& v, CrawlConfig& c) {
      c.fetch.proxy_credentials = v.text;
    };
    user.get = [](const CrawlConfig& c) -> std::string {
      return c.fetch.proxy_credentials.empty() ? "\"\"" : "\"***\"";
    };
    k.push_back(user.WithCheck(CheckProxyCredentials,
                               "an environment variable name, or \"\""));
  }
  {
    KeySpec noproxy =
        StringList(
            "fetch.noproxy", "--noproxy",
            "Hosts reached directly, not through the proxy: host names "
            "(subdomains included), IP addresses, ADDRESS/PREFIX networks, "
            "or '*'. Needs fetch.proxy.",
            [](auto& c) -> auto& { return c.fetch.no_proxy; })
            .WithCheck(CheckNoProxy,
                       "a list of host names, addresses, networks or '*'");
    noproxy.needs = "fetch.proxy";
    k.push_back(noproxy);
  }
  {
    KeySpec auth = Spec(
        "fetch.auth", ValueType::kMappingList, "--auth",
        "HTTP authentication, each entry for one origin only: origin "
        "[http://|https://]HOST[:PORT] (https when no scheme is written), "
        "scheme basic or bearer, and credentials_env, the environment "
        "variable holding USER:PASSWORD (basic) or the token (bearer). Sent "
        "only to requests to that scheme, host and port, never after a "
        "redirect elsewhere. E.g. [{origin: api.example.com, scheme: bearer, "
        "credentials_env: API_TOKEN}].");
    auth.fields = {
        {"origin", "an origin, [http://|https://]HOST[:PORT]", false,
         CheckOrigin},
        {"scheme", "basic or bearer", false, CheckAuthScheme},
        {"credentials_env", "an environment variable name", true,
         CheckAuthCredentials},
    };
    auth.list_check = CheckAuthOrigins;
    // Stored as the flag stores them: the origin as FormatOrigin writes it.
    auth.set = [](const KeyValue& v, CrawlConfig& c) {
      c.fetch.auth.clear();
      for (const std::vector<std::string>& r : v.records) {
        fetch::HostAuth a;
        a.origin = fetch::FormatOrigin(*fetch::ParseOrigin(r[0]));
        a.scheme = *fetch::ParseAuthScheme(r[1]);
        a.secret = r[2];
        c.fetch.auth.push_back(std::move(a));
      }
    };
    // The credentials are not shown.
    auth.get = [](const CrawlConfig& c) {
      std::string out = "[";
      for (const fetch::HostAuth& a : c.fetch.auth) {
        if (out.size() > 1) out += ", ";
        out += "{origin: " + QuoteYaml(a.origin) +
               ", scheme: " + fetch::AuthSchemeName(a.scheme) + "}";
      }
      return out + "]";
    };
    k.push_back(auth);
  }
  // workers
  k.push_back(Int(
      "workers.count", 0, 256, "--workers", "Worker processes; 0: one per CPU.",
      [](auto& c) -> auto& { return c.job.workers.workers; }));
  k.push_back(Int(
      "workers.concurrency", 1, 1000, "--concurrency",
      "Transfers in flight per worker.",
      [](auto& c) -> auto& { return c.job.workers.concurrency; }));
  KeySpec lease = Seconds(
      "workers.lease_timeout", 0.001, kMaxSeconds, "--lease-timeout",
      "A worker holding one URL longer than this is killed as hung.",
      [](auto& c) -> auto& { return c.job.workers.lease_timeout_ms; });
  lease.default_note = "fetch.timeout + 10";
  k.push_back(lease);
  // output
  // state
  k.push_back(String(
      "state.dir", "--state",
      "Directory of the crawl's state between runs (created if needed), "
      "relative to the working directory: resume after a stop or a crash, "
      "re-fetch only what is due, report new, changed, unchanged and gone "
      "URLs; one run at a time per directory; \"\" for none.",
      [](auto& c) -> auto& { return c.state; }));
  k.push_back(Seconds(
      "state.revisit_initial", 1, kMaxRevisitSeconds, "--revisit-initial",
      "Seconds after the run that first fetched a URL until it is due "
      "again.",
      [](auto& c) -> auto& { return c.job.revisit.initial_interval_s; }));
  k.push_back(Seconds(
      "state.revisit_min", 1, kMaxRevisitSeconds, "--revisit-min",
      "Shortest revisit interval in seconds: a changed URL's interval "
      "shrinks by 0.8 down to this; a failed fetch is due again after it.",
      [](auto& c) -> auto& { return c.job.revisit.min_interval_s; }));
  k.push_back(Seconds(
      "state.revisit_max", 1, kMaxRevisitSeconds, "--revisit-max",
      "Longest revisit interval in seconds: an unchanged URL's interval "
      "grows by 1.4 up to this; a gone URL is checked again after it.",
      [](auto& c) -> auto& { return c.job.revisit.max_interval_s; }));
  // frontier
  k.push_back(
      String(
          "frontier.url", "--frontier",
          "Share the crawl with other nodes through this Redis "
          "(6.2 or later), redis://HOST[:PORT][/DB]; each node "
          "writes the output file with its node id before the "
          "extension; not with state.dir; \"\" for a crawl of one "
          "node.",
          [](auto& c) -> auto& { return c.frontier_url; })
          .WithCheck(CheckRedisUrl, "redis://HOST[:PORT][/DB], or \"\""));
  k.push_back(
      String(
          "frontier.crawl_name", "--crawl-name",
          "The shared crawl's name, the same on every node (its Redis keys "
          "start with crawler:{NAME}:); \"\" for the first seed's host.",
          [](auto& c) -> auto& { return c.crawl_name; })
          .WithCheck(CheckSharedName,
                     "a name of letters, digits, "
                     "'.', '_' or '-', or \"\""));
  k.push_back(
      String(
          "frontier.node_id", "--node-id",
          "This node's id in the shared crawl and in its output file's name; "
          "\"\" for hostname-pid.",
          [](auto& c) -> auto& { return c.node_id; })
          .WithCheck(CheckSharedName,
                     "a name of letters, digits, "
                     "'.', '_' or '-', or \"\""));
  k.push_back(Seconds(
      "frontier.timeout", 0.001, kMaxSeconds, "--frontier-timeout",
      "While Redis is unreachable the node pauses; after this many seconds "
      "it fails (exit status 1).",
      [](auto& c) -> auto& { return c.job.frontier_unavailable_timeout_s; }));
  k.push_back(Seconds(
      "frontier.lease", 0.001, kMaxSeconds, "--frontier-lease",
      "A node that stops renewing its hosts (killed, cut off) loses them "
      "after this many seconds; its unfinished URLs go back to the queue.",
      [](auto& c) -> auto& { return c.frontier_lease_ms; }));
  // schedule
  k.push_back(String(
                  "schedule.cron", "crawler cron, crawler schedule",
                  "When to run, in five-field cron syntax (minute hour "
                  "day-of-month month day-of-week, crontab(5)): lists, "
                  "ranges, steps, month and day names, @daily and the other "
                  "macros; local time; \"\" for none.",
                  [](auto& c) -> auto& { return c.schedule_cron; })
                  .WithCheck(CheckCron,
                             "a five-field cron expression such "
                             "as \"30 2 * * *\", or \"\""));
  k.push_back(String(
      "schedule.log", "crawler cron --log, crawler schedule --log",
      "File that runs started on the schedule append their messages to, "
      "relative to the working directory; \"\": `crawler cron` uses "
      "STATE_DIR/crawl.log with a state, else CRAWL_FILE_NAME.log; "
      "`crawler schedule` leaves them on its stderr.",
      [](auto& c) -> auto& { return c.schedule_log; }));
  k.push_back(String(
      "output.path", "--output",
      "File the records are written to, relative to the "
      "working directory; \"\" or \"-\": standard output.",
      [](auto& c) -> auto& { return c.output; }));
  {
    KeySpec format = Spec("output.format", ValueType::kEnum, "--format",
                          "jsonl: one JSON object per line; csv: RFC 4180, "
                          "a header line, CRLF line ends.");
    format.choices = {"jsonl", "csv"};
    format.set = [](const KeyValue& v, CrawlConfig& c) {
      c.records.format = *output::ParseOutputFormat(v.text);
    };
    format.get = [](const CrawlConfig& c) {
      return std::string(output::OutputFormatName(c.records.format));
    };
    k.push_back(format.WithCheck([](const std::string& v) {
      return output::ParseOutputFormat(v).status();
    }));
  }
  {
    KeySpec fields = StringList(
                         "output.fields", "--fields",
                         "Write only these record fields, in this order, e.g. "
                         "[url, status, title]; []: every field.",
                         [](auto& c) -> auto& { return c.records.fields; })
                         .WithCheck(CheckField, "a list of record field names");
    fields.list_check = CheckFieldList;
    k.push_back(fields);
  }
  k.push_back(String(
                  "output.report", "--report",
                  "Write the crawl report here when the crawl ends: one "
                  "self-contained HTML page with charts; relative to the "
                  "working directory; \"\" for none.",
                  [](auto& c) -> auto& { return c.report; })
                  .WithCheck(nullptr, "a file path, or \"\""));
  k.push_back(String(
                  "output.summary_json", "--summary-json",
                  "Also write the run's summary here when it ends (JSON: "
                  "outcome and exit status, counts by terminal state, bytes, "
                  "duration, changes); relative to the working directory; "
                  "with a state it is always written to "
                  "STATE_DIR/last-run.json too; \"\" for none.",
                  [](auto& c) -> auto& { return c.summary_json; })
                  .WithCheck(nullptr, "a file path, or \"\""));
  k.push_back(String(
                  "output.warc", "--warc",
                  "Also write every request and response, as sent and "
                  "received, to WARC/1.1 files "
                  "PREFIX-YYYYMMDDhhmmss-NNNNN-PID.warc.gz, one series per "
                  "worker process; PREFIX is relative to the working "
                  "directory, and the directory it names must exist; \"\" "
                  "for none.",
                  [](auto& c) -> auto& { return c.warc.prefix; })
                  .WithCheck(CheckWarcPrefix, "a file name prefix, or \"\""));
  k.push_back(Bytes(
      "output.warc_max_size", static_cast<int64_t>(warc::kMinMaxFileBytes),
      kMaxBytes, "--warc-max-size",
      "Begin a new WARC file before one would pass this many bytes.",
      [](auto& c) -> auto& { return c.warc.max_file_bytes; }));
  k.push_back(Int(
      "output.warc_compression_level", 0, 12, "--warc-compression-level",
      "gzip level of each WARC record: 0 stores, 1 is fastest (the "
      "default), 12 smallest.",
      [](auto& c) -> auto& { return c.warc.compression_level; }));
  // logging
  k.push_back(Bool(
      "logging.progress", "--progress",
      "Show progress on stderr even when it is not a terminal.",
      [](auto& c) -> auto& { return c.job.progress; }));
  {
    KeySpec level = Spec(
        "logging.level", ValueType::kEnum,
        "--log-level (-q/--quiet: error, -v/--verbose: debug)",
        "The least severe messages shown: error (only errors: no progress, "
        "no summary), warn, info, or debug (also one line per URL).");
    level.choices = {"error", "warn", "info", "debug"};
    level.set = [](const KeyValue& v, CrawlConfig& c) {
      c.log.level = *log::ParseLogLevel(v.text);
    };
    level.get = [](const CrawlConfig& c) {
      return std::string(log::LogLevelName(c.log.level));
    };
    k.push_back(level.WithCheck(
        [](const std::string& v) { return log::ParseLogLevel(v).status(); }));
  }
  k.push_back(String(
                  "logging.file", "--log-file",
                  "Append the messages to this file, one timestamped line "
                  "each, instead of stderr (errors still go to stderr too); "
                  "relative to the working directory; \"\" for none.",
                  [](auto& c) -> auto& { return c.log.file; })
                  .WithCheck(nullptr, "a file path, or \"\""));
  // metrics
  {
    KeySpec listen =
        Spec("metrics.listen", ValueType::kString, "--metrics",
             "Serve /metrics (Prometheus text format) and /status (JSON) here "
             "while crawling: [ADDR:]PORT, ADDR an IP address (127.0.0.1 when "
             "left out), PORT 0 for a free one; \"\" for none.");
    listen.set = [](const KeyValue& v, CrawlConfig& c) {
      if (v.text.empty()) {
        c.metrics.reset();
      } else {
        c.metrics = *metrics::ParseListenAddress(v.text);
      }
    };
    listen.get = [](const CrawlConfig& c) {
      if (!c.metrics) return QuoteYaml("");
      return QuoteYaml(
          metrics::FormatHostPort(c.metrics->host, c.metrics->port));
    };
    k.push_back(listen.WithCheck(CheckListenAddress, "[ADDR:]PORT, or \"\""));
  }
  return k;
}

}  // namespace

KeySpec KeySpec::WithCheck(std::function<Status(const std::string&)> fn,
                           std::string expected) const {
  KeySpec copy = *this;
  copy.check = std::move(fn);
  if (!expected.empty()) copy.expected = std::move(expected);
  return copy;
}

const std::vector<GroupSpec>& Groups() {
  static const std::vector<GroupSpec>* groups =
      new std::vector<GroupSpec>(MakeGroups());
  return *groups;
}

const std::vector<KeySpec>& Keys() {
  static const std::vector<KeySpec>* keys =
      new std::vector<KeySpec>(MakeKeys());
  return *keys;
}

const KeySpec* FindKey(std::string_view path) {
  for (const KeySpec& k : Keys()) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

std::string Expected(const KeySpec& spec) {
  if (!spec.expected.empty()) return spec.expected;
  switch (spec.type) {
    case ValueType::kBool:
      return "true or false";
    case ValueType::kInt:
      return "an integer from " + FormatNumber(spec.min) + " to " +
             FormatNumber(spec.max);
    case ValueType::kNumber:
      return "a number from " + FormatNumber(spec.min) + " to " +
             FormatNumber(spec.max);
    case ValueType::kSeconds:
      return "a number of seconds from " + FormatNumber(spec.min) + " to " +
             FormatNumber(spec.max);
    case ValueType::kBytes:
      return "a byte count from " +
             FormatBytes(static_cast<int64_t>(spec.min)) + " to " +
             FormatBytes(static_cast<int64_t>(spec.max)) +
             " (suffix K, M or G allowed)";
    case ValueType::kString:
      return "a string";
    case ValueType::kPath:
      return "a file path";
    case ValueType::kEnum: {
      std::string out = "one of ";
      for (size_t i = 0; i < spec.choices.size(); ++i) {
        if (i > 0) out += ", ";
        out += spec.choices[i];
      }
      return out;
    }
    case ValueType::kStringList:
      return "a list of strings";
    case ValueType::kPathList:
      return "a list of file paths";
    case ValueType::kMappingList: {
      std::string out = "a list of {";
      for (size_t i = 0; i < spec.fields.size(); ++i) {
        if (i > 0) out += ", ";
        out += spec.fields[i].name;
      }
      return out + "} mappings";
    }
  }
  return "a value";
}

std::string FormatNumber(double value) {
  char buf[64];
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed);
  if (ec != std::errc()) return std::to_string(value);
  return std::string(buf, end);
}

std::string FormatBytes(int64_t value) {
  static constexpr struct {
    int64_t size;
    const char* suffix;
  } kUnits[] = {{int64_t{1} << 30, "G"}, {1 << 20, "M"}, {1 << 10, "K"}};
  if (value != 0) {
    for (const auto& u : kUnits) {
      if (value % u.size == 0) return std::to_string(value / u.size) + u.suffix;
    }
  }
  return std::to_string(value);
}

std::string QuoteYaml(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace crawler::config
