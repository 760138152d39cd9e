#include "crawler/ipc/messages.h"

#include "crawler/mp/wire.h"

namespace crawler::ipc {

std::string Encode(const FetchTask& task) {
  mp::Encoder e(kFetchTask);
  e.U64(task.id)
      .Bytes(task.url)
      .Bool(task.want_links)
      .Bool(task.want_body)
      .Bool(task.want_sitemap)
      .Bytes(task.if_none_match)
      .Bytes(task.if_modified_since)
      .Bool(task.want_hash)
      .Bool(task.hash_sha1);
  return e.Take();
}

Status Decode(std::string_view data, FetchTask* task) {
  mp::Decoder d(data);
  RETURN_IF_ERROR(d.Header(kFetchTask));
  RETURN_IF_ERROR(d.U64(&task->id));
  RETURN_IF_ERROR(d.Bytes(&task->url));
  RETURN_IF_ERROR(d.Bool(&task->want_links));
  RETURN_IF_ERROR(d.Bool(&task->want_body));
  RETURN_IF_ERROR(d.Bool(&task->want_sitemap));
  RETURN_IF_ERROR(d.Bytes(&task->if_none_match));
  RETURN_IF_ERROR(d.Bytes(&task->if_modified_since));
  RETURN_IF_ERROR(d.Bool(&task->want_hash));
  RETURN_IF_ERROR(d.Bool(&task->hash_sha1));
  return d.Done();
}

std::string Encode(const FetchResult& r) {
  mp::Encoder e(kFetchResult);
  e.U64(r.id)
      .Bytes(r.url)
      .Bytes(r.final_url)
      .I64(r.status)
      .Bytes(r.content_type)
      .U64(r.bytes)
      .Bool(r.parsed)
      .Bytes(r.title)
      .I64(r.links)
      .U64(r.link_urls.size());
  for (const std::string& u : r.link_urls) e.Bytes(u);
  e.Bytes(r.canonical)
      .Bool(r.noindex)
      .Bool(r.nofollow)
      .Bytes(r.location)
      .Bytes(r.retry_after)
      .Bytes(r.body);
  e.U64(r.sitemaps.size());
  for (const std::string& u : r.sitemaps) e.Bytes(u);
  e.I64(r.elapsed_ms)
      .Bytes(r.error)
      .Bytes(r.error_class)
      .U64(static_cast<uint64_t>(r.tag))
      .Bytes(r.etag)
      .Bytes(r.last_modified)
      .Bytes(r.content_hash);
  return e.Take();
}

Status Decode(std::string_view data, FetchResult* r) {
  mp::Decoder d(data);
  RETURN_IF_ERROR(d.Header(kFetchResult));
  RETURN_IF_ERROR(d.U64(&r->id));
  RETURN_IF_ERROR(d.Bytes(&r->url));
  RETURN_IF_ERROR(d.Bytes(&r->final_url));
  RETURN_IF_ERROR(d.Int(&r->status));
  RETURN_IF_ERROR(d.Bytes(&r->content_type));
  RETURN_IF_ERROR(d.U64(&r->bytes));
  RETURN_IF_ERROR(d.Bool(&r->parsed));
  RETURN_IF_ERROR(d.Bytes(&r->title));
  RETURN_IF_ERROR(d.I64(&r->links));
  uint64_t n = 0;
  RETURN_IF_ERROR(d.U64(&n));
  r->link_urls.clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string u;
    RETURN_IF_ERROR(d.Bytes(&u));
    r->link_urls.push_back(std::move(u));
  }
  RETURN_IF_ERROR(d.Bytes(&r->canonical));
  RETURN_IF_ERROR(d.Bool(&r->noindex));
  RETURN_IF_ERROR(d.Bool(&r->nofollow));
  RETURN_IF_ERROR(d.Bytes(&r->location));
  RETURN_IF_ERROR(d.Bytes(&r->retry_after));
  RETURN_IF_ERROR(d.Bytes(&r->body));
  RETURN_IF_ERROR(d.U64(&n));
  r->sitemaps.clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string u;
    RETURN_IF_ERROR(d.Bytes(&u));
    r->sitemaps.push_back(std::move(u));
  }
  RETURN_IF_ERROR(d.I64(&r->elapsed_ms));
  RETURN_IF_ERROR(d.Bytes(&r->error));
  RETURN_IF_ERROR(d.Bytes(&r->error_class));
  uint64_t tag = 0;
  RETURN_IF_ERROR(d.U64(&tag));
  if (tag > static_cast<uint64_t>(Tag::kWorkerLost)) {
    return DataLossError("unknown error tag " + std::to_string(tag));
  }
  r->tag = static_cast<Tag>(tag);
  RETURN_IF_ERROR(d.Bytes(&r->etag));
  RETURN_IF_ERROR(d.Bytes(&r->last_modified));
  RETURN_IF_ERROR(d.Bytes(&r->content_hash));
  return d.Done();
}

}  // namespace crawler::ipc
