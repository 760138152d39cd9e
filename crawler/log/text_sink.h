// TextSink: a byte stream for text meant for people: standard error, or a
// log file. The seam between the crawler's messages and the terminal, so
// tests can give a FakeTextSink (fake_text_sink.h) that says it is, or is
// not, a terminal.
//
// Thread-safety: not thread-safe.
#ifndef CRAWLER_LOG_TEXT_SINK_H_
#define CRAWLER_LOG_TEXT_SINK_H_

#include <memory>
#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::log {

class TextSink {
 public:
  virtual ~TextSink() = default;

  // Writes all of `text` in one write(2) where the kernel allows (so lines
  // from several processes do not interleave mid-line).
  virtual Status Write(std::string_view text) = 0;

  // True when a person is watching: the stream is a terminal.
  virtual bool IsTerminal() const = 0;

  // The terminal's width in columns; 0 when unknown or not a terminal.
  virtual int Columns() const = 0;
};

// Standard error (not closed).
TextSink& StandardError();

// Opens `path` for appending (created with mode 0666 before the umask).
// Fails with the errno text naming the path.
StatusOr<std::unique_ptr<TextSink>> OpenLogFile(const std::string& path);

}  // namespace crawler::log

#endif  // CRAWLER_LOG_TEXT_SINK_H_
