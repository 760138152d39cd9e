#include "crawler/metrics/snapshot.h"

#include "crawler/mp/wire.h"

namespace crawler::metrics {
namespace {

constexpr uint8_t kSnapshotType = 1;
// Lists longer than this are refused when decoding (they are capped far
// below when encoding).
constexpr uint64_t kMaxListLength = 10000;

void EncodeList(mp::Encoder& e, const std::vector<NamedCount>& list) {
  e.U64(list.size());
  for (const NamedCount& n : list) e.Bytes(n.name).U64(n.value);
}

Status DecodeList(mp::Decoder& d, std::vector<NamedCount>* list) {
  uint64_t size = 0;
  RETURN_IF_ERROR(d.U64(&size));
  if (size > kMaxListLength)
    return DataLossError("metrics snapshot: list too long");
  list->resize(size);
  for (NamedCount& n : *list) {
    RETURN_IF_ERROR(d.Bytes(&n.name));
    RETURN_IF_ERROR(d.U64(&n.value));
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeSnapshot(const MetricsSnapshot& s) {
  mp::Encoder e(kSnapshotType);
  e.Bytes(s.state).Bytes(s.stop_reason).Double(s.elapsed_s);
  for (uint64_t v : s.pages_by_class) e.U64(v);
  e.U64(s.ok).U64(s.errors).U64(s.unfetched);
  EncodeList(e, s.errors_by_class);
  e.U64(s.bytes).U64(s.retries).U64(s.robots_fetches).U64(s.robots_blocked);
  e.U64(s.worker_restarts).U64(s.accepted);
  e.U64(s.queued).U64(s.in_flight).U64(s.queued_hosts);
  EncodeList(e, s.host_queues);
  e.U64(s.other_hosts_queued);
  e.U64(s.robots_ready).U64(s.robots_pending).U64(s.robots_unreachable);
  for (uint64_t v : s.latency_buckets) e.U64(v);
  e.Double(s.latency_sum_s).U64(s.latency_count);
  return e.Take();
}

Status DecodeSnapshot(std::string_view data, MetricsSnapshot* s) {
  mp::Decoder d(data);
  RETURN_IF_ERROR(d.Header(kSnapshotType));
  RETURN_IF_ERROR(d.Bytes(&s->state));
  RETURN_IF_ERROR(d.Bytes(&s->stop_reason));
  RETURN_IF_ERROR(d.Double(&s->elapsed_s));
  for (uint64_t& v : s->pages_by_class) RETURN_IF_ERROR(d.U64(&v));
  RETURN_IF_ERROR(d.U64(&s->ok));
  RETURN_IF_ERROR(d.U64(&s->errors));
  RETURN_IF_ERROR(d.U64(&s->unfetched));
  RETURN_IF_ERROR(DecodeList(d, &s->errors_by_class));
  RETURN_IF_ERROR(d.U64(&s->bytes));
  RETURN_IF_ERROR(d.U64(&s->retries));
  RETURN_IF_ERROR(d.U64(&s->robots_fetches));
  RETURN_IF_ERROR(d.U64(&s->robots_blocked));
  RETURN_IF_ERROR(d.U64(&s->worker_restarts));
  RETURN_IF_ERROR(d.U64(&s->accepted));
  RETURN_IF_ERROR(d.U64(&s->queued));
  RETURN_IF_ERROR(d.U64(&s->in_flight));
  RETURN_IF_ERROR(d.U64(&s->queued_hosts));
  RETURN_IF_ERROR(DecodeList(d, &s->host_queues));
  RETURN_IF_ERROR(d.U64(&s->other_hosts_queued));
  RETURN_IF_ERROR(d.U64(&s->robots_ready));
  RETURN_IF_ERROR(d.U64(&s->robots_pending));
  RETURN_IF_ERROR(d.U64(&s->robots_unreachable));
  for (uint64_t& v : s->latency_buckets) RETURN_IF_ERROR(d.U64(&v));
  RETURN_IF_ERROR(d.Double(&s->latency_sum_s));
  RETURN_IF_ERROR(d.U64(&s->latency_count));
  return d.Done();
}

}  // namespace crawler::metrics
