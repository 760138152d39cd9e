// FakeLineSink: a LineSink in memory for tests; keeps each Write apart so a
// test can check that every record arrived in one piece.
//
// Thread-safety: not thread-safe.
#ifndef CRAWLER_OUTPUT_FAKE_LINE_SINK_H_
#define CRAWLER_OUTPUT_FAKE_LINE_SINK_H_

#include <string>
#include <vector>

#include "crawler/output/line_sink.h"

namespace crawler::output {

class FakeLineSink : public LineSink {
 public:
  Status Write(std::string_view text) override {
    if (!fail_with_.ok()) return fail_with_;
    if (closed_) return ClosedError("writing " + name_ + ": closed");
    writes_.emplace_back(text);
    return Status::Ok();
  }
  Status Close() override {
    closed_ = true;
    return Status::Ok();
  }
  bool IsTerminal() const override { return terminal_; }
  const std::string& name() const override { return name_; }

  // Every Write, in order.
  const std::vector<std::string>& writes() const { return writes_; }
  // Everything written.
  std::string text() const {
    std::string all;
    for (const std::string& w : writes_) all += w;
    return all;
  }
  bool closed() const { return closed_; }
  // Makes every later Write fail with `status`.
  void FailWith(Status status) { fail_with_ = std::move(status); }
  void set_terminal(bool terminal) { terminal_ = terminal; }

 private:
  std::string name_ = "fake output";
  std::vector<std::string> writes_;
  Status fail_with_;
  bool closed_ = false;
  bool terminal_ = false;
};

}  // namespace crawler::output

#endif  // CRAWLER_OUTPUT_FAKE_LINE_SINK_H_
