#include "crawler/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace crawler::redis {
namespace {

timeval ToTimeval(int ms) {
  ms = std::max(ms, 1);
  timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

bool ParseInt(std::string_view s, int min, int max, int* out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  if (v < min || v > max) return false;
  *out = v;
  return true;
}

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) {
        out.elements.push_back(Convert(r->element[i]));
      }
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string RedisAddress::ToUrl() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "redis://" + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port) + "/" + std::to_string(db);
}

StatusOr<RedisAddress> ParseRedisUrl(std::string_view url) {
  auto fail = [&](std::string_view what) {
    return InvalidArgumentError("bad Redis URL '" + std::string(url) +
                                "': " + std::string(what) +
                                " (expected redis://host[:port][/db])");
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), url.begin(),
                  [](char a, char b) {
                    return a == std::tolower(static_cast<unsigned char>(b));
                  })) {
    return fail("the scheme must be redis://");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return fail("a query or fragment is not allowed");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path =
      slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (authority.find('@') != std::string_view::npos) {
    return fail("credentials in the URL are not supported");
  }
  RedisAddress a;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed '['");
    a.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("junk after ']'");
      port = after.substr(1);
      if (port.empty()) return fail("empty port");
    }
  } else {
    const size_t colon = authority.rfind(':');
    a.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return fail("empty port");
    }
  }
  if (a.host.empty()) return fail("no host");
  if (!port.empty() && !ParseInt(port, 1, 65535, &a.port)) {
    return fail("the port must be a number from 1 to 65535");
  }
  if (!path.empty() && !ParseInt(path, 0, 9999, &a.db)) {
    return fail("the database must be a number from 0 to 9999");
  }
  return a;
}

std::string Reply::Describe() const {
  switch (type) {
    case Type::kNil:
      return "nil";
    case Type::kString:
      return "string '" + str.substr(0, 80) + "'";
    case Type::kStatus:
      return "status " + str;
    case Type::kError:
      return "error " + str;
    case Type::kInteger:
      return "integer " + std::to_string(integer);
    case Type::kArray:
      return "array of " + std::to_string(elements.size());
  }
  return "?";
}

Status ReplyError(const Reply& reply, std::string_view what) {
  if (!reply.is_error()) return Status::Ok();
  const std::string& e = reply.str;
  std::string message = std::string(what) + ": Redis replied: " + e;
  for (std::string_view word : {"LOADING", "BUSY", "READONLY", "MASTERDOWN",
                                "TRYAGAIN", "CLUSTERDOWN"}) {
    if (StartsWith(e, word)) return UnavailableError(message);
  }
  if (StartsWith(e, "OOM")) return ResourceExhaustedError(message);
  if (StartsWith(e, "MOVED") || StartsWith(e, "ASK")) {
    return InternalError(message +
                         " (Redis Cluster redirections are not followed: "
                         "point the crawler at the node that owns the "
                         "crawl's hash slot, or at a cluster proxy)");
  }
  if (StartsWith(e, "ERR wrong number of arguments") ||
      StartsWith(e, "ERR unknown command") || StartsWith(e, "ERR syntax")) {
    return InvalidArgumentError(message);
  }
  return InternalError(message);
}

struct HiredisClient::Context {
  redisContext* c = nullptr;
  ~Context() {
    if (c != nullptr) redisFree(c);
  }
};

HiredisClient::HiredisClient(const RedisAddress& address,
                             const Options& options)
    : address_(address), options_(options) {}

HiredisClient::~HiredisClient() = default;

void HiredisClient::Disconnect() { context_.reset(); }

Status HiredisClient::ConnectionFailed(std::string_view what) {
  std::string detail = "unknown error";
  int err = REDIS_ERR_OTHER;
  if (context_ != nullptr && context_->c != nullptr) {
    err = context_->c->err;
    detail = context_->c->errstr;
  }
  const std::string message =
      "Redis at " + address_.ToUrl() + ": " + std::string(what) + ": " + detail;
  context_.reset();
  retry_at_ = std::chrono::steady_clock::now() +
              std::chrono::milliseconds(options_.reconnect_interval_ms);
  if (err == REDIS_ERR_PROTOCOL) {
    health_ = InternalError(message + " (protocol error)");
  } else if (err == REDIS_ERR_OOM) {
    health_ = ResourceExhaustedError(message + " (client out of memory)");
  } else {
    health_ = UnavailableError(message);
  }
  return health_;
}

Status HiredisClient::Connect() {
  retry_at_ = {};
  return EnsureConnected();
}

Status HiredisClient::EnsureConnected() {
  if (context_ != nullptr) return Status::Ok();
  if (std::chrono::steady_clock::now() < retry_at_ && !health_.ok()) {
    return health_;
  }
  context_ = std::make_unique<Context>();
  context_->c = redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                        ToTimeval(options_.connect_timeout_ms));
  if (context_->c == nullptr || context_->c->err != 0) {
    return ConnectionFailed("cannot connect");
  }
  if (redisSetTimeout(context_->c, ToTimeval(options_.command_timeout_ms)) !=
      REDIS_OK) {
    return ConnectionFailed("cannot set the reply timeout");
  }
  redisEnableKeepAlive(context_->c);
  if (address_.db != 0) {
    std::vector<std::vector<std::string>> select = {
        {"SELECT", std::to_string(address_.db)}};
    StatusOr<std::vector<Reply>> r = RoundTrip(select);
    if (!r.ok()) return r.status();
    Status s = ReplyError((*r)[0], "SELECT " + std::to_string(address_.db));
    if (!s.ok()) {
      context_.reset();
      health_ = s.WithContext("Redis at " + address_.ToUrl());
      return health_;
    }
  }
  return Status::Ok();
}

StatusOr<std::vector<Reply>> HiredisClient::RoundTrip(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::vector<std::string>& cmd : commands) {
    argv.clear();
    lens.clear();
    for (const std::string& a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(context_->c, static_cast<int>(argv.size()),
                               argv.data(), lens.data()) != REDIS_OK) {
      return ConnectionFailed("cannot queue a command");
    }
  }
  ++round_trips_;
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_->c, &raw) != REDIS_OK || raw == nullptr) {
      return ConnectionFailed("no reply");
    }
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  health_ = Status::Ok();
  return replies;
}

StatusOr<Reply> HiredisClient::Command(const std::vector<std::string>& argv) {
  RETURN_IF_ERROR(EnsureConnected());
  ASSIGN_OR_RETURN(std::vector<Reply> r, RoundTrip({argv}));
  return std::move(r[0]);
}

StatusOr<std::vector<Reply>> HiredisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return std::vector<Reply>();
  RETURN_IF_ERROR(EnsureConnected());
  return RoundTrip(commands);
}

StatusOr<Reply> HiredisClient::Eval(const Script& script,
                                    const std::vector<std::string>& keys,
                                    const std::vector<std::string>& args) {
  RETURN_IF_ERROR(EnsureConnected());
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto sha = shas_.find(script.source);
    if (sha == shas_.end()) {
      ASSIGN_OR_RETURN(std::vector<Reply> loaded,
                       RoundTrip({{"SCRIPT", "LOAD", script.source}}));
      Status s = ReplyError(loaded[0], "SCRIPT LOAD " + script.name);
      if (!s.ok()) return s;
      if (loaded[0].type != Reply::Type::kString) {
        return InternalError("SCRIPT LOAD " + script.name + ": unexpected " +
                             loaded[0].Describe());
      }
      sha = shas_.emplace(script.source, loaded[0].str).first;
    }
    std::vector<std::string> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.push_back("EVALSHA");
    argv.push_back(sha->second);
    argv.push_back(std::to_string(keys.size()));
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    ASSIGN_OR_RETURN(std::vector<Reply> r, RoundTrip({argv}));
    if (r[0].is_error() && StartsWith(r[0].str, "NOSCRIPT")) {
      shas_.erase(sha);  // The server lost its script cache: load again.
      continue;
    }
    Status s = ReplyError(r[0], "script " + script.name);
    if (!s.ok()) return s;
    return std::move(r[0]);
  }
  return InternalError("script " + script.name +
                       ": the server keeps answering NOSCRIPT");
}

}  // namespace crawler::redis
