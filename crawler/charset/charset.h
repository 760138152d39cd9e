// Character encodings of HTML bodies: which one a page uses, and converting
// it to UTF-8 before the HTML parser sees it (fault matrix C3: gumbo-parser
// reads UTF-8 only).
//
// The encoding is taken from, in this order (a simplified form of the WHATWG
// HTML "determining the character encoding" steps, section 13.2.3.2):
//   1. a byte order mark: EF BB BF (UTF-8), FF FE (UTF-16LE), FE FF
//      (UTF-16BE);
//   2. the charset parameter of the Content-Type header
//      ("text/html; charset=ISO-8859-1"), when its label is known;
//   3. a <meta charset=...> or <meta http-equiv=content-type content=
//      "...; charset=..."> in the first 1024 bytes, found by the WHATWG
//      prescan ("prescan a byte stream to determine its encoding"): comments,
//      other tags and their attributes (quoted or not) are skipped as the
//      prescan says; UTF-16 found there means UTF-8, x-user-defined means
//      windows-1252;
//   4. otherwise UTF-8.
// Not done: the XML declaration, statistical sniffing, the parser's later
// "change the encoding" on a <meta> after the first 1024 bytes, and the
// "replacement" and x-user-defined decoders (their labels count as unknown).
//
// Labels are the WHATWG Encoding Standard's (section 4.2): ASCII whitespace
// trimmed, compared case-insensitively, mapped to the standard's names, so
// "latin1", "iso-8859-1" and "us-ascii" all mean windows-1252 and "gb2312"
// means GBK. An unknown label ("x-unknown") is ignored: the next source
// decides, and UTF-8 in the end. Supported: UTF-8, UTF-16LE/BE, windows-874
// and windows-1250 to 1258, ISO-8859-2 to 8859-16 (8859-1 and 8859-9 are
// windows-1252 and windows-1254, as the standard says), IBM866, KOI8-R,
// KOI8-U, macintosh, GBK, gb18030, Big5, EUC-JP, ISO-2022-JP, Shift_JIS and
// EUC-KR.
//
// Conversion uses glibc's iconv (no other library), with the WHATWG
// decoders' error handling: every invalid or unmappable byte sequence becomes
// U+FFFD (for UTF-8, one U+FFFD per maximal invalid subpart, as the UTF-8
// decoder of the Encoding Standard does), a truncated sequence at the end
// too; the BOM is removed; the output is always valid UTF-8 and never longer
// than the caller's limit (cut at a character boundary). Where glibc's tables
// differ from the standard's, glibc wins, except for the five bytes
// windows-1252 leaves undefined (81 8D 8F 90 9D), which map to the C1
// controls U+0081... as the standard says.
//
// Everything here is pure (no I/O; iconv's conversion modules are loaded by
// glibc on first use) and thread-safe.
#ifndef CRAWLER_CHARSET_CHARSET_H_
#define CRAWLER_CHARSET_CHARSET_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace crawler::charset {

// WHATWG names of the encodings the crawler treats specially.
inline constexpr std::string_view kUtf8 = "UTF-8";
inline constexpr std::string_view kUtf16Le = "UTF-16LE";
inline constexpr std::string_view kUtf16Be = "UTF-16BE";
inline constexpr std::string_view kWindows1252 = "windows-1252";

// Default cap on ToUtf8's output.
inline constexpr size_t kDefaultMaxOutputBytes = size_t{32} << 20;

// Where DetectCharset found the encoding.
enum class CharsetSource {
  kBom,          // A byte order mark.
  kContentType,  // The Content-Type charset parameter.
  kMeta,         // A <meta> in the first 1024 bytes.
  kDefault,      // None of them: UTF-8.
};

struct Charset {
  // The WHATWG name of the encoding ("UTF-8", "windows-1252", ...); points
  // to static storage.
  std::string_view encoding = kUtf8;
  CharsetSource source = CharsetSource::kDefault;
};

// The WHATWG "get an encoding" of `label`: the encoding's name, or nullopt
// when the label is unknown or names an encoding not supported here.
std::optional<std::string_view> EncodingForLabel(std::string_view label);

// The value of the charset parameter of a Content-Type header value
// (parameter name case-insensitive, the first one wins, a quoted value
// unquoted), or "" when there is none. The label is not checked.
std::string ContentTypeCharset(std::string_view content_type);

// The WHATWG prescan of the first 1024 bytes of `body` for a <meta> that
// declares a known encoding (see the file comment); nullopt when there is
// none.
std::optional<std::string_view> PrescanMetaCharset(std::string_view body);

// The encoding of an HTML body served with `content_type` (the header value,
// possibly empty), in the order of the file comment. Never fails.
Charset DetectCharset(std::string_view body, std::string_view content_type);

// True for UTF-16LE and UTF-16BE, whose text is full of NUL bytes.
bool IsUtf16(std::string_view encoding);

// Converts `body`, in the encoding named `encoding` (a name returned by
// EncodingForLabel or DetectCharset), to UTF-8 as the file comment says: a
// leading BOM of that encoding removed, invalid sequences as U+FFFD, at most
// max_output_bytes bytes (cut at a character boundary; `*truncated`, when
// given, says whether anything was cut). An unsupported name, or a converter
// that glibc cannot load, decodes the body as UTF-8.
std::string ConvertToUtf8(std::string_view body, std::string_view encoding,
                          size_t max_output_bytes, bool* truncated = nullptr);

// DetectCharset, then ConvertToUtf8: the body as valid UTF-8.
std::string ToUtf8(std::string_view body, std::string_view content_type,
                   size_t max_output_bytes = kDefaultMaxOutputBytes);

}  // namespace crawler::charset

#endif  // CRAWLER_CHARSET_CHARSET_H_
