#include "crawler/warc/cdxj.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "crawler/url/url.h"
#include "crawler/warc/http_message.h"

namespace crawler::warc {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// A JSON string: quotes, backslashes and control characters escaped; other
// bytes as they are (URLs are ASCII).
void AppendJson(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c < 0x20 || c == 0x7f) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
  out->push_back('"');
}

void AppendField(std::string* out, std::string_view name,
                 std::string_view value) {
  if (out->size() > 1) out->push_back(',');
  AppendJson(out, name);
  out->push_back(':');
  AppendJson(out, value);
}

}  // namespace

StatusOr<std::string> SurtKey(std::string_view url) {
  StatusOr<url::UrlParts> parts = url::SplitUrl(url);
  if (!parts.ok()) {
    return InvalidArgumentError("cannot make a SURT key of '" +
                                std::string(url) +
                                "': " + parts.status().message());
  }
  std::string host = Lower(parts->host);
  if (host.rfind("www.", 0) == 0 && host.size() > 4) host = host.substr(4);
  std::vector<std::string_view> labels;
  std::string_view h = host;
  if (!h.empty() && h.front() == '[') {
    labels.push_back(h);  // An IPv6 literal stays whole.
  } else {
    while (true) {
      const size_t dot = h.find('.');
      labels.push_back(h.substr(0, dot));
      if (dot == std::string_view::npos) break;
      h.remove_prefix(dot + 1);
    }
  }
  std::string key;
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
    if (!key.empty()) key.push_back(',');
    key.append(*it);
  }
  const int default_port = parts->scheme == "https" ? 443 : 80;
  if (parts->port != default_port) key += ":" + std::to_string(parts->port);
  key.push_back(')');
  std::string rest = Lower(parts->path_and_query);
  const size_t q = rest.find('?');
  if (q == std::string::npos) {
    key += rest;
    return key;
  }
  key += rest.substr(0, q + 1);
  std::vector<std::string> params;
  std::string_view query = std::string_view(rest).substr(q + 1);
  while (true) {
    const size_t amp = query.find('&');
    params.emplace_back(query.substr(0, amp));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  std::sort(params.begin(), params.end());
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) key.push_back('&');
    key += params[i];
  }
  return key;
}

StatusOr<std::string> CdxjLine(const ReadRecord& record,
                               std::string_view filename) {
  const std::string_view type = record.header.Get("WARC-Type");
  std::string_view uri = record.header.Get("WARC-Target-URI");
  if ((type != "response" && type != "revisit") || uri.empty()) {
    return std::string();
  }
  if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>') {
    uri = uri.substr(1, uri.size() - 2);
  }
  ASSIGN_OR_RETURN(std::string key, SurtKey(uri));
  // WARC-Date "YYYY-MM-DDThh:mm:ss[.fff]Z": its 14 digits.
  std::string timestamp;
  for (char c : record.header.Get("WARC-Date")) {
    if (c == '.' || c == 'Z') break;
    if (c >= '0' && c <= '9') timestamp.push_back(c);
  }
  if (timestamp.size() != 14) {
    return InvalidArgumentError("a record for '" + std::string(uri) +
                                "' has no readable WARC-Date");
  }
  std::string mime = "unk";
  std::string status;
  StatusOr<HttpHead> head = ParseHttpHead(record.block);
  if (head.ok()) {
    if (head->status > 0) status = std::to_string(head->status);
    std::string type_value = head->Get("Content-Type");
    type_value = type_value.substr(0, type_value.find(';'));
    while (!type_value.empty() && type_value.back() == ' ') {
      type_value.pop_back();
    }
    if (!type_value.empty()) mime = Lower(type_value);
  }
  if (type == "revisit") mime = "warc/revisit";
  std::string json = "{";
  AppendField(&json, "url", uri);
  AppendField(&json, "mime", mime);
  if (!status.empty()) AppendField(&json, "status", status);
  // "sha1:BASE32" is written BASE32, as CDXJ indexes do.
  std::string_view digest = record.header.Get("WARC-Payload-Digest");
  if (digest.rfind("sha1:", 0) == 0) digest.remove_prefix(5);
  if (!digest.empty()) AppendField(&json, "digest", digest);
  AppendField(&json, "length", std::to_string(record.stored_length));
  AppendField(&json, "offset", std::to_string(record.offset));
  AppendField(&json, "filename", filename);
  json.push_back('}');
  return key + " " + timestamp + " " + json;
}

}  // namespace crawler::warc
