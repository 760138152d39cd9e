#include "crawler/cli/shared_crawl.h"

#include <unistd.h>

#include <cstdio>

#include "crawler/url/url.h"

namespace crawler::cli {

std::string DefaultCrawlName(const std::vector<std::string>& seeds) {
  for (const std::string& seed : seeds) {
    StatusOr<std::string> normal = url::NormalizeUrl(seed);
    if (!normal.ok()) continue;
    StatusOr<url::UrlParts> parts = url::SplitUrl(*normal);
    if (!parts.ok() || parts->host.empty()) continue;
    std::string name;
    for (char c : parts->host.substr(0, 100)) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-';
      name += ok ? c : '_';  // An IPv6 literal's brackets and colons.
    }
    return name;
  }
  return "crawl";
}

std::string DefaultNodeId() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof host, "node");
  }
  std::string id;
  for (const char* p = host; *p != '\0'; ++p) {
    const char c = *p;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    id += ok ? c : '_';
  }
  return id + "-" + std::to_string(::getpid());
}

Status CheckSharedName(const std::string& what, const std::string& value) {
  bool ok = !value.empty() && value.size() <= 100;
  for (char c : value) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  }
  if (ok) return Status::Ok();
  return InvalidArgumentError(what +
                              " must be 1 to 100 letters, digits, '.', '_' "
                              "or '-', got '" +
                              value + "'");
}

std::string NodeOutputPath(const std::string& path,
                           const std::string& node_id) {
  if (path.empty() || path == "-") return path;
  const size_t slash = path.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = path.rfind('.');
  // A dot that starts the name (".pages") is not an extension.
  if (dot == std::string::npos || dot <= base) return path + "." + node_id;
  return path.substr(0, dot) + "." + node_id + path.substr(dot);
}

std::string NodeWarcPrefix(const std::string& prefix,
                           const std::string& node_id) {
  if (prefix.empty()) return prefix;
  return prefix + "." + node_id;
}

}  // namespace crawler::cli
