// FakeTextSink: a TextSink in memory for tests, which says it is (or is
// not) a terminal of a given width.
//
// Thread-safety: not thread-safe.
#ifndef CRAWLER_LOG_FAKE_TEXT_SINK_H_
#define CRAWLER_LOG_FAKE_TEXT_SINK_H_

#include <string>
#include <vector>

#include "crawler/log/text_sink.h"

namespace crawler::log {

class FakeTextSink : public TextSink {
 public:
  explicit FakeTextSink(bool terminal = false, int columns = 0)
      : terminal_(terminal), columns_(columns) {}

  Status Write(std::string_view text) override {
    writes_.emplace_back(text);
    text_.append(text);
    return Status::Ok();
  }
  bool IsTerminal() const override { return terminal_; }
  int Columns() const override { return columns_; }

  // Everything written, and each Write apart.
  const std::string& text() const { return text_; }
  const std::vector<std::string>& writes() const { return writes_; }
  void Clear() {
    text_.clear();
    writes_.clear();
  }
  void set_columns(int columns) { columns_ = columns; }

 private:
  bool terminal_;
  int columns_;
  std::string text_;
  std::vector<std::string> writes_;
};

}  // namespace crawler::log

#endif  // CRAWLER_LOG_FAKE_TEXT_SINK_H_
