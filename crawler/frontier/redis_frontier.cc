#include "crawler/frontier/redis_frontier.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>

namespace crawler::frontier {
namespace {

using redis::Reply;
using redis::Script;

// Every script gets KEYS[1] = the crawl's counter hash (so that a cluster
// routes it by the crawl's hash tag) and ARGV[1..3] = key prefix, node id,
// host lease in ms. Scripts run atomically; TIME is the server's clock, so
// lease expiry does not depend on the nodes' clocks. Scores of queued URLs
// are depth * 2^40 + arrival, written with %.0f (exact below 2^53; Lua's
// default number format keeps only 14 digits).
constexpr char kPrelude[] = R"lua(
local P = ARGV[1]
local node = ARGV[2]
local lease_ms = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function fmt(x) return string.format('%.0f', x) end
-- Moves up to B queued URLs of a held host to its in-flight hash.
local function pull(host, B)
  local q = P .. 'q:' .. host
  local got = redis.call('ZPOPMIN', q, B)
  local members = {}
  for j = 1, #got, 2 do
    redis.call('HSET', P .. 'f:' .. host, got[j], got[j + 1])
    members[#members + 1] = got[j]
  end
  local n = #members
  if n > 0 then
    redis.call('HINCRBY', P .. 'n', 'queued', -n)
    redis.call('HINCRBY', P .. 'n', 'inflight', n)
  end
  return members, redis.call('EXISTS', q)
end
-- Leases a host to this node; returns the ms to wait before contacting it.
local function take(host)
  redis.call('HSET', P .. 'hown', host, node)
  redis.call('ZADD', P .. 'hexp', fmt(now + lease_ms), host)
  redis.call('ZREM', P .. 'hosts', host)
  local wait = tonumber(redis.call('HGET', P .. 'hnext', host) or '0') - now
  if wait < 0 then wait = 0 end
  return wait
end
-- Lease time runs only while some node talks to Redis. Maintenance (every
-- node, at least every lease/4) and take_host stamp 'alive'; when none has
-- for more than half a lease, Redis was down, stopped or cut off from
-- every node, and no holder could renew: every lease is pushed back by
-- that gap before any is judged expired. Without this, the first node back
-- after an outage longer than the lease reaps the hosts of every other
-- node, and URLs those nodes are fetching are fetched again.
local function resume()
  local last = tonumber(redis.call('GET', P .. 'alive') or '0')
  local gap = now - last
  if last > 0 and gap > lease_ms / 2 then
    local all = redis.call('ZRANGE', P .. 'hexp', 0, -1, 'WITHSCORES')
    for j = 1, #all, 2 do
      redis.call('ZADD', P .. 'hexp', fmt(tonumber(all[j + 1]) + gap), all[j])
    end
  end
  redis.call('SET', P .. 'alive', fmt(now))
end
-- Ends a host's lease: its in-flight URLs go back to its queue, except
-- those recorded already (done-set), and the host is offered again.
local function requeue(host)
  local f = P .. 'f:' .. host
  local q = P .. 'q:' .. host
  local kv = redis.call('HGETALL', f)
  local back = 0
  for j = 1, #kv, 2 do
    local member = kv[j]
    local b, m = string.match(member, '^(%x+) (%d+) ')
    if not (b and redis.call('SISMEMBER', P .. 'd:' .. b, m) == 1) then
      redis.call('ZADD', q, kv[j + 1], member)
      back = back + 1
    end
  end
  if #kv > 0 then
    redis.call('DEL', f)
    redis.call('HINCRBY', P .. 'n', 'inflight', -(#kv / 2))
    if back > 0 then redis.call('HINCRBY', P .. 'n', 'queued', back) end
  end
  redis.call('HDEL', P .. 'hown', host)
  redis.call('ZREM', P .. 'hexp', host)
  local head = redis.call('ZRANGE', q, 0, 0, 'WITHSCORES')
  if #head > 0 then redis.call('ZADD', P .. 'hosts', head[2], host) end
  return back
end
)lua";

// ARGV[4] per-host cap, ARGV[5] per-path cap, then 7 fields per operation:
// kind, bucket, member, host, path fingerprint, depth, queue member.
// Returns one code per operation: 0 done/new, 1 seen, 2 host cap, 3 path cap.
constexpr char kAddBody[] = R"lua(
local cap = tonumber(ARGV[4])
local qvcap = tonumber(ARGV[5])
local out = {}
local seen, added, done = 0, 0, 0
local i = 6
while i + 6 <= #ARGV do
  local kind, bucket, fpm, host = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local qv, depth, member = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  i = i + 7
  local r = 0
  if kind == 'A' then
    local skey = P .. 's:' .. bucket
    local capped = 0
    if cap > 0 and tonumber(redis.call('HGET', P .. 'hc', host) or '0') >= cap then
      capped = 2
    elseif qvcap > 0 and qv ~= '' and
        tonumber(redis.call('HGET', P .. 'qv', qv) or '0') >= qvcap then
      capped = 3
    end
    if capped ~= 0 then
      if redis.call('SISMEMBER', skey, fpm) == 1 then r = 1 else r = capped end
    elseif redis.call('SADD', skey, fpm) == 0 then
      r = 1
    else
      seen = seen + 1
      if cap > 0 then redis.call('HINCRBY', P .. 'hc', host, 1) end
      if qvcap > 0 and qv ~= '' then redis.call('HINCRBY', P .. 'qv', qv, 1) end
      local seq = redis.call('INCR', P .. 'seq')
      local score = fmt(tonumber(depth) * 1099511627776 + seq)
      redis.call('ZADD', P .. 'q:' .. host, score, member)
      added = added + 1
      if not redis.call('HGET', P .. 'hown', host) then
        redis.call('ZADD', P .. 'hosts', 'LT', score, host)
      end
    end
  elseif kind == 'M' then
    if redis.call('SADD', P .. 's:' .. bucket, fpm) == 1 then
      seen = seen + 1
    else
      r = 1
    end
  elseif kind == 'D' then
    if redis.call('HDEL', P .. 'f:' .. host, member) == 1 then done = done + 1 end
  end
  out[#out + 1] = r
end
if seen > 0 then redis.call('HINCRBY', P .. 'n', 'seen', seen) end
if added > 0 then redis.call('HINCRBY', P .. 'n', 'queued', added) end
if done > 0 then redis.call('HINCRBY', P .. 'n', 'inflight', -done) end
return out
)lua";

// ARGV[4] hosts wanted, ARGV[5] URLs per host. Takes the shallowest hosts
// nobody holds: {{host, wait_ms, more, {members}}...}.
constexpr char kTakeBody[] = R"lua(
local K, B = tonumber(ARGV[4]), tonumber(ARGV[5])
local out = {}
local popped = redis.call('ZPOPMIN', P .. 'hosts', K)
for j = 1, #popped, 2 do
  local host = popped[j]
  local owner = redis.call('HGET', P .. 'hown', host)
  if not owner or owner == node then
    local wait = take(host)
    local members, more = pull(host, B)
    out[#out + 1] = {host, wait, more, members}
  end
end
return out
)lua";

// ARGV[4] URLs per host, ARGV[5] the host. {0, ms left} when another node
// holds it, else {1, wait_ms, more, {members}}.
constexpr char kTakeHostBody[] = R"lua(
local B, host = tonumber(ARGV[4]), ARGV[5]
resume()
local owner = redis.call('HGET', P .. 'hown', host)
if owner and owner ~= node then
  local left = tonumber(redis.call('ZSCORE', P .. 'hexp', host) or '0') - now
  if left > 0 then return {0, left} end
  requeue(host)
end
local wait = take(host)
local members, more = pull(host, B)
return {1, wait, more, members}
)lua";

// ARGV[4] URLs per host, ARGV[5..] held hosts: pulls and renews each;
// {{host, 0 or -1 when no longer held, more, {members}}...}.
constexpr char kPullBody[] = R"lua(
local B = tonumber(ARGV[4])
local out = {}
for j = 5, #ARGV do
  local host = ARGV[j]
  if redis.call('HGET', P .. 'hown', host) == node then
    redis.call('ZADD', P .. 'hexp', fmt(now + lease_ms), host)
    local members, more = pull(host, B)
    out[#out + 1] = {host, 0, more, members}
  else
    out[#out + 1] = {host, -1, 0, {}}
  end
end
return out
)lua";

// ARGV[4] node info, ARGV[5] hosts to release, then (host, wait_ms) pairs,
// then the hosts to renew. Reaps expired leases of any node. Returns
// {{lost hosts}, {queued, inflight, seen, done}, hosts queued, reaped}.
constexpr char kMaintainBody[] = R"lua(
resume()
local nrel = tonumber(ARGV[5])
local i = 6
for k = 1, nrel do
  local host, wait = ARGV[i], tonumber(ARGV[i + 1])
  i = i + 2
  if redis.call('HGET', P .. 'hown', host) == node then
    if wait > 0 then
      redis.call('HSET', P .. 'hnext', host, fmt(now + wait))
    else
      redis.call('HDEL', P .. 'hnext', host)
    end
    requeue(host)
  end
end
local lost = {}
for j = i, #ARGV do
  local host = ARGV[j]
  if redis.call('HGET', P .. 'hown', host) == node then
    redis.call('ZADD', P .. 'hexp', fmt(now + lease_ms), host)
  else
    lost[#lost + 1] = host
  end
end
local expired = redis.call('ZRANGEBYSCORE', P .. 'hexp', '-inf', now, 'LIMIT', 0, 100)
for _, host in ipairs(expired) do requeue(host) end
redis.call('HSET', P .. 'nodes', node, fmt(now) .. ' ' .. ARGV[4])
local c = redis.call('HMGET', P .. 'n', 'queued', 'inflight', 'seen', 'done')
local counts = {}
for j = 1, 4 do counts[j] = tonumber(c[j] or '0') end
return {lost, counts, redis.call('ZCARD', P .. 'hosts'), #expired}
)lua";

// ARGV[4] bucket, ARGV[5] member: 1 the first time.
// ARGV[4] bucket, ARGV[5] member, ARGV[6] "1" when this node's last claim
// of the URL got no reply (it may have been applied). The node's last
// kClaimLog claims are kept in cl:NODE, so that such a retry finds its own
// claim there and is true again: a claim is idempotent for its node.
constexpr char kClaimBody[] = R"lua(
local mine = ARGV[4] .. ' ' .. ARGV[5]
if redis.call('SADD', P .. 'd:' .. ARGV[4], ARGV[5]) == 0 then
  if ARGV[6] == '1' and redis.call('LPOS', P .. 'cl:' .. node, mine) then
    return 1
  end
  return 0
end
redis.call('LPUSH', P .. 'cl:' .. node, mine)
redis.call('LTRIM', P .. 'cl:' .. node, 0, 4095)
redis.call('HINCRBY', P .. 'n', 'done', 1)
redis.call('HINCRBY', P .. 'ndone', node, 1)
return 1
)lua";

// ARGV[4] max pages (0 = no limit): 1 when one more page was counted.
constexpr char kReserveBody[] = R"lua(
local max = tonumber(ARGV[4])
local c = tonumber(redis.call('HGET', P .. 'n', 'pages') or '0')
if max > 0 and c >= max then return 0 end
redis.call('HINCRBY', P .. 'n', 'pages', 1)
return 1
)lua";

Script MakeScript(const char* name, const char* body) {
  return Script{name, std::string(kPrelude) + body};
}

const Script& AddScript() {
  static const Script s = MakeScript("frontier_add", kAddBody);
  return s;
}
const Script& TakeScript() {
  static const Script s = MakeScript("frontier_take", kTakeBody);
  return s;
}
const Script& TakeHostScript() {
  static const Script s = MakeScript("frontier_take_host", kTakeHostBody);
  return s;
}
const Script& PullScript() {
  static const Script s = MakeScript("frontier_pull", kPullBody);
  return s;
}
const Script& MaintainScript() {
  static const Script s = MakeScript("frontier_maintain", kMaintainBody);
  return s;
}
const Script& ClaimScript() {
  static const Script s = MakeScript("frontier_claim", kClaimBody);
  return s;
}
const Script& ReserveScript() {
  static const Script s = MakeScript("frontier_reserve", kReserveBody);
  return s;
}

Duration Seconds(double s) {
  if (!(s > 0)) return Duration::zero();
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(std::min(s, 1e7)));
}

int64_t Ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::string DefaultNodeId() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::random_device rd;
  char rnd[16];
  std::snprintf(rnd, sizeof(rnd), "%08x", static_cast<unsigned>(rd()));
  return std::string(host[0] ? host : "node") + "-" + std::to_string(getpid()) +
         "-" + rnd;
}

bool ReadInt(std::string_view* s, int64_t* out) {
  const char* end = s->data() + s->size();
  auto [p, ec] = std::from_chars(s->data(), end, *out);
  if (ec != std::errc() || p == end || *p != ' ') return false;
  s->remove_prefix(static_cast<size_t>(p - s->data()) + 1);
  return true;
}

int64_t IntOf(const Reply& r) {
  if (r.type == Reply::Type::kInteger) return r.integer;
  if (r.type == Reply::Type::kString) {
    int64_t v = 0;
    std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
    return v;
  }
  return 0;
}

Status Unexpected(const char* what, const Reply& r) {
  return InternalError(std::string(what) + ": unexpected reply " +
                       r.Describe());
}

}  // namespace

StatusOr<std::unique_ptr<RedisFrontier>> RedisFrontier::Create(
    const std::string& url, const FrontierOptions& options,
    const RedisFrontierOptions& redis_options, const Clock& clock) {
  ASSIGN_OR_RETURN(redis::RedisAddress address, redis::ParseRedisUrl(url));
  if (redis_options.seen_bucket_bits < 1 ||
      redis_options.seen_bucket_bits > 32) {
    return InvalidArgumentError("seen_bucket_bits must be from 1 to 32");
  }
  if (redis_options.crawl_name.empty()) {
    return InvalidArgumentError("the crawl name of a Redis frontier is empty");
  }
  auto client =
      std::make_unique<redis::HiredisClient>(address, redis_options.connection);
  Status connected = client->Connect();
  if (!connected.ok()) {
    return connected.WithContext("frontier " + url);
  }
  return std::make_unique<RedisFrontier>(std::move(client), options,
                                         redis_options, clock);
}

RedisFrontier::RedisFrontier(std::unique_ptr<redis::RedisClient> client,
                             const FrontierOptions& options,
                             const RedisFrontierOptions& redis_options,
                             const Clock& clock)
    : client_(std::move(client)),
      options_(options),
      redis_options_(redis_options),
      clock_(clock),
      node_id_(redis_options.node_id.empty() ? DefaultNodeId()
                                             : redis_options.node_id),
      prefix_("crawler:{" + redis_options.crawl_name + "}:") {
  redis_options_.seen_bucket_bits =
      std::clamp(redis_options_.seen_bucket_bits, 1, 32);
  redis_options_.add_batch = std::max(1, redis_options_.add_batch);
  redis_options_.pull_batch = std::max(1, redis_options_.pull_batch);
  redis_options_.take_batch = std::max(1, redis_options_.take_batch);
  redis_options_.max_held_hosts = std::max(1, redis_options_.max_held_hosts);
}

RedisFrontier::~RedisFrontier() {
  if (client_ == nullptr) return;
  FlushOps();
  // Give every held host back; URLs not Done() return to the queues.
  const SteadyTime now = clock_.Now();
  std::vector<std::string> args = {prefix_, node_id_,
                                   std::to_string(redis_options_.host_lease_ms),
                                   "0 0", "0"};
  int64_t n = 0;
  for (auto& [name, h] : hosts_) {
    if (!h.held) continue;
    args.push_back(name);
    args.push_back(
        std::to_string(std::max<int64_t>(0, Ms(h.next_allowed - now))));
    ++n;
  }
  args[4] = std::to_string(n);
  client_->Eval(MaintainScript(), {prefix_ + "n"}, args);
}

void RedisFrontier::AbandonForTesting() {
  client_.reset();
  hosts_.clear();
  pending_.clear();
  pending_adds_ = 0;
  delayed_.clear();
  leased_.clear();
}

void RedisFrontier::Fail(const Status& s) const { health_ = s; }

Status RedisFrontier::health() const { return health_; }

RedisFrontierStats RedisFrontier::stats() const { return stats_; }

// --- Fingerprints and members ---

void RedisFrontier::Split(const std::string& url, std::string* bucket,
                          std::string* fpm) const {
  const uint64_t fp = Fingerprint(url);
  const int rest = 64 - redis_options_.seen_bucket_bits;
  char b[24];
  std::snprintf(b, sizeof(b), "%llx",
                static_cast<unsigned long long>(fp >> rest));
  *bucket = b;
  // Below 2^63: Redis stores it as an integer (intset).
  *fpm = std::to_string(fp & ((uint64_t{1} << rest) - 1));
}

std::string RedisFrontier::Member(const CrawlItem& item,
                                  const std::string& bucket,
                                  const std::string& fpm) const {
  std::string m;
  m.reserve(bucket.size() + fpm.size() + item.url.size() +
            item.referrer.size() + 32);
  m += bucket;
  m += ' ';
  m += fpm;
  m += ' ';
  m += std::to_string(item.depth);
  m += ' ';
  m += std::to_string(item.attempts);
  m += ' ';
  m += std::to_string(item.hops);
  m += ' ';
  m += std::to_string(item.url.size());
  m += ' ';
  m += item.url;
  m += item.referrer;
  return m;
}

bool RedisFrontier::ParseMember(const std::string& host,
                                const std::string& member,
                                CrawlItem* item) const {
  std::string_view s = member;
  const size_t a = s.find(' ');
  if (a == std::string_view::npos) return false;
  s.remove_prefix(a + 1);
  const size_t b = s.find(' ');
  if (b == std::string_view::npos) return false;
  s.remove_prefix(b + 1);
  int64_t depth, attempts, hops, len;
  if (!ReadInt(&s, &depth) || !ReadInt(&s, &attempts) || !ReadInt(&s, &hops) ||
      !ReadInt(&s, &len) || len < 0 || static_cast<size_t>(len) > s.size()) {
    return false;
  }
  item->host = host;
  item->depth = static_cast<int>(depth);
  item->attempts = static_cast<int>(attempts);
  item->hops = static_cast<int>(hops);
  item->url = std::string(s.substr(0, static_cast<size_t>(len)));
  item->referrer = std::string(s.substr(static_cast<size_t>(len)));
  return true;
}

// --- Adding ---

AddResult RedisFrontier::Add(CrawlItem item) {
  const uint64_t fp = Fingerprint(item.url);
  if (!known_.InsertFingerprint(fp)) return AddResult::kSeen;
  Op op;
  op.kind = 'A';
  Split(item.url, &op.bucket, &op.fpm);
  const size_t query = item.url.find('?');
  if (options_.max_query_variants > 0 && query != std::string::npos) {
    op.qv = std::to_string(
        Fingerprint(std::string_view(item.url).substr(0, query)));
  }
  op.host = item.host;
  op.depth = std::to_string(std::clamp(item.depth, 0, 8000));
  op.member = Member(item, op.bucket, op.fpm);
  Queue(std::move(op));
  return AddResult::kAdded;
}

void RedisFrontier::MarkSeen(const std::string& url) {
  if (!known_.Insert(url)) return;
  Op op;
  op.kind = 'M';
  Split(url, &op.bucket, &op.fpm);
  Queue(std::move(op));
}

bool RedisFrontier::Contains(const std::string& url) const {
  return known_.Contains(url);
}

void RedisFrontier::Queue(Op op) {
  if (pending_.size() >= redis_options_.max_pending_ops) {
    ++stats_.ops_dropped;
    Fail(ResourceExhaustedError(
        "Redis frontier: " + std::to_string(pending_.size()) +
        " operations wait for Redis (max_pending_ops); new ones are "
        "dropped"));
    return;
  }
  const SteadyTime now = clock_.Now();
  if (pending_.empty()) pending_since_ = now;
  if (op.kind != 'D') ++pending_adds_;
  pending_.push_back(std::move(op));
  if (pending_.size() >= static_cast<size_t>(redis_options_.add_batch) ||
      now - pending_since_ >=
          std::chrono::milliseconds(redis_options_.add_batch_ms)) {
    FlushOps();
  }
}

Status RedisFrontier::Flush() { return FlushOps(); }

Status RedisFrontier::FlushOps() const {
  if (client_ == nullptr) return UnavailableError("abandoned");
  size_t sent = 0;
  const size_t batch = static_cast<size_t>(redis_options_.add_batch);
  std::vector<std::string> args;
  Status status;
  while (sent < pending_.size()) {
    const size_t end = std::min(pending_.size(), sent + batch);
    args.clear();
    args.reserve(5 + 7 * (end - sent));
    args.push_back(prefix_);
    args.push_back(node_id_);
    args.push_back(std::to_string(redis_options_.host_lease_ms));
    args.push_back(std::to_string(std::max<int64_t>(0, options_.per_host_cap)));
    args.push_back(
        std::to_string(std::max<int64_t>(0, options_.max_query_variants)));
    for (size_t i = sent; i < end; ++i) {
      const Op& op = pending_[i];
      args.push_back(std::string(1, op.kind));
      args.push_back(op.bucket);
      args.push_back(op.fpm);
      args.push_back(op.host);
      args.push_back(op.qv);
      args.push_back(op.depth);
      args.push_back(op.member);
    }
    ++stats_.round_trips;
    StatusOr<Reply> r = client_->Eval(AddScript(), {prefix_ + "n"}, args);
    if (!r.ok()) {
      status = r.status();
      break;
    }
    if (r->type != Reply::Type::kArray || r->elements.size() != end - sent) {
      status = Unexpected("frontier_add", *r);
      sent = end;  // A bug, not an outage: do not send them again.
      break;
    }
    for (size_t i = sent; i < end; ++i) {
      const int64_t code = r->elements[i - sent].integer;
      if (pending_[i].kind != 'A') continue;
      if (code == 1) ++stats_.remote_seen;
      if (code == 2 || code == 3) ++stats_.capped;
    }
    stats_.ops_sent += end - sent;
    sent = end;
  }
  for (size_t i = 0; i < sent; ++i) {
    if (pending_[i].kind != 'D') --pending_adds_;
  }
  pending_.erase(pending_.begin(), pending_.begin() + sent);
  if (!pending_.empty()) pending_since_ = clock_.Now();
  health_ = status;
  return status;
}

// --- Leasing ---

Duration RedisFrontier::Interval(const Host& host) const {
  double s = options_.delay_s;
  s = std::max(s, std::min(host.crawl_delay_s, options_.max_crawl_delay_s));
  s = std::max(s, options_.delay_factor * host.last_response_s);
  return Seconds(s);
}

bool RedisFrontier::Ready(const Host& h, SteadyTime now) const {
  return h.held && !h.blocked && h.in_flight < std::max(1, options_.per_host) &&
         h.next_allowed <= now;
}

void RedisFrontier::Tick(SteadyTime now) const {
  if (client_ == nullptr) return;
  // URLs are sent before anything is leased or scheduled; Done()s alone
  // wait for a full batch or add_batch_ms.
  if (pending_adds_ > 0 ||
      (!pending_.empty() &&
       now - pending_since_ >=
           std::chrono::milliseconds(redis_options_.add_batch_ms))) {
    FlushOps();
  }
  while (!delayed_.empty() && delayed_.front().not_before <= now) {
    auto later = [](const Delayed& a, const Delayed& b) {
      return a.not_before != b.not_before ? a.not_before > b.not_before
                                          : a.seq > b.seq;
    };
    std::pop_heap(delayed_.begin(), delayed_.end(), later);
    Delayed d = std::move(delayed_.back());
    delayed_.pop_back();
    Host& h = hosts_[d.pulled.item.host];
    --h.delayed;
    // Not held any more: the reaper has put it back in the queue.
    if (h.held) h.buffer.push_front(std::move(d.pulled));
  }
  if (now >= next_maintenance_) {
    Maintain(now);
  }
}

bool RedisFrontier::Idle(const Host& h) const {
  return h.buffer.empty() && !h.more && h.in_flight == 0 && h.delayed == 0 &&
         h.leased == 0;
}

Status RedisFrontier::Maintain(SteadyTime now, bool release_all_idle) const {
  next_maintenance_ =
      now + std::chrono::milliseconds(redis_options_.maintenance_interval_ms);
  // Done()s first: a host given back re-queues what is still in flight.
  if (!pending_.empty()) RETURN_IF_ERROR(FlushOps());
  std::vector<std::string> release, renew;
  size_t held = 0;
  for (auto& [name, h] : hosts_) {
    if (!h.held) continue;
    ++held;
    const bool idle = Idle(h);
    if (!idle) {
      h.idle_since = {};
    } else if (h.idle_since == SteadyTime{}) {
      h.idle_since = now;
    }
    if (idle && (release_all_idle ||
                 now - h.idle_since >= std::chrono::milliseconds(
                                           redis_options_.release_idle_ms))) {
      release.push_back(name);
    } else {
      renew.push_back(name);
    }
  }
  std::vector<std::string> args = {
      prefix_, node_id_, std::to_string(redis_options_.host_lease_ms),
      std::to_string(held) + " " + std::to_string(leased_.size()),
      std::to_string(release.size())};
  for (const std::string& name : release) {
    args.push_back(name);
    args.push_back(std::to_string(
        std::max<int64_t>(0, Ms(hosts_[name].next_allowed - now))));
  }
  args.insert(args.end(), renew.begin(), renew.end());
  ++stats_.round_trips;
  StatusOr<Reply> r = client_->Eval(MaintainScript(), {prefix_ + "n"}, args);
  if (!r.ok()) {
    health_ = r.status();
    return health_;
  }
  if (r->type != Reply::Type::kArray || r->elements.size() != 4 ||
      r->elements[1].elements.size() != 4) {
    health_ = Unexpected("frontier_maintain", *r);
    return health_;
  }
  health_ = Status::Ok();
  for (const std::string& name : release) {
    Host& h = hosts_[name];
    h.held = false;
    h.idle_since = {};
    ++stats_.hosts_released;
  }
  for (const Reply& lost : r->elements[0].elements) Lost(lost.str);
  const std::vector<Reply>& c = r->elements[1].elements;
  counters_ = {IntOf(c[0]), IntOf(c[1]), IntOf(c[2]), IntOf(c[3])};
  hosts_queued_ = IntOf(r->elements[2]);
  stats_.hosts_reaped += static_cast<uint64_t>(IntOf(r->elements[3]));
  counters_known_ = true;
  counters_at_ = now;
  return Status::Ok();
}

void RedisFrontier::Lost(const std::string& name) const {
  Host& h = hosts_[name];
  if (!h.held) return;
  h.held = false;
  h.more = false;
  h.buffer.clear();  // The reaper put them back in the queue.
  h.idle_since = {};
  ++stats_.hosts_lost;
}

void RedisFrontier::Received(const std::string& name, int64_t wait_ms,
                             bool more, const Reply& members,
                             SteadyTime now) const {
  Host& h = hosts_[name];
  if (wait_ms < 0) {
    Lost(name);
    return;
  }
  if (!h.held) {
    h.held = true;
    ++stats_.hosts_taken;
    h.next_allowed =
        std::max(h.next_allowed, now + std::chrono::milliseconds(wait_ms));
  }
  h.more = more;
  h.last_pull = now;
  if (!members.elements.empty()) h.idle_since = {};
  for (const Reply& m : members.elements) {
    Pulled p;
    if (!ParseMember(name, m.str, &p.item)) continue;  // Not ours: skip.
    p.member = m.str;
    h.buffer.push_back(std::move(p));
    ++stats_.urls_pulled;
  }
}

int RedisFrontier::TakeHosts(SteadyTime now, int n) {
  if (client_ == nullptr || now < next_take_) return 0;
  int held = 0, idle = 0;
  for (const auto& [name, h] : hosts_) {
    held += h.held ? 1 : 0;
    idle += h.held && Idle(h) ? 1 : 0;
  }
  if (held >= redis_options_.max_held_hosts && idle > 0) {
    // Full of drained hosts: give them back now to make room.
    if (!Maintain(now, /*release_all_idle=*/true).ok()) return 0;
    held -= idle;
  }
  n = std::min(n, redis_options_.max_held_hosts - held);
  if (n <= 0) return 0;
  ++stats_.round_trips;
  StatusOr<Reply> r = client_->Eval(
      TakeScript(), {prefix_ + "n"},
      {prefix_, node_id_, std::to_string(redis_options_.host_lease_ms),
       std::to_string(n), std::to_string(redis_options_.pull_batch)});
  if (!r.ok()) {
    health_ = r.status();
    next_take_ = now + std::chrono::milliseconds(redis_options_.idle_poll_ms);
    return 0;
  }
  health_ = Status::Ok();
  int taken = 0;
  for (const Reply& e : r->elements) {
    if (e.elements.size() != 4) continue;
    Received(e.elements[0].str, IntOf(e.elements[1]), IntOf(e.elements[2]) != 0,
             e.elements[3], now);
    ++taken;
  }
  if (taken == 0) {
    next_take_ = now + std::chrono::milliseconds(redis_options_.idle_poll_ms);
  }
  return taken;
}

StatusOr<bool> RedisFrontier::TakeHost(const std::string& name,
                                       SteadyTime now) {
  if (client_ == nullptr) return UnavailableError("abandoned");
  ++stats_.round_trips;
  StatusOr<Reply> r = client_->Eval(
      TakeHostScript(), {prefix_ + "n"},
      {prefix_, node_id_, std::to_string(redis_options_.host_lease_ms),
       std::to_string(redis_options_.pull_batch), name});
  if (!r.ok()) {
    health_ = r.status();
    return r.status();
  }
  health_ = Status::Ok();
  if (r->type != Reply::Type::kArray || r->elements.size() < 2) {
    return Unexpected("frontier_take_host", *r);
  }
  Host& h = hosts_[name];
  if (IntOf(r->elements[0]) == 0) {
    const int64_t left = IntOf(r->elements[1]);
    h.elsewhere_until = now + std::chrono::milliseconds(std::min<int64_t>(
                                  std::max<int64_t>(left, 1),
                                  redis_options_.held_elsewhere_recheck_ms));
    return false;
  }
  if (r->elements.size() != 4) return Unexpected("frontier_take_host", *r);
  Received(name, IntOf(r->elements[1]), IntOf(r->elements[2]) != 0,
           r->elements[3], now);
  return true;
}

int RedisFrontier::PullHosts(SteadyTime now) {
  if (client_ == nullptr) return 0;
  std::vector<std::string> args = {prefix_, node_id_,
                                   std::to_string(redis_options_.host_lease_ms),
                                   std::to_string(redis_options_.pull_batch)};
  const auto poll = std::chrono::milliseconds(redis_options_.idle_poll_ms);
  for (const auto& [name, h] : hosts_) {
    if (Ready(h, now) && h.buffer.empty() &&
        (h.more || now - h.last_pull >= poll)) {
      args.push_back(name);
    }
  }
  if (args.size() == 4) return 0;
  ++stats_.round_trips;
  StatusOr<Reply> r = client_->Eval(PullScript(), {prefix_ + "n"}, args);
  if (!r.ok()) {
    health_ = r.status();
    return 0;
  }
  health_ = Status::Ok();
  int pulled = 0;
  for (const Reply& e : r->elements) {
    if (e.elements.size() != 4) continue;
    pulled += static_cast<int>(e.elements[3].elements.size());
    Received(e.elements[0].str, IntOf(e.elements[1]), IntOf(e.elements[2]) != 0,
             e.elements[3], now);
  }
  return pulled;
}

std::optional<CrawlItem> RedisFrontier::Lease(SteadyTime now,
                                              const LeaseFilter& filter) {
  Tick(now);
  bool pulled = false, took = false;
  while (true) {
    Host* best = nullptr;
    const std::string* best_name = nullptr;
    for (auto& [name, h] : hosts_) {
      if (h.buffer.empty() || !Ready(h, now)) continue;
      if (best == nullptr ||
          h.buffer.front().item.depth < best->buffer.front().item.depth) {
        best = &h;
        best_name = &name;
      }
    }
    if (best == nullptr) {
      if (!pulled) {
        pulled = true;
        if (PullHosts(now) > 0) continue;
      }
      if (!took) {
        took = true;
        if (TakeHosts(now, redis_options_.take_batch) > 0) continue;
      }
      return std::nullopt;
    }
    Host& h = *best;
    if (filter) {
      const LeaseVerdict verdict = filter(h.buffer.front().item);
      if (verdict == LeaseVerdict::kDrop) {
        Op op;
        op.kind = 'D';
        op.host = *best_name;
        op.member = std::move(h.buffer.front().member);
        h.buffer.pop_front();
        Queue(std::move(op));
        continue;
      }
      if (verdict == LeaseVerdict::kHoldHost) {
        h.blocked = true;
        continue;
      }
    }
    Pulled p = std::move(h.buffer.front());
    h.buffer.pop_front();
    ++h.in_flight;
    ++h.leased;
    h.next_allowed = std::max(h.next_allowed, now + Interval(h));
    h.idle_since = {};
    leased_[p.item.url] = Leased{*best_name, std::move(p.member)};
    return std::move(p.item);
  }
}

std::optional<SteadyTime> RedisFrontier::NextReady() const {
  const SteadyTime now = clock_.Now();
  Tick(now);
  std::optional<SteadyTime> t;
  const auto poll = std::chrono::milliseconds(redis_options_.idle_poll_ms);
  for (const auto& [name, h] : hosts_) {
    if (!h.held || h.blocked || h.in_flight >= std::max(1, options_.per_host)) {
      continue;
    }
    if (h.buffer.empty() && !h.more) continue;
    if (!t || h.next_allowed < *t) t = h.next_allowed;
  }
  if (!delayed_.empty() && (!t || delayed_.front().not_before < *t)) {
    t = delayed_.front().not_before;
  }
  if (t) return t;
  // Nothing here: is there work anywhere in the crawl?
  if (client_ == nullptr) return std::nullopt;
  if (!pending_.empty()) FlushOps();
  if (!health_.ok() || !pending_.empty()) {
    return now + std::chrono::milliseconds(
                     redis_options_.connection.reconnect_interval_ms);
  }
  if (!counters_known_ || now - counters_at_ >= poll) {
    if (!Maintain(now).ok()) {
      return now + std::chrono::milliseconds(
                       redis_options_.connection.reconnect_interval_ms);
    }
  }
  if (counters_.queued > 0 || counters_.in_flight > 0 || !leased_.empty()) {
    return now + poll;
  }
  return std::nullopt;
}

void RedisFrontier::Retry(CrawlItem item, SteadyTime not_before) {
  auto it = leased_.find(item.url);
  if (it == leased_.end()) return;
  Leased l = std::move(it->second);
  leased_.erase(it);
  Host& h = hosts_[l.host];
  --h.leased;
  if (!h.held) return;  // Reaped: already queued again.
  ++h.delayed;
  Pulled p{std::move(item), std::move(l.member)};
  delayed_.push_back({not_before, delayed_seq_++, std::move(p)});
  std::push_heap(
      delayed_.begin(), delayed_.end(), [](const Delayed& a, const Delayed& b) {
        return a.not_before != b.not_before ? a.not_before > b.not_before
                                            : a.seq > b.seq;
      });
}

void RedisFrontier::Done(const std::string& url) {
  auto it = leased_.find(url);
  if (it == leased_.end()) return;
  --hosts_[it->second.host].leased;
  Op op;
  op.kind = 'D';
  op.host = std::move(it->second.host);
  op.member = std::move(it->second.member);
  leased_.erase(it);
  Queue(std::move(op));
}

bool RedisFrontier::Acquire(const std::string& name, SteadyTime now) {
  Tick(now);
  Host& h = hosts_[name];
  if (!h.held) {
    if (now < h.elsewhere_until) return false;
    // Full: a host is not taken only for its robots.txt or a sitemap (that
    // would let the first node take every host of a small crawl). Its
    // holder, this node later or another, fetches them.
    int held = 0;
    for (const auto& [other, o] : hosts_) held += o.held ? 1 : 0;
    if (held >= redis_options_.max_held_hosts) return false;
    StatusOr<bool> taken = TakeHost(name, now);
    if (!taken.ok() || !*taken) return false;
  }
  Host& held = hosts_[name];
  if (held.in_flight >= std::max(1, options_.per_host) ||
      held.next_allowed > now) {
    return false;
  }
  ++held.in_flight;
  held.next_allowed = std::max(held.next_allowed, now + Interval(held));
  held.idle_since = {};
  return true;
}

void RedisFrontier::Release(const std::string& name,
                            const HostFeedback& feedback, SteadyTime now) {
  Host& h = hosts_[name];
  if (h.in_flight > 0) --h.in_flight;
  h.last_response_s = feedback.response_ms / 1000.0;
  h.last_end = now;
  h.next_allowed = std::max(h.next_allowed, now + Interval(h));
  if (feedback.retry_after_s > 0) {
    h.next_allowed = std::max(
        h.next_allowed, now + Seconds(std::min(feedback.retry_after_s,
                                               options_.max_retry_after_s)));
  }
}

void RedisFrontier::Block(const std::string& name) {
  hosts_[name].blocked = true;
}

void RedisFrontier::Unblock(const std::string& name) {
  hosts_[name].blocked = false;
}

void RedisFrontier::SetCrawlDelay(const std::string& name, double seconds) {
  Host& h = hosts_[name];
  h.crawl_delay_s = std::isfinite(seconds) && seconds > 0 ? seconds : 0;
  if (h.last_end != SteadyTime{}) {
    h.next_allowed = std::max(h.next_allowed, h.last_end + Interval(h));
  }
}

size_t RedisFrontier::queued() const {
  size_t local = 0;
  for (const auto& [name, h] : hosts_) local += h.buffer.size();
  return static_cast<size_t>(std::max<int64_t>(0, counters_.queued)) + local;
}

size_t RedisFrontier::seen() const {
  return counters_known_ ? static_cast<size_t>(counters_.seen) : known_.size();
}

std::vector<std::pair<std::string, size_t>> RedisFrontier::LongestQueues(
    size_t n, size_t* queued_hosts) const {
  std::vector<std::pair<std::string, size_t>> all;
  for (const auto& [name, h] : hosts_) {
    if (!h.buffer.empty()) all.emplace_back(name, h.buffer.size());
  }
  if (queued_hosts != nullptr) {
    *queued_hosts = all.size() + static_cast<size_t>(hosts_queued_);
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (all.size() > n) all.resize(n);
  return all;
}

// --- Records and limits ---

StatusOr<bool> RedisFrontier::ClaimRecord(const std::string& url) {
  if (client_ == nullptr) return UnavailableError("abandoned");
  std::string bucket, fpm;
  Split(url, &bucket, &fpm);
  ++stats_.round_trips;
  const bool retry = unknown_claims_.count(url) > 0;
  StatusOr<Reply> r = client_->Eval(
      ClaimScript(), {prefix_ + "n"},
      {prefix_, node_id_, std::to_string(redis_options_.host_lease_ms), bucket,
       fpm, retry ? "1" : "0"});
  if (!r.ok()) {
    // The script may have run (e.g. a reply that timed out): the next
    // claim of this URL accepts this node's own claim.
    unknown_claims_.insert(url);
    health_ = r.status();
    return r.status();
  }
  if (retry) unknown_claims_.erase(url);
  health_ = Status::Ok();
  return r->integer == 1;
}

StatusOr<bool> RedisFrontier::ReservePage(int64_t max_pages) {
  if (client_ == nullptr) return UnavailableError("abandoned");
  ++stats_.round_trips;
  StatusOr<Reply> r = client_->Eval(
      ReserveScript(), {prefix_ + "n"},
      {prefix_, node_id_, std::to_string(redis_options_.host_lease_ms),
       std::to_string(std::max<int64_t>(0, max_pages))});
  if (!r.ok()) {
    health_ = r.status();
    return r.status();
  }
  health_ = Status::Ok();
  return r->integer == 1;
}

void RedisFrontier::ReturnPage() { (void)TryReturnPage(); }

Status RedisFrontier::TryReturnPage() {
  if (client_ == nullptr) return UnavailableError("abandoned");
  ++stats_.round_trips;
  StatusOr<Reply> r =
      client_->Command({"HINCRBY", prefix_ + "n", "pages", "-1"});
  if (!r.ok()) {
    health_ = r.status();
    return r.status();
  }
  health_ = redis::ReplyError(*r, "HINCRBY pages");
  return health_;
}

StatusOr<int64_t> RedisFrontier::pages_leased() {
  if (client_ == nullptr) return UnavailableError("abandoned");
  ++stats_.round_trips;
  StatusOr<Reply> r = client_->Command({"HGET", prefix_ + "n", "pages"});
  if (!r.ok()) {
    health_ = r.status();
    return r.status();
  }
  health_ = Status::Ok();
  return IntOf(*r);
}

// --- Progress ---

StatusOr<FrontierProgress> ReadFrontierProgress(redis::RedisClient& client,
                                                const std::string& crawl_name) {
  const std::string p = "crawler:{" + crawl_name + "}:";
  ASSIGN_OR_RETURN(std::vector<Reply> r,
                   client.Pipeline({{"HMGET", p + "n", "queued", "inflight",
                                     "seen", "done", "pages"},
                                    {"ZCARD", p + "hosts"},
                                    {"HLEN", p + "hown"},
                                    {"HGETALL", p + "nodes"},
                                    {"HGETALL", p + "ndone"},
                                    {"TIME"}}));
  for (const Reply& e : r) RETURN_IF_ERROR(redis::ReplyError(e, "progress"));
  if (r[0].elements.size() != 5 || r[5].elements.size() != 2) {
    return Unexpected("progress", r[0]);
  }
  FrontierProgress out;
  out.queued = IntOf(r[0].elements[0]);
  out.in_flight = IntOf(r[0].elements[1]);
  out.seen = IntOf(r[0].elements[2]);
  out.done = IntOf(r[0].elements[3]);
  out.pages_leased = IntOf(r[0].elements[4]);
  out.hosts_queued = IntOf(r[1]);
  out.hosts_held = IntOf(r[2]);
  const int64_t now_ms =
      IntOf(r[5].elements[0]) * 1000 + IntOf(r[5].elements[1]) / 1000;
  std::unordered_map<std::string, FrontierProgress::Node> nodes;
  const std::vector<Reply>& info = r[3].elements;
  for (size_t i = 0; i + 1 < info.size(); i += 2) {
    FrontierProgress::Node& n = nodes[info[i].str];
    n.id = info[i].str;
    std::string_view s = info[i + 1].str;
    int64_t at = 0;
    if (ReadInt(&s, &at) && ReadInt(&s, &n.held_hosts)) {
      std::from_chars(s.data(), s.data() + s.size(), n.in_flight);
    }
    n.last_seen_ms_ago = now_ms - at;
  }
  const std::vector<Reply>& done = r[4].elements;
  for (size_t i = 0; i + 1 < done.size(); i += 2) {
    FrontierProgress::Node& n = nodes[done[i].str];
    n.id = done[i].str;
    n.records = IntOf(done[i + 1]);
  }
  for (auto& [id, n] : nodes) out.nodes.push_back(std::move(n));
  std::sort(out.nodes.begin(), out.nodes.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace crawler::frontier
