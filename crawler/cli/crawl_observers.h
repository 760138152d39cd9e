// CrawlObservers: what `--report FILE` and `--metrics ADDR:PORT` add to a
// crawl (`crawler crawl`, `crawler run`): the report collector and the
// metrics server, attached to the crawl as CrawlObservers.
//
// Thread-safety: not thread-safe; used by main's thread only.
#ifndef CRAWLER_CLI_CRAWL_OBSERVERS_H_
#define CRAWLER_CLI_CRAWL_OBSERVERS_H_

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/base/status.h"
#include "crawler/cli/crawl_flags.h"
#include "crawler/coordinator/crawl_job.h"
#include "crawler/metrics/collector.h"
#include "crawler/metrics/metrics_server.h"
#include "crawler/report/collector.h"

namespace crawler::cli {

class CrawlObservers {
 public:
  // Prepares what `flags` ask for: creates the report file (so that a path
  // that cannot be written fails before the crawl, with InvalidArgument)
  // and starts the metrics server process (Unavailable when its address
  // cannot be bound), printing its URL on `log`. REQUIRES: the process is
  // single-threaded (it may fork); call it before the crawl starts workers.
  static StatusOr<std::unique_ptr<CrawlObservers>> Start(
      const CrawlFlags& flags, const std::vector<std::string>& seeds,
      std::FILE* log);
  ~CrawlObservers();
  CrawlObservers(const CrawlObservers&) = delete;
  CrawlObservers& operator=(const CrawlObservers&) = delete;

  // Adds the observers to the crawl's options (they must outlive the crawl).
  void Attach(coordinator::CrawlJobOptions* job);

  // After the crawl (whose result is `crawl`): stops the metrics server and
  // writes the report, noting a failed crawl in it. Fails when the report
  // cannot be written, naming the file.
  Status Finish(const Status& crawl, const Clock& clock);

 private:
  CrawlObservers() = default;

  std::string report_path_;
  std::FILE* report_file_ = nullptr;
  std::unique_ptr<report::ReportCollector> report_;
  std::unique_ptr<metrics::MetricsServer> server_;
  std::unique_ptr<metrics::MetricsCollector> metrics_;
};

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_CRAWL_OBSERVERS_H_
