#include "crawler/log/console.h"

namespace crawler::log {
namespace {

constexpr std::string_view kEraseLine = "\r\x1b[K";  // CR, erase to the end.

// `s` with control characters (C0, DEL) replaced by '?'.
void AppendPrintable(std::string* out, std::string_view s) {
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    out->push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
}

}  // namespace

Console::Console(TextSink& err, LogLevel level)
    : err_(err), level_(level), terminal_(err.IsTerminal()) {}

Console::~Console() { ClearStatus(); }

void Console::Log(LogLevel level, std::string_view message) {
  if (Enabled(level)) WriteLine(message);
}

void Console::PrintLine(std::string_view line) { WriteLine(line); }

void Console::WriteLine(std::string_view line) {
  std::string text;
  text.reserve(line.size() + status_.size() + 32);
  if (!status_.empty()) text.append(kEraseLine);
  text.append("crawler: ");
  AppendPrintable(&text, line);
  text.push_back('\n');
  text.append(status_);  // Drawn again below the new line.
  (void)err_.Write(text);
}

void Console::SetStatus(std::string_view line) {
  if (!terminal_) return;
  std::string fitted;
  AppendPrintable(&fitted, line);
  // One column short of the width: writing the last column would wrap on
  // some terminals.
  const int columns = err_.Columns();
  if (columns > 1 && fitted.size() > static_cast<size_t>(columns - 1)) {
    fitted.resize(static_cast<size_t>(columns - 1));
  }
  if (fitted.empty()) {
    ClearStatus();
    return;
  }
  std::string text(kEraseLine);
  text.append(fitted);
  status_ = std::move(fitted);
  (void)err_.Write(text);
}

void Console::ClearStatus() {
  if (status_.empty()) return;
  status_.clear();
  (void)err_.Write(kEraseLine);
}

}  // namespace crawler::log
