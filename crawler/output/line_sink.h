// LineSink: where output records go, a file or standard output.
//
// Records are written as they come, each in one piece: Write() hands the
// whole text to the kernel with one write(2) (more only if the kernel takes
// part of it, which for a regular file or a pipe happens on a full disk or
// when a signal interrupts a large write), so a run killed at any moment,
// even by SIGKILL, leaves only whole lines behind it. Nothing is buffered in
// the process.
//
// The interface is the seam for tests: FakeLineSink (fake_line_sink.h)
// records each Write.
//
// Thread-safety: not thread-safe; one writer per sink.
#ifndef CRAWLER_OUTPUT_LINE_SINK_H_
#define CRAWLER_OUTPUT_LINE_SINK_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::output {

class LineSink {
 public:
  virtual ~LineSink() = default;

  // Writes all of `text` (whole lines). Fails with the errno text naming
  // the output ("writing out.jsonl: No space left on device").
  virtual Status Write(std::string_view text) = 0;

  // Closes the output (standard output is left open); Write fails after.
  // Reports a failed close, which some file systems use to report a failed
  // write.
  virtual Status Close() = 0;

  // True when the output is a terminal (records shown to a person).
  virtual bool IsTerminal() const = 0;

  // The output's name in messages: the path, or "standard output".
  virtual const std::string& name() const = 0;

  // Bytes in the file after the last Write (its size) for a file opened by
  // OpenLineSink or OpenLineSinkForAppend; -1 for standard output and
  // other sinks.
  virtual int64_t Position() const { return -1; }
};

// Opens where records go: "" or "-" is standard output, anything else a
// file, created or truncated (mode 0666 before the umask). Fails with the
// errno text naming the path.
StatusOr<std::unique_ptr<LineSink>> OpenLineSink(const std::string& path);

// Opens a file to append records to (standard output for "" or "-", as
// OpenLineSink), created if missing. With `keep` set, a longer file is first
// cut back to its first `keep` bytes (records past a crawl state's last
// commit: they are fetched and written again); *cut_bytes, when given, is
// set to the bytes removed. Fails with the errno text naming the path.
StatusOr<std::unique_ptr<LineSink>> OpenLineSinkForAppend(
    const std::string& path, std::optional<int64_t> keep,
    int64_t* cut_bytes = nullptr);

// A sink over an open file descriptor, closed by Close() only when `owned`.
std::unique_ptr<LineSink> NewFdLineSink(int fd, std::string name, bool owned);

}  // namespace crawler::output

#endif  // CRAWLER_OUTPUT_LINE_SINK_H_
