#include "crawler/scope/scope.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <re2/re2.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace crawler::scope {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Quotes at most `max` bytes of `s` for a message.
std::string Quote(std::string_view s, size_t max = 200) {
  std::string out = "'";
  out += s.substr(0, max);
  if (s.size() > max) out += "...";
  out += "'";
  return out;
}

Status OutOfScope(std::string message) {
  return Status(Code::kFailedPrecondition, "out_of_scope: " + message,
                Tag::kPermanent);
}

Status Trap(std::string message) {
  return Status(Code::kResourceExhausted, "trap_suspected: " + message,
                Tag::kPermanent);
}

// True when `host` is `domain` or a subdomain of it.
bool InDomain(std::string_view host, std::string_view domain) {
  if (host.size() == domain.size()) return host == domain;
  return host.size() > domain.size() &&
         host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}

// Brings an allow/deny entry to the form hosts have after normalization:
// lowercase, punycode, no leading "*." or ".".
StatusOr<std::string> NormalizeDomain(std::string_view entry,
                                      std::string_view list) {
  std::string_view d = entry;
  if (d.substr(0, 2) == "*.") d.remove_prefix(2);
  if (d.substr(0, 1) == ".") d.remove_prefix(1);
  const auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid " + std::string(list) + " domain " +
                                Quote(entry) + ": " + std::string(why));
  };
  if (d.empty()) return bad("empty");
  if (d.find_first_of("/:?#@[]\\%* ") != std::string_view::npos) {
    return bad("not a domain name");
  }
  StatusOr<url::UrlParts> parts =
      url::SplitUrl("http://" + std::string(d) + "/");
  if (!parts.ok()) return bad(parts.status().message());
  return parts->host;
}

StatusOr<std::vector<std::string>> NormalizeDomains(
    const std::vector<std::string>& entries, std::string_view list) {
  std::vector<std::string> out;
  for (const std::string& e : entries) {
    ASSIGN_OR_RETURN(std::string d, NormalizeDomain(e, list));
    out.push_back(std::move(d));
  }
  return out;
}

StatusOr<std::vector<std::unique_ptr<re2::RE2>>> Compile(
    const std::vector<std::string>& patterns, std::string_view list) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  std::vector<std::unique_ptr<re2::RE2>> out;
  for (const std::string& p : patterns) {
    auto re = std::make_unique<re2::RE2>(p, options);
    if (!re->ok()) {
      return InvalidArgumentError("invalid " + std::string(list) +
                                  " regular expression " + Quote(p) + ": " +
                                  re->error());
    }
    out.push_back(std::move(re));
  }
  return out;
}

// The Public Suffix List: the newer of libpsl's built-in copy and the
// distribution's file (Debian's publicsuffix package). Loaded once, kept for
// the life of the process; null if neither exists.
const psl_ctx_t* Psl() {
  static const psl_ctx_t* const psl = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  return psl;
}

Status TooLong(std::string_view url, size_t max_length) {
  return Status(Code::kResourceExhausted,
                "url_too_long: " + std::to_string(url.size()) +
                    " bytes, more than max_url_length " +
                    std::to_string(max_length) + ": " + Quote(url, 100),
                Tag::kPermanent);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

StatusOr<ScopeMode> ParseScopeMode(std::string_view name) {
  if (name == "host") return ScopeMode::kHost;
  if (name == "domain") return ScopeMode::kDomain;
  if (name == "any") return ScopeMode::kAny;
  return InvalidArgumentError("unknown scope " + Quote(name) +
                              " (valid: host, domain, any)");
}

const char* ScopeModeName(ScopeMode mode) {
  switch (mode) {
    case ScopeMode::kHost:
      return "host";
    case ScopeMode::kDomain:
      return "domain";
    case ScopeMode::kAny:
      return "any";
  }
  return "?";
}

Scope::Scope() = default;
Scope::Scope(Scope&&) noexcept = default;
Scope& Scope::operator=(Scope&&) noexcept = default;
Scope::~Scope() = default;

StatusOr<Scope> Scope::Create(const ScopeOptions& options,
                              const std::vector<std::string>& seed_urls) {
  Scope scope;
  scope.options_ = options;
  ASSIGN_OR_RETURN(scope.options_.allow_domains,
                   NormalizeDomains(options.allow_domains, "allow"));
  ASSIGN_OR_RETURN(scope.options_.deny_domains,
                   NormalizeDomains(options.deny_domains, "deny"));
  ASSIGN_OR_RETURN(scope.include_, Compile(options.include, "include"));
  ASSIGN_OR_RETURN(scope.exclude_, Compile(options.exclude, "exclude"));
  for (const std::string& seed : seed_urls) {
    StatusOr<url::UrlParts> parts = url::SplitUrl(seed);
    if (!parts.ok()) {
      return InvalidArgumentError("bad seed URL: " + parts.status().message());
    }
    scope.seed_domains_.insert(RegisteredDomain(parts->host));
    scope.seed_hosts_.insert(std::move(parts->host));
  }
  if (seed_urls.empty() && options.mode != ScopeMode::kAny) {
    return InvalidArgumentError("scope " +
                                std::string(ScopeModeName(options.mode)) +
                                " needs at least one seed URL");
  }
  return scope;
}

Status Scope::Check(std::string_view normalized_url) const {
  const size_t max_length = options_.max_url_length;
  if (max_length > 0 && normalized_url.size() > max_length) {
    return TooLong(normalized_url, max_length);
  }
  StatusOr<url::UrlParts> parts = url::SplitUrl(normalized_url);
  if (!parts.ok()) {
    return InvalidArgumentError("bad_url: " + parts.status().message());
  }
  return Check(normalized_url, *parts);
}

Status Scope::Check(std::string_view normalized_url,
                    const url::UrlParts& parts) const {
  const size_t max_length = options_.max_url_length;
  if (max_length > 0 && normalized_url.size() > max_length) {
    return TooLong(normalized_url, max_length);
  }
  const std::string& host = parts.host;
  for (const std::string& d : options_.deny_domains) {
    if (InDomain(host, d)) {
      return OutOfScope("host " + Quote(host) + " is in denied domain " +
                        Quote(d));
    }
  }
  if (!options_.allow_domains.empty()) {
    bool allowed = false;
    for (const std::string& d : options_.allow_domains) {
      allowed = allowed || InDomain(host, d);
    }
    if (!allowed) {
      return OutOfScope("host " + Quote(host) +
                        " is not in the allowed domains (" +
                        Join(options_.allow_domains) + ")");
    }
  }
  switch (options_.mode) {
    case ScopeMode::kHost:
      if (seed_hosts_.count(host) == 0) {
        return OutOfScope("host " + Quote(host) +
                          " is not a seed host (scope host)");
      }
      break;
    case ScopeMode::kDomain: {
      const std::string domain = RegisteredDomain(host);
      if (seed_domains_.count(domain) == 0) {
        return OutOfScope("registered domain " + Quote(domain) + " of host " +
                          Quote(host) + " is not a seed's (scope domain)");
      }
      break;
    }
    case ScopeMode::kAny:
      break;
  }
  const re2::StringPiece text(normalized_url.data(), normalized_url.size());
  for (const auto& re : exclude_) {
    if (re2::RE2::PartialMatch(text, *re)) {
      return OutOfScope("matches exclude pattern " + Quote(re->pattern()));
    }
  }
  if (!include_.empty()) {
    bool included = false;
    for (const auto& re : include_) {
      if (re2::RE2::PartialMatch(text, *re)) {
        included = true;
        break;
      }
    }
    if (!included) return OutOfScope("matches no include pattern");
  }

  const std::string_view path_and_query = parts.path_and_query;
  const size_t question = path_and_query.find('?');
  const std::string_view path = path_and_query.substr(0, question);
  if (options_.max_path_repetitions > 0) {
    std::vector<std::string_view> segments;
    size_t start = 1;  // After the leading '/'.
    while (start < path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      if (end > start) segments.push_back(path.substr(start, end - start));
      start = end + 1;
    }
    const int limit = options_.max_path_repetitions;
    if (segments.size() > static_cast<size_t>(limit)) {
      std::unordered_map<std::string_view, int> counts;
      for (const std::string_view segment : segments) {
        const int count = ++counts[segment];
        if (count > limit) {
          return Trap("path segment " + Quote(segment, 100) +
                      " appears more than max_path_repetitions " +
                      std::to_string(limit) + " times");
        }
      }
    }
  }
  if (options_.max_query_params > 0 && question != std::string_view::npos) {
    const std::string_view query = path_and_query.substr(question + 1);
    int params = 0;
    size_t start = 0;
    while (start <= query.size()) {
      size_t end = query.find('&', start);
      if (end == std::string_view::npos) end = query.size();
      params += end > start ? 1 : 0;
      start = end + 1;
    }
    if (params > options_.max_query_params) {
      return Trap(std::to_string(params) +
                  " query parameters, more than max_query_params " +
                  std::to_string(options_.max_query_params));
    }
  }
  return Status::Ok();
}

std::string Scope::RegisteredDomain(std::string_view host) {
  std::string h = Lower(host);
  if (h.empty() || h.front() == '[' || h.find('.') == std::string::npos) {
    return h;
  }
  in_addr v4;
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return h;
  const psl_ctx_t* psl = Psl();
  if (psl == nullptr) return h;
  const char* domain = psl_registrable_domain(psl, h.c_str());
  return domain != nullptr ? std::string(domain) : h;
}

}  // namespace crawler::scope
