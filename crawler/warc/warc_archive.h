// The WARC implementation of ExchangeArchive: each fetch::Exchange becomes a
// 'request' record and a 'response' record (WARC 1.1 sections 6.5 and 6.3),
// written together by a WarcWriter (warc_writer.h) as one group.
//
// Both records carry the exchange's WARC-Date (when the request was sent:
// "the instant that data capture for record creation began", one date for
// one capture event, section 5.4), WARC-Target-URI, WARC-IP-Address (when
// known), WARC-Concurrent-To naming the other record (section 5.7: the two
// come from one capture event), Content-Type application/http with msgtype
// request or response, and WARC-Block-Digest (sha1, base32, over the whole
// block: section 5.8). The response also carries WARC-Payload-Digest over
// its payload, the body with any chunked transfer coding removed and the
// content coding kept (sections 5.9 and 6.3.2), and WARC-Truncated when the
// fetch stopped before the end of the body (the exchange's reason); a
// request with a body carries one too. The blocks are the bytes as they
// crossed the network (fetch::Exchange).
//
// A 304 Not Modified response (the answer to the conditional requests a
// re-crawl with --state sends for an unchanged page) becomes a 'revisit'
// record instead, with the server-not-modified profile (section 6.7.3):
// WARC-Profile, WARC-Refers-To-Target-URI (the same URI), the 304 as its
// block, no payload digest. A page answered 200 again with the same body
// is written whole (identical-payload-digest revisits are not written).
//
// Thread-safety: NOT thread-safe; one per worker process (see WarcWriter).
#ifndef CRAWLER_WARC_WARC_ARCHIVE_H_
#define CRAWLER_WARC_WARC_ARCHIVE_H_

#include <sys/types.h>

#include <memory>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/base/status.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/warc/exchange_archive.h"
#include "crawler/warc/warc_files.h"
#include "crawler/warc/warc_options.h"
#include "crawler/warc/warc_record.h"
#include "crawler/warc/warc_writer.h"

namespace crawler::warc {

// The two records of `exchange`, request first, with the given record ids
// (each names the other in WARC-Concurrent-To). The blocks point into
// `exchange`, which must outlive the records. A response whose head names
// a content coding (gzip, br, ...) is marked not to be compressed again
// (Record::compress). Pure.
std::vector<WarcWriter::Record> ExchangeRecords(const fetch::Exchange& exchange,
                                                const std::string& request_id,
                                                const std::string& response_id);

// An archive writing to the real file system, with the system clock and
// this process's pid. Call it in the process that will write (a worker,
// after fork()). Fails with InvalidArgument for bad options.
StatusOr<std::unique_ptr<ExchangeArchive>> NewWarcArchive(
    const WarcOptions& options);

// The same with injected files and clock (tests). `files` and `clock` must
// outlive the archive.
StatusOr<std::unique_ptr<ExchangeArchive>> NewWarcArchive(
    const WarcOptions& options, WarcFiles* files, const Clock* clock,
    pid_t pid);

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_WARC_ARCHIVE_H_
