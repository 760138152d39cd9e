#include "crawler/sitemap/sitemap.h"

#include <expat.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crawler::sitemap {
namespace {

// Bytes handed to expat (and fed to zlib) per call; both take int/uInt sizes.
constexpr size_t kChunk = 1 << 20;
// First output buffer of the gunzip; it doubles up to the cap.
constexpr size_t kInitialInflateBuffer = 64 << 10;
// gzip layers undone at most (a ".xml.gz" gzipped again in transit).
constexpr int kMaxGzipLayers = 2;

bool IsXmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view TrimXmlSpace(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsXmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool HasGzipMagic(std::string_view s) {
  return s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0x1f &&
         static_cast<unsigned char>(s[1]) == 0x8b;
}

// How a document came out of decompression.
enum class Cut {
  kNone,       // Complete.
  kCap,        // Cut at max_decompressed_bytes.
  kTruncated,  // The gzip data ended before the end of its stream.
  kCorrupt,    // The gzip data is invalid from some point on.
};

struct Decoded {
  bool gzip = false;      // The body was gzip; else the document is a prefix of
                          // the body itself (no copy).
  std::string data;       // The decompressed document (gzip only).
  size_t plain_size = 0;  // Bytes of a plain body kept (not gzip).
  Cut cut = Cut::kNone;
  std::string reason;  // Why cut (a full "sitemap: ..." message), or empty.
};

struct InflateStreamDeleter {
  void operator()(z_stream* zs) const {
    inflateEnd(zs);
    delete zs;
  }
};

// Undoes one gzip layer of `in` (one or more concatenated gzip members),
// writing at most `cap` bytes. Memory: the output buffer never exceeds
// cap + 1 bytes (the one extra byte tells "exactly cap" from "more").
StatusOr<Decoded> Gunzip(std::string_view in, size_t cap) {
  std::unique_ptr<z_stream, InflateStreamDeleter> zs(new z_stream{});
  if (inflateInit2(zs.get(), 16 + MAX_WBITS) != Z_OK) {
    // inflateEnd on a stream whose init failed is harmless (Z_STREAM_ERROR).
    return InternalError("sitemap: zlib inflateInit2 failed");
  }
  const auto* const base = reinterpret_cast<const Bytef*>(in.data());
  auto offset = [&]() -> size_t { return zs->next_in - base; };
  zs->next_in = const_cast<Bytef*>(base);
  zs->avail_in = static_cast<uInt>(std::min(in.size(), kChunk));

  const size_t limit = cap < SIZE_MAX ? cap + 1 : cap;
  Decoded out;
  size_t written = 0;
  bool ended = false;
  while (true) {
    if (written == out.data.size()) {
      if (out.data.size() >= limit) break;  // More output than the cap.
      out.data.resize(std::min(
          limit, std::max(out.data.size() * 2, kInitialInflateBuffer)));
    }
    if (zs->avail_in == 0 && offset() < in.size()) {
      zs->avail_in = static_cast<uInt>(std::min(in.size() - offset(), kChunk));
    }
    const size_t room = std::min(out.data.size() - written, kChunk);
    zs->next_out = reinterpret_cast<Bytef*>(out.data.data() + written);
    zs->avail_out = static_cast<uInt>(room);
    const int ret = inflate(zs.get(), Z_NO_FLUSH);
    written += room - zs->avail_out;
    if (ret == Z_STREAM_END) {
      // Another gzip member may follow (RFC 1952 2.2); anything else after
      // the stream is ignored, as gzip(1) does with trailing garbage.
      if (HasGzipMagic(in.substr(offset()))) {
        if (inflateReset(zs.get()) != Z_OK) {
          return InternalError("sitemap: zlib inflateReset failed");
        }
        continue;
      }
      ended = true;
      break;
    }
    if (ret == Z_OK) continue;
    if (ret == Z_BUF_ERROR) {
      // No progress possible: either the output is full (grown at the top of
      // the loop) or the input is exhausted before the end of the stream.
      if (zs->avail_out > 0 && zs->avail_in == 0 && offset() >= in.size()) {
        out.cut = Cut::kTruncated;
        out.reason = "sitemap: gzip data is truncated (ended after " +
                     std::to_string(in.size()) + " compressed bytes, " +
                     std::to_string(written) + " decompressed)";
        break;
      }
      continue;
    }
    if (ret == Z_MEM_ERROR) {
      return ResourceExhaustedError("sitemap: out of memory in zlib inflate");
    }
    // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR: the data is invalid.
    out.cut = Cut::kCorrupt;
    out.reason = std::string(
                     "sitemap: gzip data is corrupt at compressed "
                     "byte ") +
                 std::to_string(offset()) + " (" +
                 (zs->msg != nullptr ? zs->msg : "invalid data") + ")";
    break;
  }
  if (written > cap) {
    written = cap;
    out.cut = Cut::kCap;
    out.reason = "sitemap: document larger than " + std::to_string(cap) +
                 " bytes after decompression (limit max_decompressed_bytes)";
  } else if (!ended && out.cut == Cut::kNone) {
    out.cut = Cut::kTruncated;
    out.reason = "sitemap: gzip data is truncated";
  }
  out.data.resize(written);
  out.gzip = true;
  return out;
}

// Undoes up to kMaxGzipLayers gzip layers, or applies the cap to a plain
// body (copying only what is kept).
StatusOr<Decoded> Decode(std::string_view body, size_t cap) {
  if (!HasGzipMagic(body)) {
    Decoded plain;
    if (body.size() > cap) {
      plain.cut = Cut::kCap;
      plain.reason = "sitemap: document larger than " + std::to_string(cap) +
                     " bytes (limit max_decompressed_bytes)";
      body = body.substr(0, cap);
    }
    plain.plain_size = body.size();
    return plain;
  }
  ASSIGN_OR_RETURN(Decoded decoded, Gunzip(body, cap));
  for (int layer = 1; HasGzipMagic(decoded.data); ++layer) {
    if (layer == kMaxGzipLayers) {
      return DataLossError("sitemap: more than " +
                           std::to_string(kMaxGzipLayers) +
                           " nested gzip layers");
    }
    ASSIGN_OR_RETURN(Decoded inner, Gunzip(decoded.data, cap));
    // A cut outer layer explains a truncated inner one.
    if (decoded.cut != Cut::kNone && inner.cut == Cut::kTruncated) {
      inner.cut = decoded.cut;
      inner.reason = std::move(decoded.reason);
    }
    decoded = std::move(inner);
  }
  return decoded;
}

// Adds `value` to `list` unless the limit is reached. Returns false (and
// sets the truncation fields) when it is.
bool AddEntry(std::string value, std::vector<std::string>& list,
              const SitemapOptions& options, Sitemap& result) {
  if (list.size() >= options.max_urls) {
    result.truncated = true;
    result.truncation_reason = "sitemap: more than " +
                               std::to_string(options.max_urls) +
                               " URLs (limit max_urls)";
    return false;
  }
  list.push_back(std::move(value));
  return true;
}

// ---------------------------------------------------------------------------
// Plain-text sitemaps.

Status ParseText(std::string_view text, bool cut, const SitemapOptions& options,
                 Sitemap& result) {
  result.kind = Sitemap::Kind::kText;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' &&
        c != '\r') {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02x", c);
      return InvalidArgumentError(
          std::string("sitemap: binary data, not XML or text (control byte ") +
          hex + " at offset " + std::to_string(i) + ")");
    }
  }
  if (cut) {
    // The last line may be a URL cut in the middle: drop it.
    const size_t last_newline = text.rfind('\n');
    text = last_newline == std::string_view::npos
               ? std::string_view()
               : text.substr(0, last_newline + 1);
  }
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view()
                                             : text.substr(newline + 1);
    line = TrimXmlSpace(line);
    if (line.empty()) continue;
    if (!AddEntry(std::string(line), result.urls, options, result)) break;
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// XML sitemaps.

// Why the handlers stopped the parser.
enum class Stop {
  kNone,
  kLimit,    // max_urls reached: a normal, truncated result.
  kEntity,   // An entity declaration: refused.
  kBadRoot,  // The root is neither urlset nor sitemapindex.
};

struct XmlState {
  XML_Parser parser = nullptr;
  const SitemapOptions* options = nullptr;
  Sitemap* result = nullptr;
  int depth = 0;  // Elements open, the root being depth 1.
  bool root_seen = false;
  bool in_entry = false;       // Inside a <url> or <sitemap> (depth 2).
  bool entry_has_loc = false;  // The entry's first non-empty <loc> was taken.
  bool in_loc = false;         // Inside that entry's <loc> (depth 3).
  std::string loc;             // Character data of the current <loc>.
  Stop stop = Stop::kNone;
  std::string stop_message;
};

// The local part of a name: "sm:urlset" -> "urlset". (The parser is created
// without namespace processing, so a prefix without a declaration, common in
// hand-written sitemaps, is not an error.)
std::string_view LocalName(const XML_Char* name) {
  std::string_view n(name);
  const size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) {
    const unsigned char u = c;
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

void StopWith(XmlState& st, Stop stop, std::string message) {
  st.stop = stop;
  st.stop_message = std::move(message);
  XML_StopParser(st.parser, XML_FALSE);
}

void XMLCALL OnStart(void* data, const XML_Char* name, const XML_Char**) {
  auto& st = *static_cast<XmlState*>(data);
  if (st.stop != Stop::kNone) return;
  ++st.depth;
  const std::string_view local = LocalName(name);
  if (st.depth == 1) {
    st.root_seen = true;
    if (local == "urlset") {
      st.result->kind = Sitemap::Kind::kUrlSet;
    } else if (local == "sitemapindex") {
      st.result->kind = Sitemap::Kind::kIndex;
    } else {
      StopWith(st, Stop::kBadRoot,
               "sitemap: root element is <" + Printable(name) +
                   ">, expected <urlset> or <sitemapindex>");
    }
    return;
  }
  const bool index = st.result->kind == Sitemap::Kind::kIndex;
  if (st.depth == 2) {
    st.in_entry = local == (index ? "sitemap" : "url");
    st.entry_has_loc = false;
  } else if (st.depth == 3 && st.in_entry && !st.entry_has_loc &&
             local == "loc") {
    st.in_loc = true;
    st.loc.clear();
  }
}

void XMLCALL OnEnd(void* data, const XML_Char*) {
  auto& st = *static_cast<XmlState*>(data);
  if (st.stop != Stop::kNone) return;
  if (st.depth == 3 && st.in_loc) {
    st.in_loc = false;
    const std::string_view value = TrimXmlSpace(st.loc);
    if (!value.empty()) {
      st.entry_has_loc = true;
      Sitemap& r = *st.result;
      auto& list = r.kind == Sitemap::Kind::kIndex ? r.sitemaps : r.urls;
      if (!AddEntry(std::string(value), list, *st.options, r)) {
        StopWith(st, Stop::kLimit, r.truncation_reason);
      }
    }
  } else if (st.depth == 2) {
    st.in_entry = false;
  }
  --st.depth;
}

void XMLCALL OnText(void* data, const XML_Char* s, int len) {
  auto& st = *static_cast<XmlState*>(data);
  if (st.in_loc && st.stop == Stop::kNone) st.loc.append(s, len);
}

// Called for every <!ENTITY ...> declaration, general or parameter, internal
// or external. Refusing them all is what defeats XXE and billion laughs.
void XMLCALL OnEntityDecl(void* data, const XML_Char* entity_name, int,
                          const XML_Char*, int, const XML_Char*,
                          const XML_Char*, const XML_Char*, const XML_Char*) {
  auto& st = *static_cast<XmlState*>(data);
  if (st.stop != Stop::kNone) return;
  StopWith(st, Stop::kEntity,
           "sitemap: entity declarations are refused (DTD entity '" +
               Printable(entity_name) + "' at line " +
               std::to_string(XML_GetCurrentLineNumber(st.parser)) + ")");
}

struct ParserDeleter {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

// Parses `xml` into `result`. `cut` is the decoding's verdict, `cut_reason`
// its message.
Status ParseXml(std::string_view xml, Cut cut, const std::string& cut_reason,
                const SitemapOptions& options, Sitemap& result) {
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(
      XML_ParserCreate(nullptr));
  if (parser == nullptr) {
    return ResourceExhaustedError("sitemap: cannot create the XML parser");
  }
  XmlState st;
  st.parser = parser.get();
  st.options = &options;
  st.result = &result;
  XML_SetUserData(parser.get(), &st);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  XML_SetEntityDeclHandler(parser.get(), OnEntityDecl);
  // Never read an external DTD subset or parameter entity. (expat does no
  // I/O itself anyway: external entities would need an
  // XML_SetExternalEntityRefHandler, which is not installed.)
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);

  bool failed = false;
  do {
    const std::string_view chunk = xml.substr(0, kChunk);
    xml.remove_prefix(chunk.size());
    if (XML_Parse(parser.get(), chunk.data(), static_cast<int>(chunk.size()),
                  xml.empty() ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
      failed = true;
      break;
    }
  } while (!xml.empty());

  const bool have_entries = !result.urls.empty() || !result.sitemaps.empty();
  switch (st.stop) {
    case Stop::kLimit:
      return Status::Ok();  // AddEntry set truncated and the reason.
    case Stop::kEntity:
    case Stop::kBadRoot:
      result.urls.clear();
      result.sitemaps.clear();
      return InvalidArgumentError(st.stop_message);
    case Stop::kNone:
      break;
  }
  std::string error;
  if (failed) {
    error = "sitemap: XML error at line " +
            std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
            XML_ErrorString(XML_GetErrorCode(parser.get()));
  }
  if (cut != Cut::kNone) {
    // The document was cut: an XML error at the cut is expected; keep what
    // was read. Nothing read from broken gzip data is an error.
    if (!have_entries && cut != Cut::kCap) {
      return DataLossError(error.empty() ? cut_reason
                                         : cut_reason + "; " + error);
    }
    result.truncated = true;
    result.truncation_reason = cut_reason;
    return Status::Ok();
  }
  if (!failed) return Status::Ok();
  if (!have_entries) return InvalidArgumentError(error);
  result.truncated = true;
  result.truncation_reason = error;
  return Status::Ok();
}

}  // namespace

StatusOr<Sitemap> ParseSitemap(std::string_view body,
                               const SitemapOptions& options) {
  ASSIGN_OR_RETURN(Decoded decoded,
                   Decode(body, options.max_decompressed_bytes));
  const std::string_view doc = decoded.gzip
                                   ? std::string_view(decoded.data)
                                   : body.substr(0, decoded.plain_size);
  std::string_view start = doc;
  const bool utf16_bom =
      start.size() >= 2 && ((static_cast<unsigned char>(start[0]) == 0xfe &&
                             static_cast<unsigned char>(start[1]) == 0xff) ||
                            (static_cast<unsigned char>(start[0]) == 0xff &&
                             static_cast<unsigned char>(start[1]) == 0xfe));
  if (start.substr(0, 3) == "\xef\xbb\xbf") start.remove_prefix(3);
  const std::string_view text = start;  // Without the BOM, for kText.
  start = TrimXmlSpace(start);
  if (start.empty() && !utf16_bom) {
    if (decoded.cut == Cut::kTruncated || decoded.cut == Cut::kCorrupt) {
      return DataLossError(decoded.reason);
    }
    return InvalidArgumentError("sitemap: empty document");
  }

  Sitemap result;
  if (utf16_bom || start.front() == '<') {
    RETURN_IF_ERROR(
        ParseXml(doc, decoded.cut, decoded.reason, options, result));
    return result;
  }
  RETURN_IF_ERROR(ParseText(text, decoded.cut != Cut::kNone, options, result));
  if (decoded.cut != Cut::kNone && !result.truncated) {
    if (result.urls.empty() && decoded.cut != Cut::kCap) {
      return DataLossError(decoded.reason);
    }
    result.truncated = true;
    result.truncation_reason = decoded.reason;
  }
  return result;
}

}  // namespace crawler::sitemap
