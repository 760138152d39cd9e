#include "crawler/warc/warc_record.h"

#include <strings.h>
#include <time.h>

#include <algorithm>
#include <cstdio>

namespace crawler::warc {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

void AppendValue(std::string* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const bool plain = std::none_of(value.begin(), value.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  });
  if (plain) {
    out->append(value);
    return;
  }
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
}

tm UtcTime(int64_t unix_us, int64_t* micros) {
  int64_t secs = unix_us / 1000000;
  int64_t us = unix_us % 1000000;
  if (us < 0) {
    us += 1000000;
    --secs;
  }
  *micros = us;
  const time_t t = static_cast<time_t>(secs);
  tm out = {};
  gmtime_r(&t, &out);
  return out;
}

}  // namespace

std::string_view WarcHeader::Get(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (EqualsNoCase(n, name)) return v;
  }
  return {};
}

bool WarcHeader::Has(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (EqualsNoCase(n, name)) return true;
  }
  return false;
}

namespace {

void AppendFields(std::string* out, const WarcHeader& header) {
  for (const auto& [name, value] : header.fields) {
    AppendValue(out, name);
    out->append(": ");
    AppendValue(out, value);
    out->append("\r\n");
  }
}

}  // namespace

std::string FormatFields(const WarcHeader& fields) {
  std::string out;
  AppendFields(&out, fields);
  return out;
}

std::string FormatHeader(const WarcHeader& header) {
  std::string out;
  out.reserve(64 + header.fields.size() * 64);
  out.append(kWarcVersion);
  out.append("\r\n");
  AppendFields(&out, header);
  out.append("\r\n");
  return out;
}

StatusOr<ParsedHeader> ParseHeader(std::string_view data) {
  ParsedHeader out;
  size_t pos = 0;
  // One line without its end; false when `data` ends first.
  auto next_line = [&](std::string_view* line) {
    const size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) return false;
    size_t end = nl;
    if (end > pos && data[end - 1] == '\r') --end;
    *line = data.substr(pos, end - pos);
    pos = nl + 1;
    return true;
  };
  auto truncated = [] {
    return Status(Code::kDataLoss,
                  "the record header ends before its blank line (truncated)");
  };
  std::string_view line;
  if (!next_line(&line)) {
    // No line end at all: a cut header if what is there starts like one.
    const std::string_view magic = "WARC/";
    const size_t n = std::min(data.size(), magic.size());
    if (data.substr(0, n) == magic.substr(0, n)) return truncated();
    return InvalidArgumentError("not a WARC record (no \"WARC/\" line)");
  }
  if (line.substr(0, 5) != "WARC/" || line.size() > 32) {
    return InvalidArgumentError("not a WARC record (no \"WARC/\" line)");
  }
  out.version = std::string(line);
  bool have_length = false;
  while (true) {
    if (!next_line(&line)) return truncated();
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') &&
        !out.header.fields.empty()) {
      std::string& v = out.header.fields.back().second;
      v.push_back(' ');
      v.append(Trim(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return InvalidArgumentError("a header line without a field name: \"" +
                                  std::string(line.substr(0, 80)) + "\"");
    }
    out.header.Add(std::string(Trim(line.substr(0, colon))),
                   std::string(Trim(line.substr(colon + 1))));
  }
  for (const auto& [name, value] : out.header.fields) {
    if (!EqualsNoCase(name, "Content-Length")) continue;
    if (value.empty() || value.size() > 18) break;
    uint64_t n = 0;
    bool digits = true;
    for (char c : value) {
      if (c < '0' || c > '9') {
        digits = false;
        break;
      }
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!digits) break;
    out.content_length = n;
    have_length = true;
    break;
  }
  if (!have_length) {
    return InvalidArgumentError("the record has no valid Content-Length field");
  }
  out.size = pos;
  return out;
}

std::string FormatWarcDate(int64_t unix_us) {
  int64_t us = 0;
  const tm t = UtcTime(unix_us, &us);
  const int year = t.tm_year + 1900;
  if (year < 0 || year > 9999) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", year,
                  t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                  static_cast<int>(us));
    return buf;
  }
  // The usual case by hand (one call per record):
  // "YYYY-MM-DDThh:mm:ss.uuuuuuZ".
  char buf[27];
  auto put = [&buf](int at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      buf[at + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  buf[4] = '-';
  put(5, t.tm_mon + 1, 2);
  buf[7] = '-';
  put(8, t.tm_mday, 2);
  buf[10] = 'T';
  put(11, t.tm_hour, 2);
  buf[13] = ':';
  put(14, t.tm_min, 2);
  buf[16] = ':';
  put(17, t.tm_sec, 2);
  buf[19] = '.';
  put(20, us, 6);
  buf[26] = 'Z';
  return std::string(buf, sizeof(buf));
}

std::string FormatTimestamp14(int64_t unix_us) {
  int64_t us = 0;
  const tm t = UtcTime(unix_us, &us);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02d", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
  return buf;
}

}  // namespace crawler::warc
