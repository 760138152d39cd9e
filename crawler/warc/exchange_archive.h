// ExchangeArchive: where a worker keeps the exchanges its fetches captured
// (fetch::Exchange, FetchOptions::capture_exchanges).
//
// The worker depends on this interface only; the WARC implementation is
// NewWarcArchive (warc_archive.h), chosen by the command line. An archive
// writes files, so each worker process makes its own, after fork(), through
// an ArchiveFactory.
//
// Thread-safety: implementations are not required to be thread-safe.
#ifndef CRAWLER_WARC_EXCHANGE_ARCHIVE_H_
#define CRAWLER_WARC_EXCHANGE_ARCHIVE_H_

#include <functional>
#include <memory>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/fetch/fetcher.h"

namespace crawler::warc {

class ExchangeArchive {
 public:
  virtual ~ExchangeArchive() = default;
  // Keeps the exchanges of one fetch, in order. A failure (the disk is
  // full, a file cannot be created) is final: the archive is then unusable.
  virtual Status Archive(const std::vector<fetch::Exchange>& exchanges) = 0;
  // Finishes what is being written (closes the current file under its final
  // name). Called once, when the worker has no more work.
  virtual Status Close() = 0;
};

// Makes an archive inside the process that will use it.
using ArchiveFactory =
    std::function<StatusOr<std::unique_ptr<ExchangeArchive>>()>;

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_EXCHANGE_ARCHIVE_H_
