#include "crawler/warc/warc_archive.h"

#include <unistd.h>

#include "crawler/warc/digest.h"
#include "crawler/warc/http_message.h"

namespace crawler::warc {
namespace {

// The payload digest of an HTTP message (its body, chunked framing
// removed), with `sha1`; "" when the head cannot be read.
std::string PayloadDigest(Sha1& sha1, std::string_view message,
                          bool* has_body) {
  StatusOr<HttpHead> head = ParseHttpHead(message);
  *has_body = false;
  if (!head.ok()) return "";
  const std::string_view body = message.substr(head->size);
  *has_body = !body.empty();
  // A body cut short (a truncated record) gives the digest of what is
  // there: "the payload is considered truncated at the same position"
  // (WARC 1.1 section 6.3.2).
  (void)ForEachPayloadPiece(*head, body,
                            [&](std::string_view p) { sha1.Update(p); });
  return sha1.Finish();
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
  Sha1 sha1;
  auto digest = [&sha1](std::string_view data) {
    sha1.Update(data);
    return sha1.Finish();
  };

  WarcWriter::Record& request = records[0];
  AddCommon(&request.header, e, "request", request_id, response_id, date);
  request.header.Add("Content-Type", "application/http; msgtype=request");
  request.header.Add("WARC-Block-Digest", digest(e.request));
  bool request_body = false;
  std::string request_payload = PayloadDigest(sha1, e.request, &request_body);
  if (request_body && !request_payload.empty()) {
    request.header.Add("WARC-Payload-Digest", std::move(request_payload));
  }
  request.block = {e.request};

  WarcWriter::Record& response = records[1];
  AddCommon(&response.header, e, "response", response_id, request_id, date);
  response.header.Add("Content-Type", "application/http; msgtype=response");
  response.header.Add("WARC-Block-Digest", digest(e.response));
  bool response_body = false;
  std::string payload = PayloadDigest(sha1, e.response, &response_body);
  if (!payload.empty()) response.header.Add("WARC-Payload-Digest", payload);
  if (!e.truncated.empty()) response.header.Add("WARC-Truncated", e.truncated);
  response.block = {e.response};
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
