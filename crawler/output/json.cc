#include "crawler/output/json.h"

namespace crawler::output {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid (RFC 3629
// section 4: no overlongs, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return n >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;  // Overlong.
    if (c == 0xED && c1 > 0x9F) return 0;  // Surrogate.
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;  // Overlong.
    if (c == 0xF4 && c1 > 0x8F) return 0;  // Above U+10FFFF.
    return 4;
  }
  return 0;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out->append("\\u00");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 0xf]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out->append("\xEF\xBF\xBD");  // U+FFFD for one invalid byte.
      ++i;
    } else {
      out->append(s.data() + i, len);
      i += len;
    }
  }
  out->push_back('"');
}

void AppendValidUtf8(std::string* out, std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Runs of ASCII go in one append.
    size_t j = i;
    while (j < s.size() && static_cast<unsigned char>(s[j]) < 0x80) ++j;
    out->append(s.data() + i, j - i);
    i = j;
    if (i == s.size()) break;
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out->append("\xEF\xBF\xBD");  // U+FFFD for one invalid byte.
      ++i;
    } else {
      out->append(s.data() + i, len);
      i += len;
    }
  }
}

std::string RedactUserinfo(std::string_view s) {
  std::string out;
  size_t from = 0;
  while (true) {
    const size_t scheme = s.find("://", from);
    if (scheme == std::string_view::npos) break;
    const size_t start = scheme + 3;
    // The authority ends at the first '/', '?', '#', whitespace or quote.
    size_t end = start;
    while (end < s.size() && s[end] != '/' && s[end] != '?' && s[end] != '#' &&
           s[end] != ' ' && s[end] != '"' && s[end] != '\'' && s[end] != '\n') {
      ++end;
    }
    const size_t at = s.rfind('@', end == start ? start : end - 1);
    if (at != std::string_view::npos && at >= start && at < end) {
      const size_t colon = s.find(':', start);
      if (colon != std::string_view::npos && colon < at) {
        out.append(s.substr(from, colon + 1 - from));
        out.append("***");
        from = at;  // Keep "@host...".
        continue;
      }
    }
    out.append(s.substr(from, start - from));
    from = start;
  }
  out.append(s.substr(from));
  return out;
}

}  // namespace crawler::output
