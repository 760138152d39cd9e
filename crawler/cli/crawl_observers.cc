#include "crawler/cli/crawl_observers.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <utility>

#include "crawler/base/time_format.h"
#include "crawler/report/render.h"

namespace crawler::cli {
namespace {

std::string UtcTime(std::chrono::system_clock::time_point t) {
  return UtcDateTime(std::chrono::system_clock::to_time_t(t)) + " UTC";
}

}  // namespace

StatusOr<std::unique_ptr<CrawlObservers>> CrawlObservers::Start(
    const CrawlFlags& flags, const std::vector<std::string>& seeds,
    std::FILE* log) {
  std::unique_ptr<CrawlObservers> o(new CrawlObservers());
  if (!flags.report.empty()) {
    o->report_path_ = flags.report;
    o->report_file_ = std::fopen(flags.report.c_str(), "w");
    if (o->report_file_ == nullptr) {
      return InvalidArgumentError("cannot write --report '" + flags.report +
                                  "': " + std::strerror(errno));
    }
    o->report_ = std::make_unique<report::ReportCollector>();
    o->report_->SetSeeds(seeds);
  }
  if (flags.metrics) {
    metrics::MetricsServerOptions options;
    options.address = *flags.metrics;
    StatusOr<std::unique_ptr<metrics::MetricsServer>> server =
        metrics::MetricsServer::Start(options);
    if (!server.ok()) return server.status().WithContext("--metrics");
    o->server_ = std::move(server).value();
    o->metrics_ = std::make_unique<metrics::MetricsCollector>(o->server_.get());
    std::fprintf(log, "crawler: metrics: %s/metrics and %s/status (pid %d)\n",
                 o->server_->base_url().c_str(), o->server_->base_url().c_str(),
                 static_cast<int>(o->server_->pid()));
    if (!flags.metrics->loopback) {
      std::fprintf(log,
                   "crawler: metrics: listening on %s, not a loopback "
                   "address: whoever can reach it can read the crawl's "
                   "figures\n",
                   flags.metrics->host.c_str());
    }
    std::fflush(log);
  }
  return o;
}

CrawlObservers::~CrawlObservers() {
  if (server_ != nullptr) server_->Stop();
  if (report_file_ != nullptr) std::fclose(report_file_);
}

void CrawlObservers::Attach(coordinator::CrawlJobOptions* job) {
  if (report_ != nullptr) job->observers.push_back(report_.get());
  if (metrics_ != nullptr) job->observers.push_back(metrics_.get());
}

Status CrawlObservers::Finish(const Status& crawl, const Clock& clock) {
  if (server_ != nullptr) server_->Stop();
  if (report_ == nullptr) return Status::Ok();
  if (!crawl.ok()) report_->SetFailure(crawl.message());
  const std::string html =
      report::RenderReport(report_->Data(UtcTime(clock.WallNow())));
  std::FILE* f = std::exchange(report_file_, nullptr);
  const bool written =
      std::fwrite(html.data(), 1, html.size(), f) == html.size();
  const int write_errno = errno;
  if (std::fclose(f) != 0 || !written) {
    return ErrnoError("writing --report '" + report_path_ + "'",
                      written ? errno : write_errno);
  }
  return Status::Ok();
}

}  // namespace crawler::cli
