#include "crawler/log/file_logger.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace crawler::log {

void FileLogger::Log(LogLevel level, std::string_view message) {
  if (!Enabled(level)) return;
  const auto now = clock_.WallNow();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      now.time_since_epoch())
                      .count() %
                  1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[80];  // Room for any int the fields could hold.
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms < 0 ? 0 : ms));
  std::string line = stamp;
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
