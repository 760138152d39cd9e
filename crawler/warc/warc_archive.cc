#include "crawler/warc/warc_archive.h"

#include <unistd.h>

#include "crawler/warc/content_decoding.h"
#include "crawler/warc/digest.h"
#include "crawler/warc/http_message.h"

namespace crawler::warc {
namespace {

// True when `head` names a content coding other than "identity"
// (Content-Encoding, RFC 9110 section 8.4): the body is compressed already
// (gzip, br, zstd, deflate, compress).
bool ContentCoded(const HttpHead& head) {
  return !ContentCodings(head.Get("Content-Encoding")).empty();
}

// WARC 1.1 section 6.7.3.
constexpr char kServerNotModified[] =
    "http://netpreserve.org/warc/1.1/revisit/server-not-modified";

// Bytes hashed into one digest before the other takes the same bytes: the
// two passes over a body stay within the CPU's first-level cache.
constexpr size_t kDigestSlice = 8 << 10;

// The block digest (of the whole `message`) and payload digest (of its
// body, chunked framing removed) of an HTTP message, in one pass over the
// body: each slice of the body is hashed into both contexts while it is in
// the cache. `payload` is "" when the head cannot be read; *facts tells
// what else the head says.
struct MessageFacts {
  bool has_body = false;  // There are bytes after the head.
  bool coded = false;     // The head names a content coding (ContentCoded).
  int status = 0;         // A response's status code; 0 unknown.
};

void MessageDigests(Sha1& block_sha1, Sha1& payload_sha1,
                    std::string_view message, std::string* block,
                    std::string* payload, MessageFacts* facts) {
  payload->clear();
  StatusOr<HttpHead> head = ParseHttpHead(message);
  *facts = MessageFacts();
  if (head.ok()) {
    facts->coded = ContentCoded(*head);
    facts->status = head->status;
  }
  if (!head.ok()) {
    block_sha1.Update(message);
    *block = block_sha1.Finish();
    return;
  }
  block_sha1.Update(message.substr(0, head->size));
  const std::string_view body = message.substr(head->size);
  facts->has_body = !body.empty();
  // How far into `body` the block digest has gone. The payload pieces are
  // views into `body`, in order (the body itself, or its chunks' data).
  size_t hashed = 0;
  // A body cut short (a truncated record) gives the digest of what is
  // there: "the payload is considered truncated at the same position"
  // (WARC 1.1 section 6.3.2).
  (void)ForEachPayloadPiece(*head, body, [&](std::string_view p) {
    const size_t at = static_cast<size_t>(p.data() - body.data());
    // The framing before the piece (chunk-size lines) is in the block only.
    if (at > hashed) {
      block_sha1.Update(body.substr(hashed, at - hashed));
      hashed = at;
    }
    while (!p.empty()) {
      const std::string_view slice = p.substr(0, kDigestSlice);
      block_sha1.Update(slice);
      payload_sha1.Update(slice);
      p.remove_prefix(slice.size());
      hashed += slice.size();
    }
  });
  block_sha1.Update(body.substr(hashed));
  *block = block_sha1.Finish();
  *payload = payload_sha1.Finish();
}

void AddCommon(WarcHeader* h, const fetch::Exchange& e, const char* type,
               const std::string& id, const std::string& other_id,
               const std::string& date) {
  h->Add("WARC-Type", type);
  h->Add("WARC-Record-ID", id);
  h->Add("WARC-Date", date);
  h->Add("WARC-Target-URI", e.url);
  if (!e.ip_address.empty()) h->Add("WARC-IP-Address", e.ip_address);
  h->Add("WARC-Concurrent-To", other_id);
}

class WarcArchive : public ExchangeArchive {
 public:
  WarcArchive(std::unique_ptr<WarcFiles> owned_files,
              std::unique_ptr<Clock> owned_clock,
              std::unique_ptr<WarcWriter> writer)
      : owned_files_(std::move(owned_files)),
        owned_clock_(std::move(owned_clock)),
        writer_(std::move(writer)) {}

  Status Archive(const std::vector<fetch::Exchange>& exchanges) override {
    for (const fetch::Exchange& e : exchanges) {
      const std::string request_id = writer_->NewRecordId();
      const std::string response_id = writer_->NewRecordId();
      RETURN_IF_ERROR(
          writer_->Write(ExchangeRecords(e, request_id, response_id)));
    }
    return Status::Ok();
  }

  Status Close() override { return writer_->Close(); }

 private:
  // Declared first: the writer uses them until it is destroyed.
  std::unique_ptr<WarcFiles> owned_files_;
  std::unique_ptr<Clock> owned_clock_;
  std::unique_ptr<WarcWriter> writer_;
};

}  // namespace

std::vector<WarcWriter::Record> ExchangeRecords(
    const fetch::Exchange& e, const std::string& request_id,
    const std::string& response_id) {
  const std::string date = FormatWarcDate(e.sent_unix_us);
  std::vector<WarcWriter::Record> records(2);
  Sha1 block_sha1;
  Sha1 payload_sha1;
  std::string block_digest;
  std::string payload_digest;
  MessageFacts facts;

  WarcWriter::Record& request = records[0];
  AddCommon(&request.header, e, "request", request_id, response_id, date);
  request.header.Add("Content-Type", "application/http; msgtype=request");
  MessageDigests(block_sha1, payload_sha1, e.request, &block_digest,
                 &payload_digest, &facts);
  request.header.Add("WARC-Block-Digest", std::move(block_digest));
  if (facts.has_body && !payload_digest.empty()) {
    request.header.Add("WARC-Payload-Digest", std::move(payload_digest));
  }
  request.block = {e.request};

  WarcWriter::Record& response = records[1];
  MessageDigests(block_sha1, payload_sha1, e.response, &block_digest,
                 &payload_digest, &facts);
  // 304 Not Modified (RFC 9110 section 15.4.5), the answer to a conditional
  // request (a re-crawl with --state sends them): a 'revisit' record with
  // the server-not-modified profile (WARC 1.1 sections 6.7 and 6.7.3). Its
  // block is the 304 as received; there is no payload, so no payload
  // digest; the content it stands for is the earlier capture of the same
  // URI (the WARC-Refers-To-Target-URI field).
  const bool not_modified = facts.status == 304;
  AddCommon(&response.header, e, not_modified ? "revisit" : "response",
            response_id, request_id, date);
  if (not_modified) response.header.Add("WARC-Profile", kServerNotModified);
  response.header.Add("Content-Type", "application/http; msgtype=response");
  response.header.Add("WARC-Block-Digest", std::move(block_digest));
  if (!not_modified && !payload_digest.empty()) {
    response.header.Add("WARC-Payload-Digest", std::move(payload_digest));
  }
  if (not_modified) response.header.Add("WARC-Refers-To-Target-URI", e.url);
  if (!e.truncated.empty()) response.header.Add("WARC-Truncated", e.truncated);
  response.block = {e.response};
  // A compressed body would not shrink: stored, without deflate's CPU.
  response.compress = !facts.coded;
  return records;
}

StatusOr<std::unique_ptr<ExchangeArchive>> NewWarcArchive(
    const WarcOptions& options) {
  auto files = NewPosixWarcFiles();
  auto clock = std::make_unique<SystemClock>();
  ASSIGN_OR_RETURN(
      std::unique_ptr<WarcWriter> writer,
      WarcWriter::Create(options, files.get(), clock.get(), ::getpid()));
  return std::unique_ptr<ExchangeArchive>(
      new WarcArchive(std::move(files), std::move(clock), std::move(writer)));
}

StatusOr<std::unique_ptr<ExchangeArchive>> NewWarcArchive(
    const WarcOptions& options, WarcFiles* files, const Clock* clock,
    pid_t pid) {
  ASSIGN_OR_RETURN(std::unique_ptr<WarcWriter> writer,
                   WarcWriter::Create(options, files, clock, pid));
  return std::unique_ptr<ExchangeArchive>(
      new WarcArchive(nullptr, nullptr, std::move(writer)));
}

}  // namespace crawler::warc
