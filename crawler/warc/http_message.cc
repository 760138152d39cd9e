#include "crawler/warc/http_message.h"

#include <strings.h>

namespace crawler::warc {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The next line of `data` from *pos, without its end; false at the end of
// `data` (no line end).
bool NextLine(std::string_view data, size_t* pos, std::string_view* line) {
  const size_t nl = data.find('\n', *pos);
  if (nl == std::string_view::npos) return false;
  size_t end = nl;
  if (end > *pos && data[end - 1] == '\r') --end;
  *line = data.substr(*pos, end - *pos);
  *pos = nl + 1;
  return true;
}

}  // namespace

std::string HttpHead::Get(std::string_view name) const {
  std::string out;
  for (const auto& [n, v] : headers) {
    if (!EqualsNoCase(n, name)) continue;
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

bool HttpHead::Chunked() const {
  const std::string value = Get("Transfer-Encoding");
  std::string_view te = Trim(value);
  const size_t comma = te.rfind(',');
  if (comma != std::string_view::npos) te = Trim(te.substr(comma + 1));
  return EqualsNoCase(te, "chunked");
}

StatusOr<HttpHead> ParseHttpHead(std::string_view message) {
  HttpHead head;
  size_t pos = 0;
  std::string_view line;
  auto truncated = [] {
    return Status(Code::kDataLoss,
                  "the HTTP message ends before the end of its head");
  };
  if (!NextLine(message, &pos, &line)) return truncated();
  head.start_line = std::string(line);
  if (line.substr(0, 5) == "HTTP/") {
    const size_t sp = line.find(' ');
    if (sp != std::string_view::npos && line.size() >= sp + 4) {
      int code = 0;
      for (size_t i = sp + 1; i < sp + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') {
          code = 0;
          break;
        }
        code = code * 10 + (line[i] - '0');
      }
      head.status = code;
    }
  }
  while (true) {
    if (!NextLine(message, &pos, &line)) return truncated();
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') &&
        !head.headers.empty()) {
      std::string& v = head.headers.back().second;
      v.push_back(' ');
      v.append(Trim(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // Not a field: skipped.
    head.headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                              std::string(Trim(line.substr(colon + 1))));
  }
  head.size = pos;
  return head;
}

Status DecodeChunked(std::string_view body,
                     const std::function<void(std::string_view)>& piece) {
  size_t pos = 0;
  std::string_view line;
  auto lost = [&](const std::string& what) {
    return Status(Code::kDataLoss, "chunked body: " + what + " at byte " +
                                       std::to_string(pos) + " of the body");
  };
  while (true) {
    const size_t line_at = pos;
    if (!NextLine(body, &pos, &line)) {
      pos = line_at;
      return lost("ends before a chunk-size line");
    }
    // chunk-size [ chunk-ext ]: hex digits, then anything after ';'.
    std::string_view size_text = Trim(line.substr(0, line.find(';')));
    if (size_text.empty() || size_text.size() > 15) {
      pos = line_at;
      return lost("a malformed chunk-size line");
    }
    uint64_t size = 0;
    for (char c : size_text) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) {
        pos = line_at;
        return lost("a malformed chunk-size line");
      }
      size = size * 16 + static_cast<uint64_t>(d);
    }
    if (size == 0) break;
    if (size > body.size() - pos) {
      piece(body.substr(pos));
      pos = body.size();
      return lost("ends inside a chunk");
    }
    piece(body.substr(pos, size));
    pos += size;
    // The CRLF after the chunk data.
    if (body.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else if (body.substr(pos, 1) == "\n") {
      pos += 1;
    } else {
      return lost(pos >= body.size() ? "ends after a chunk's data"
                                     : "no line end after a chunk's data");
    }
  }
  // Trailer fields, up to the blank line.
  while (true) {
    if (!NextLine(body, &pos, &line)) {
      return lost("ends before the blank line after the last chunk");
    }
    if (line.empty()) return Status::Ok();
  }
}

Status ForEachPayloadPiece(const HttpHead& head, std::string_view body,
                           const std::function<void(std::string_view)>& piece) {
  if (head.Chunked()) return DecodeChunked(body, piece);
  if (!body.empty()) piece(body);
  return Status::Ok();
}

}  // namespace crawler::warc
