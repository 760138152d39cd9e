#include "crawler/log/logger.h"

#include "crawler/log/console.h"
#include "crawler/log/text_sink.h"

namespace crawler::log {

Logger& DefaultLogger() {
  static Console* const console = new Console(StandardError(), LogLevel::kInfo);
  return *console;
}

}  // namespace crawler::log
