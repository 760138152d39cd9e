#include "crawler/cli/status_command.h"

#include <set>

#include "crawler/cli/exit_codes.h"
#include "crawler/output/json.h"
#include "crawler/redis/redis_client.h"

namespace crawler::cli {
namespace {

constexpr char kUsage[] =
    R"(Usage: crawler status --frontier redis://HOST[:PORT][/DB] [--crawl-name NAME] [--json]

Prints the progress of a crawl shared through Redis (crawler crawl
--frontier): URLs queued, in flight, done and seen, pages leased, hosts, and
per node its held hosts, URLs in flight, records and when it was last heard
from.

      --frontier URL      the Redis of the crawl (required)
      --crawl-name NAME   the crawl (default: the only one in that database)
      --json              one JSON object instead of text
  -h, --help              show this help

Exit status: 0 printed, 1 Redis unreachable or no such crawl, 2 usage error.
)";

int UsageError(std::FILE* err, const std::string& message) {
  std::fprintf(err, "crawler: status: %s\n", message.c_str());
  return kExitUsage;
}

// The crawls in the database: the NAME of every "crawler:{NAME}:n".
StatusOr<std::set<std::string>> ListCrawls(redis::RedisClient& client) {
  std::set<std::string> names;
  std::string cursor = "0";
  do {
    ASSIGN_OR_RETURN(redis::Reply r,
                     client.Command({"SCAN", cursor, "MATCH", "crawler:{*}:n",
                                     "COUNT", "1000"}));
    RETURN_IF_ERROR(redis::ReplyError(r, "SCAN"));
    if (r.elements.size() != 2) return InternalError("SCAN: bad reply");
    cursor = r.elements[0].str;
    for (const redis::Reply& key : r.elements[1].elements) {
      const std::string& k = key.str;
      constexpr size_t kHead = sizeof("crawler:{") - 1;
      if (k.size() > kHead + 3) names.insert(k.substr(kHead, k.size() - kHead - 3));
    }
  } while (cursor != "0");
  return names;
}

}  // namespace

std::string FormatFrontierProgress(const std::string& crawl_name,
                                   const frontier::FrontierProgress& p) {
  std::string out = "crawl " + crawl_name + ": " + std::to_string(p.queued) +
                    " queued, " + std::to_string(p.in_flight) +
                    " in flight, " + std::to_string(p.done) + " done, " +
                    std::to_string(p.seen) + " seen, " +
                    std::to_string(p.pages_leased) + " pages leased\n";
  out += "hosts: " + std::to_string(p.hosts_queued) + " queued, " +
         std::to_string(p.hosts_held) + " held\n";
  out += "nodes: " + std::to_string(p.nodes.size()) + "\n";
  for (const frontier::FrontierProgress::Node& n : p.nodes) {
    char seen[32];
    std::snprintf(seen, sizeof seen, "%.1f s ago",
                  static_cast<double>(n.last_seen_ms_ago) / 1000);
    out += "  " + n.id + ": " + std::to_string(n.held_hosts) +
           " hosts held, " + std::to_string(n.in_flight) + " in flight, " +
           std::to_string(n.records) + " records, last seen " + seen + "\n";
  }
  return out;
}

std::string FrontierProgressJson(const std::string& crawl_name,
                                 const frontier::FrontierProgress& p) {
  std::string out = "{\"crawl\":";
  output::AppendJsonString(&out, crawl_name);
  auto field = [&out](const char* name, int64_t v) {
    out += ",\"";
    out += name;
    out += "\":" + std::to_string(v);
  };
  field("queued", p.queued);
  field("in_flight", p.in_flight);
  field("done", p.done);
  field("seen", p.seen);
  field("pages_leased", p.pages_leased);
  field("hosts_queued", p.hosts_queued);
  field("hosts_held", p.hosts_held);
  out += ",\"nodes\":[";
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const frontier::FrontierProgress::Node& n = p.nodes[i];
    if (i > 0) out += ',';
    out += "{\"id\":";
    output::AppendJsonString(&out, n.id);
    field("held_hosts", n.held_hosts);
    field("in_flight", n.in_flight);
    field("records", n.records);
    field("last_seen_ms_ago", n.last_seen_ms_ago);
    out += '}';
  }
  return out + "]}\n";
}

int RunStatusCommand(const std::vector<std::string>& args, std::FILE* out,
                     std::FILE* err) {
  std::string url;
  std::string name;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool inline_value = false;
    if (size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      inline_value = true;
    }
    auto need = [&]() -> bool {
      if (inline_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, out);
      return kExitOk;
    } else if (a == "--frontier") {
      if (!need()) return UsageError(err, "--frontier needs a value");
      url = value;
    } else if (a == "--crawl-name") {
      if (!need()) return UsageError(err, "--crawl-name needs a value");
      name = value;
    } else if (a == "--json") {
      json = true;
    } else {
      return UsageError(err, "unknown argument '" + a +
                                 "' (see crawler status --help)");
    }
  }
  if (url.empty()) {
    return UsageError(err, "--frontier redis://HOST[:PORT][/DB] is required");
  }
  StatusOr<redis::RedisAddress> address = redis::ParseRedisUrl(url);
  if (!address.ok()) {
    return UsageError(err, "--frontier: " + address.status().message());
  }
  redis::HiredisClient client(*address, {});
  if (name.empty()) {
    StatusOr<std::set<std::string>> crawls = ListCrawls(client);
    if (!crawls.ok()) {
      std::fprintf(err, "crawler: status: %s: %s\n", url.c_str(),
                   crawls.status().message().c_str());
      return kExitFailure;
    }
    if (crawls->empty()) {
      std::fprintf(err, "crawler: status: no crawl in %s\n", url.c_str());
      return kExitFailure;
    }
    if (crawls->size() > 1) {
      std::string list;
      for (const std::string& c : *crawls) list += (list.empty() ? "" : ", ") + c;
      return UsageError(err, "several crawls in " + url +
                                 ": give --crawl-name (one of " + list + ")");
    }
    name = *crawls->begin();
  }
  StatusOr<frontier::FrontierProgress> progress =
      frontier::ReadFrontierProgress(client, name);
  if (!progress.ok()) {
    std::fprintf(err, "crawler: status: %s: %s\n", url.c_str(),
                 progress.status().message().c_str());
    return kExitFailure;
  }
  if (progress->seen == 0 && progress->nodes.empty()) {
    std::fprintf(err, "crawler: status: no crawl named '%s' in %s\n",
                 name.c_str(), url.c_str());
    return kExitFailure;
  }
  const std::string text = json ? FrontierProgressJson(name, *progress)
                                : FormatFrontierProgress(name, *progress);
  std::fputs(text.c_str(), out);
  return kExitOk;
}

}  // namespace crawler::cli
