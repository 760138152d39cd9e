#include "crawler/log/file_logger.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "crawler/base/time_format.h"

namespace crawler::log {

void FileLogger::Log(LogLevel level, std::string_view message) {
  if (!Enabled(level)) return;
  const auto now = clock_.WallNow();
  const int64_t unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              now.time_since_epoch())
                              .count();
  std::string line = Rfc3339Millis(unix_ms) + " ";
  line += LogLevelName(level);
  line.push_back(' ');
  for (char c : message) {
    const unsigned char u = static_cast<unsigned char>(c);
    line.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  line.push_back('\n');
  (void)file_.Write(line);
}

}  // namespace crawler::log
