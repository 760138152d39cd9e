#include "crawler/charset/charset.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace crawler::charset {
namespace {

// The bytes the prescan examines (WHATWG HTML 13.2.3.2, "prescan a byte
// stream to determine its encoding": the first 1024 bytes).
constexpr size_t kPrescanBytes = 1024;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD.

struct EncodingInfo {
  std::string_view name;   // WHATWG name.
  const char* iconv_name;  // glibc's name for it.
};

// Encodings supported here (WHATWG Encoding Standard, section 4.2), with the
// glibc converter that decodes them. The standard's GBK decoder is its
// gb18030 decoder; its Shift_JIS and EUC-KR are Microsoft's code pages 932
// and 949; its Big5 includes HKSCS.
constexpr std::array<EncodingInfo, 35> kEncodings = {{
    {"UTF-8", "UTF-8"},
    {"IBM866", "IBM866"},
    {"ISO-8859-2", "ISO-8859-2"},
    {"ISO-8859-3", "ISO-8859-3"},
    {"ISO-8859-4", "ISO-8859-4"},
    {"ISO-8859-5", "ISO-8859-5"},
    {"ISO-8859-6", "ISO-8859-6"},
    {"ISO-8859-7", "ISO-8859-7"},
    {"ISO-8859-8", "ISO-8859-8"},
    {"ISO-8859-8-I", "ISO-8859-8"},
    {"ISO-8859-10", "ISO-8859-10"},
    {"ISO-8859-13", "ISO-8859-13"},
    {"ISO-8859-14", "ISO-8859-14"},
    {"ISO-8859-15", "ISO-8859-15"},
    {"ISO-8859-16", "ISO-8859-16"},
    {"KOI8-R", "KOI8-R"},
    {"KOI8-U", "KOI8-U"},
    {"macintosh", "MACINTOSH"},
    {"windows-874", "WINDOWS-874"},
    {"windows-1250", "WINDOWS-1250"},
    {"windows-1251", "WINDOWS-1251"},
    {"windows-1252", "WINDOWS-1252"},
    {"windows-1253", "WINDOWS-1253"},
    {"windows-1254", "WINDOWS-1254"},
    {"windows-1255", "WINDOWS-1255"},
    {"windows-1256", "WINDOWS-1256"},
    {"windows-1257", "WINDOWS-1257"},
    {"windows-1258", "WINDOWS-1258"},
    {"GBK", "GB18030"},
    {"gb18030", "GB18030"},
    {"Big5", "BIG5-HKSCS"},
    {"EUC-JP", "EUC-JP"},
    {"ISO-2022-JP", "ISO-2022-JP"},
    {"Shift_JIS", "CP932"},
    {"EUC-KR", "CP949"},
}};
// UTF-16LE and UTF-16BE are decoded with "UTF-16LE" / "UTF-16BE".

struct Label {
  std::string_view label;  // Lowercase.
  std::string_view name;   // WHATWG name.
};

// The labels of the supported encodings (WHATWG Encoding Standard, section
// 4.2, "Names and labels").
constexpr Label kLabels[] = {
    {"unicode-1-1-utf-8", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"unicode20utf8", "UTF-8"},
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"866", "IBM866"},
    {"cp866", "IBM866"},
    {"csibm866", "IBM866"},
    {"ibm866", "IBM866"},
    {"csisolatin2", "ISO-8859-2"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-ir-101", "ISO-8859-2"},
    {"iso8859-2", "ISO-8859-2"},
    {"iso88592", "ISO-8859-2"},
    {"iso_8859-2", "ISO-8859-2"},
    {"iso_8859-2:1987", "ISO-8859-2"},
    {"l2", "ISO-8859-2"},
    {"latin2", "ISO-8859-2"},
    {"csisolatin3", "ISO-8859-3"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-ir-109", "ISO-8859-3"},
    {"iso8859-3", "ISO-8859-3"},
    {"iso88593", "ISO-8859-3"},
    {"iso_8859-3", "ISO-8859-3"},
    {"iso_8859-3:1988", "ISO-8859-3"},
    {"l3", "ISO-8859-3"},
    {"latin3", "ISO-8859-3"},
    {"csisolatin4", "ISO-8859-4"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-ir-110", "ISO-8859-4"},
    {"iso8859-4", "ISO-8859-4"},
    {"iso88594", "ISO-8859-4"},
    {"iso_8859-4", "ISO-8859-4"},
    {"iso_8859-4:1988", "ISO-8859-4"},
    {"l4", "ISO-8859-4"},
    {"latin4", "ISO-8859-4"},
    {"csisolatincyrillic", "ISO-8859-5"},
    {"cyrillic", "ISO-8859-5"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-ir-144", "ISO-8859-5"},
    {"iso8859-5", "ISO-8859-5"},
    {"iso88595", "ISO-8859-5"},
    {"iso_8859-5", "ISO-8859-5"},
    {"iso_8859-5:1988", "ISO-8859-5"},
    {"arabic", "ISO-8859-6"},
    {"asmo-708", "ISO-8859-6"},
    {"csiso88596e", "ISO-8859-6"},
    {"csiso88596i", "ISO-8859-6"},
    {"csisolatinarabic", "ISO-8859-6"},
    {"ecma-114", "ISO-8859-6"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-ir-127", "ISO-8859-6"},
    {"iso8859-6", "ISO-8859-6"},
    {"iso88596", "ISO-8859-6"},
    {"iso_8859-6", "ISO-8859-6"},
    {"iso_8859-6:1987", "ISO-8859-6"},
    {"csisolatingreek", "ISO-8859-7"},
    {"ecma-118", "ISO-8859-7"},
    {"elot_928", "ISO-8859-7"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-ir-126", "ISO-8859-7"},
    {"iso8859-7", "ISO-8859-7"},
    {"iso88597", "ISO-8859-7"},
    {"iso_8859-7", "ISO-8859-7"},
    {"iso_8859-7:1987", "ISO-8859-7"},
    {"sun_eu_greek", "ISO-8859-7"},
    {"csiso88598e", "ISO-8859-8"},
    {"csisolatinhebrew", "ISO-8859-8"},
    {"hebrew", "ISO-8859-8"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-8-e", "ISO-8859-8"},
    {"iso-ir-138", "ISO-8859-8"},
    {"iso8859-8", "ISO-8859-8"},
    {"iso88598", "ISO-8859-8"},
    {"iso_8859-8", "ISO-8859-8"},
    {"iso_8859-8:1988", "ISO-8859-8"},
    {"visual", "ISO-8859-8"},
    {"csiso88598i", "ISO-8859-8-I"},
    {"iso-8859-8-i", "ISO-8859-8-I"},
    {"logical", "ISO-8859-8-I"},
    {"csisolatin6", "ISO-8859-10"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-ir-157", "ISO-8859-10"},
    {"iso8859-10", "ISO-8859-10"},
    {"iso885910", "ISO-8859-10"},
    {"l6", "ISO-8859-10"},
    {"latin6", "ISO-8859-10"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso8859-13", "ISO-8859-13"},
    {"iso885913", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"},
    {"iso8859-14", "ISO-8859-14"},
    {"iso885914", "ISO-8859-14"},
    {"csisolatin9", "ISO-8859-15"},
    {"iso-8859-15", "ISO-8859-15"},
    {"iso8859-15", "ISO-8859-15"},
    {"iso885915", "ISO-8859-15"},
    {"iso_8859-15", "ISO-8859-15"},
    {"l9", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"cskoi8r", "KOI8-R"},
    {"koi", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-r", "KOI8-R"},
    {"koi8_r", "KOI8-R"},
    {"koi8-ru", "KOI8-U"},
    {"koi8-u", "KOI8-U"},
    {"csmacintosh", "macintosh"},
    {"mac", "macintosh"},
    {"macintosh", "macintosh"},
    {"x-mac-roman", "macintosh"},
    {"dos-874", "windows-874"},
    {"iso-8859-11", "windows-874"},
    {"iso8859-11", "windows-874"},
    {"iso885911", "windows-874"},
    {"tis-620", "windows-874"},
    {"windows-874", "windows-874"},
    {"cp1250", "windows-1250"},
    {"windows-1250", "windows-1250"},
    {"x-cp1250", "windows-1250"},
    {"cp1251", "windows-1251"},
    {"windows-1251", "windows-1251"},
    {"x-cp1251", "windows-1251"},
    {"ansi_x3.4-1968", "windows-1252"},
    {"ascii", "windows-1252"},
    {"cp1252", "windows-1252"},
    {"cp819", "windows-1252"},
    {"csisolatin1", "windows-1252"},
    {"ibm819", "windows-1252"},
    {"iso-8859-1", "windows-1252"},
    {"iso-ir-100", "windows-1252"},
    {"iso8859-1", "windows-1252"},
    {"iso88591", "windows-1252"},
    {"iso_8859-1", "windows-1252"},
    {"iso_8859-1:1987", "windows-1252"},
    {"l1", "windows-1252"},
    {"latin1", "windows-1252"},
    {"us-ascii", "windows-1252"},
    {"windows-1252", "windows-1252"},
    {"x-cp1252", "windows-1252"},
    {"cp1253", "windows-1253"},
    {"windows-1253", "windows-1253"},
    {"x-cp1253", "windows-1253"},
    {"cp1254", "windows-1254"},
    {"csisolatin5", "windows-1254"},
    {"iso-8859-9", "windows-1254"},
    {"iso-ir-148", "windows-1254"},
    {"iso8859-9", "windows-1254"},
    {"iso88599", "windows-1254"},
    {"iso_8859-9", "windows-1254"},
    {"iso_8859-9:1989", "windows-1254"},
    {"l5", "windows-1254"},
    {"latin5", "windows-1254"},
    {"windows-1254", "windows-1254"},
    {"x-cp1254", "windows-1254"},
    {"cp1255", "windows-1255"},
    {"windows-1255", "windows-1255"},
    {"x-cp1255", "windows-1255"},
    {"cp1256", "windows-1256"},
    {"windows-1256", "windows-1256"},
    {"x-cp1256", "windows-1256"},
    {"cp1257", "windows-1257"},
    {"windows-1257", "windows-1257"},
    {"x-cp1257", "windows-1257"},
    {"cp1258", "windows-1258"},
    {"windows-1258", "windows-1258"},
    {"x-cp1258", "windows-1258"},
    {"chinese", "GBK"},
    {"csgb2312", "GBK"},
    {"csiso58gb231280", "GBK"},
    {"gb2312", "GBK"},
    {"gb_2312", "GBK"},
    {"gb_2312-80", "GBK"},
    {"gbk", "GBK"},
    {"iso-ir-58", "GBK"},
    {"x-gbk", "GBK"},
    {"gb18030", "gb18030"},
    {"big5", "Big5"},
    {"big5-hkscs", "Big5"},
    {"cn-big5", "Big5"},
    {"csbig5", "Big5"},
    {"x-x-big5", "Big5"},
    {"cseucpkdfmtjapanese", "EUC-JP"},
    {"euc-jp", "EUC-JP"},
    {"x-euc-jp", "EUC-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"csshiftjis", "Shift_JIS"},
    {"ms932", "Shift_JIS"},
    {"ms_kanji", "Shift_JIS"},
    {"shift-jis", "Shift_JIS"},
    {"shift_jis", "Shift_JIS"},
    {"sjis", "Shift_JIS"},
    {"windows-31j", "Shift_JIS"},
    {"x-sjis", "Shift_JIS"},
    {"cseuckr", "EUC-KR"},
    {"csksc56011987", "EUC-KR"},
    {"euc-kr", "EUC-KR"},
    {"iso-ir-149", "EUC-KR"},
    {"korean", "EUC-KR"},
    {"ks_c_5601-1987", "EUC-KR"},
    {"ks_c_5601-1989", "EUC-KR"},
    {"ksc5601", "EUC-KR"},
    {"ksc_5601", "EUC-KR"},
    {"windows-949", "EUC-KR"},
    {"unicodefffe", "UTF-16BE"},
    {"utf-16be", "UTF-16BE"},
    {"csunicode", "UTF-16LE"},
    {"iso-10646-ucs-2", "UTF-16LE"},
    {"ucs-2", "UTF-16LE"},
    {"unicode", "UTF-16LE"},
    {"unicodefeff", "UTF-16LE"},
    {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},
};

// The longest label above, in bytes.
constexpr size_t kMaxLabelLength = 19;

// ASCII whitespace (WHATWG Infra): TAB, LF, FF, CR, SPACE.
bool IsAsciiWhitespace(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

char ToLowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string_view TrimAsciiWhitespace(std::string_view s) {
  while (!s.empty() && IsAsciiWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (ToLowerAscii(s[i]) != prefix[i]) return false;
  }
  return true;
}

const char* IconvName(std::string_view name) {
  if (name == kUtf16Le) return "UTF-16LE";
  if (name == kUtf16Be) return "UTF-16BE";
  for (const EncodingInfo& e : kEncodings) {
    if (e.name == name) return e.iconv_name;
  }
  return nullptr;
}

// ---------------------------------------------------------------- output

// UTF-8 output with a byte cap, cut at a character boundary.
class Output {
 public:
  explicit Output(size_t max) : max_(max) {}

  bool full() const { return full_; }

  // Appends valid UTF-8 text, or as much of it as fits; false when full.
  bool Append(std::string_view utf8) {
    if (full_) return false;
    const size_t room = max_ - out_.size();
    if (utf8.size() > room) {
      size_t cut = room;
      while (cut > 0 &&
             (static_cast<unsigned char>(utf8[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      out_.append(utf8.substr(0, cut));
      full_ = true;
      return false;
    }
    out_.append(utf8);
    return true;
  }

  // Appends the UTF-8 encoding of `cp` (a Unicode scalar value < U+0800).
  bool AppendCodePoint(uint32_t cp) {
    char buf[2];
    if (cp < 0x80) {
      buf[0] = static_cast<char>(cp);
      return Append(std::string_view(buf, 1));
    }
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return Append(std::string_view(buf, 2));
  }

  std::string Take() { return std::move(out_); }

 private:
  size_t max_;
  std::string out_;
  bool full_ = false;
};

// ---------------------------------------------------------------- UTF-8

// The UTF-8 decoder of the WHATWG Encoding Standard (section 8.1.1): valid
// sequences are copied, each maximal invalid subpart becomes one U+FFFD.
void DecodeUtf8(std::string_view in, Output& out) {
  size_t i = 0;
  size_t run = 0;  // Start of the pending run of valid bytes.
  while (i < in.size()) {
    const unsigned char b = static_cast<unsigned char>(in[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t needed;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      needed = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      if (b == 0xE0) lower = 0xA0;  // No overlongs.
      if (b == 0xED) upper = 0x9F;  // No surrogates.
      needed = 2;
    } else if (b >= 0xF0 && b <= 0xF4) {
      if (b == 0xF0) lower = 0x90;  // No overlongs.
      if (b == 0xF4) upper = 0x8F;  // At most U+10FFFF.
      needed = 3;
    } else {
      needed = 0;  // C0, C1, F5-FF or a stray continuation byte.
    }
    size_t seen = 0;
    while (seen < needed && i + 1 + seen < in.size()) {
      const unsigned char c = static_cast<unsigned char>(in[i + 1 + seen]);
      if (c < lower || c > upper) break;
      lower = 0x80;
      upper = 0xBF;
      ++seen;
    }
    if (needed > 0 && seen == needed) {
      i += 1 + needed;
      continue;
    }
    // Invalid: the bytes so far (the lead and the continuation bytes that
    // fit) are one maximal subpart; the byte that broke it is read again.
    if (!out.Append(in.substr(run, i - run)) || !out.Append(kReplacement)) {
      return;
    }
    i += 1 + seen;
    run = i;
  }
  out.Append(in.substr(run));
}

// ---------------------------------------------------------------- iconv

struct IconvCloser {
  void operator()(iconv_t cd) const { iconv_close(cd); }
};

// The code point a windows-1252 byte that glibc leaves undefined stands for
// in the WHATWG index (the C1 control of the same value), or 0.
uint32_t Windows1252Undefined(unsigned char b) {
  return b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D ? b : 0;
}

// Decodes `in` with iconv descriptor `cd` into `out`. `unit` is the size of
// the encoding's code unit (2 for UTF-16, else 1): what an invalid sequence
// skips.
void DecodeIconv(iconv_t cd, std::string_view in, size_t unit,
                 bool windows_1252, Output& out) {
  char buf[16384];
  // glibc's prototype takes a non-const input pointer; iconv only reads it.
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  while (src_left > 0) {
    char* dst = buf;
    size_t dst_left = sizeof(buf);
    const size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    const int error = rc == static_cast<size_t>(-1) ? errno : 0;
    if (!out.Append(std::string_view(buf, dst - buf))) return;
    if (error == 0 || error == E2BIG) continue;  // Done, or buf was full.
    if (error != EILSEQ) {
      // EINVAL: a sequence cut short by the end of the input.
      if (!out.Append(kReplacement)) return;
      break;
    }
    // An invalid or unmappable sequence: U+FFFD, or for the five bytes
    // windows-1252 leaves undefined in glibc the C1 controls the WHATWG
    // index maps them to.
    const uint32_t c1 =
        windows_1252 ? Windows1252Undefined(static_cast<unsigned char>(*src))
                     : 0;
    if (!(c1 != 0 ? out.AppendCodePoint(c1) : out.Append(kReplacement))) {
      return;
    }
    const size_t skip = std::min(unit, src_left);
    src += skip;
    src_left -= skip;
  }
  // A stateful encoding (ISO-2022-JP) may owe a final sequence.
  char* dst = buf;
  size_t dst_left = sizeof(buf);
  iconv(cd, nullptr, nullptr, &dst, &dst_left);
  out.Append(std::string_view(buf, dst - buf));
}

// ---------------------------------------------------------------- prescan

// The prescan's cursor over the first kPrescanBytes bytes; "end" means
// the prescan gives up (WHATWG: it returns failure at the end of its input).
class Prescan {
 public:
  explicit Prescan(std::string_view body) : s_(body.substr(0, kPrescanBytes)) {}

  std::optional<std::string_view> Run();

 private:
  struct Attribute {
    std::string name;   // Lowercase.
    std::string value;  // Lowercase.
  };

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Byte() const { return s_[pos_]; }
  // Moves to the first '>' at or after the current position (past the end
  // when there is none).
  void SkipPastGt() {
    const size_t gt = s_.find('>', pos_);
    pos_ = gt == std::string_view::npos ? s_.size() : gt + 1;
  }
  // "Get an attribute" (WHATWG HTML 13.2.3.2): nullopt when there is none
  // before the tag's '>' or the end.
  std::optional<Attribute> GetAttribute();
  std::optional<std::string_view> Meta();

  std::string_view s_;
  size_t pos_ = 0;
};

bool IsPrescanSpace(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

std::optional<Prescan::Attribute> Prescan::GetAttribute() {
  while (!AtEnd() && (IsPrescanSpace(Byte()) || Byte() == '/')) ++pos_;
  if (AtEnd() || Byte() == '>') return std::nullopt;
  Attribute a;
  // The name.
  while (true) {
    if (AtEnd()) return std::nullopt;
    const char c = Byte();
    if (c == '=' && !a.name.empty()) {
      ++pos_;
      break;
    }
    if (IsPrescanSpace(c)) {
      // Spaces, then '=' or the end of this attribute (value "").
      while (!AtEnd() && IsPrescanSpace(Byte())) ++pos_;
      if (AtEnd()) return std::nullopt;
      if (Byte() != '=') return a;
      ++pos_;
      break;
    }
    if (c == '/' || c == '>') return a;
    a.name += ToLowerAscii(c);
    ++pos_;
  }
  // The value.
  while (!AtEnd() && IsPrescanSpace(Byte())) ++pos_;
  if (AtEnd()) return std::nullopt;
  const char first = Byte();
  if (first == '"' || first == '\'') {
    ++pos_;
    while (true) {
      if (AtEnd()) return std::nullopt;
      const char c = Byte();
      ++pos_;
      if (c == first) return a;
      a.value += ToLowerAscii(c);
    }
  }
  if (first == '>') return a;
  while (true) {
    if (AtEnd()) return std::nullopt;
    const char c = Byte();
    if (IsPrescanSpace(c) || c == '>') return a;
    a.value += ToLowerAscii(c);
    ++pos_;
  }
}

// A label found by the prescan: as EncodingForLabel, but x-user-defined
// (whose decoder is not supported here) is windows-1252, as the prescan's
// last step says.
std::optional<std::string_view> PrescanLabel(std::string_view label) {
  const std::string_view trimmed = TrimAsciiWhitespace(label);
  if (trimmed.size() == 14 && StartsWithNoCase(trimmed, "x-user-defined")) {
    return kWindows1252;
  }
  return EncodingForLabel(label);
}

// "The algorithm for extracting a character encoding from a meta element"
// (WHATWG HTML 2.6.6 in the current numbering): the encoding named after
// "charset=" in a content attribute, or nullopt.
std::optional<std::string_view> CharsetFromMetaContent(std::string_view s) {
  size_t pos = 0;
  while (true) {
    const size_t found = s.find("charset", pos);  // s is lowercase.
    if (found == std::string_view::npos) return std::nullopt;
    pos = found + 7;
    while (pos < s.size() && IsPrescanSpace(s[pos])) ++pos;
    if (pos >= s.size() || s[pos] != '=') continue;  // Look further on.
    ++pos;
    while (pos < s.size() && IsPrescanSpace(s[pos])) ++pos;
    if (pos >= s.size()) return std::nullopt;
    const char q = s[pos];
    if (q == '"' || q == '\'') {
      const size_t close = s.find(q, pos + 1);
      if (close == std::string_view::npos) return std::nullopt;
      return PrescanLabel(s.substr(pos + 1, close - pos - 1));
    }
    size_t end = pos;
    while (end < s.size() && !IsPrescanSpace(s[end]) && s[end] != ';') ++end;
    return PrescanLabel(s.substr(pos, end - pos));
  }
}

std::optional<std::string_view> Prescan::Meta() {
  std::vector<std::string> seen;
  bool got_pragma = false;
  enum { kNull, kTrue, kFalse } need_pragma = kNull;
  std::optional<std::string_view> charset;
  bool charset_failure = false;
  while (std::optional<Attribute> a = GetAttribute()) {
    bool dup = false;
    for (const std::string& n : seen) dup = dup || n == a->name;
    if (dup) continue;
    seen.push_back(a->name);
    if (a->name == "http-equiv") {
      if (a->value == "content-type") got_pragma = true;
    } else if (a->name == "content") {
      std::optional<std::string_view> c = CharsetFromMetaContent(a->value);
      if (c && !charset && !charset_failure) {
        charset = c;
        need_pragma = kTrue;
      }
    } else if (a->name == "charset") {
      charset = PrescanLabel(a->value);
      charset_failure = !charset;
      need_pragma = kFalse;
    }
  }
  if (need_pragma == kNull) return std::nullopt;
  if (need_pragma == kTrue && !got_pragma) return std::nullopt;
  if (!charset) return std::nullopt;
  if (IsUtf16(*charset)) return kUtf8;
  return charset;
}

std::optional<std::string_view> Prescan::Run() {
  while (!AtEnd()) {
    const std::string_view rest = s_.substr(pos_);
    if (rest.substr(0, 4) == "<!--") {
      // To the first "-->" whose "--" may overlap the opening "<!--".
      const size_t close = s_.find("-->", pos_ + 2);
      if (close == std::string_view::npos) return std::nullopt;
      pos_ = close + 3;
      continue;
    }
    if (StartsWithNoCase(rest, "<meta") && rest.size() > 5 &&
        (IsPrescanSpace(rest[5]) || rest[5] == '/')) {
      pos_ += 5;
      if (std::optional<std::string_view> e = Meta()) return e;
      if (AtEnd()) return std::nullopt;
      ++pos_;  // "Next byte".
      continue;
    }
    if (rest.size() >= 2 && rest[0] == '<' &&
        (IsAsciiAlpha(rest[1]) ||
         (rest[1] == '/' && rest.size() >= 3 && IsAsciiAlpha(rest[2])))) {
      // Another tag: its name, then its attributes, which may hold a '>'
      // inside quotes.
      while (!AtEnd() && !IsPrescanSpace(Byte()) && Byte() != '>') ++pos_;
      while (GetAttribute()) {
      }
      if (AtEnd()) return std::nullopt;
      ++pos_;
      continue;
    }
    if (rest.size() >= 2 && rest[0] == '<' &&
        (rest[1] == '!' || rest[1] == '/' || rest[1] == '?')) {
      SkipPastGt();
      continue;
    }
    ++pos_;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> EncodingForLabel(std::string_view label) {
  label = TrimAsciiWhitespace(label);
  if (label.empty() || label.size() > kMaxLabelLength) return std::nullopt;
  char lower[kMaxLabelLength];
  for (size_t i = 0; i < label.size(); ++i) lower[i] = ToLowerAscii(label[i]);
  const std::string_view key(lower, label.size());
  for (const Label& l : kLabels) {
    if (l.label == key) return l.name;
  }
  return std::nullopt;
}

std::string ContentTypeCharset(std::string_view content_type) {
  size_t pos = content_type.find(';');
  while (pos != std::string_view::npos && pos < content_type.size()) {
    ++pos;  // Past the ';'.
    while (pos < content_type.size() && IsAsciiWhitespace(content_type[pos])) {
      ++pos;
    }
    const size_t eq = content_type.find_first_of("=;", pos);
    if (eq == std::string_view::npos) return "";
    if (content_type[eq] == ';') {
      pos = eq;  // A parameter without a value.
      continue;
    }
    const std::string_view name = content_type.substr(pos, eq - pos);
    std::string value;
    size_t end = eq + 1;
    if (end < content_type.size() && content_type[end] == '"') {
      // A quoted string (RFC 9110 5.6.4): backslash escapes one byte.
      for (++end; end < content_type.size() && content_type[end] != '"';
           ++end) {
        if (content_type[end] == '\\' && end + 1 < content_type.size()) ++end;
        value += content_type[end];
      }
      end = content_type.find(';', end);
    } else {
      end = content_type.find(';', end);
      value = std::string(TrimAsciiWhitespace(content_type.substr(
          eq + 1, end == std::string_view::npos ? std::string_view::npos
                                                : end - eq - 1)));
    }
    if (name.size() == 7 && StartsWithNoCase(name, "charset")) return value;
    pos = end;
  }
  return "";
}

std::optional<std::string_view> PrescanMetaCharset(std::string_view body) {
  return Prescan(body).Run();
}

bool IsUtf16(std::string_view encoding) {
  return encoding == kUtf16Le || encoding == kUtf16Be;
}

Charset DetectCharset(std::string_view body, std::string_view content_type) {
  // 1. BOM sniffing (WHATWG Encoding "decode": the BOM wins over labels).
  if (body.substr(0, 3) == "\xEF\xBB\xBF") return {kUtf8, CharsetSource::kBom};
  if (body.substr(0, 2) == "\xFF\xFE") return {kUtf16Le, CharsetSource::kBom};
  if (body.substr(0, 2) == "\xFE\xFF") return {kUtf16Be, CharsetSource::kBom};
  // 2. The transport layer's label.
  const std::string label = ContentTypeCharset(content_type);
  if (!label.empty()) {
    if (std::optional<std::string_view> e = EncodingForLabel(label)) {
      return {*e, CharsetSource::kContentType};
    }
  }
  // 3. The prescan of the first 1024 bytes.
  if (std::optional<std::string_view> e = PrescanMetaCharset(body)) {
    return {*e, CharsetSource::kMeta};
  }
  return {kUtf8, CharsetSource::kDefault};
}

std::string ConvertToUtf8(std::string_view body, std::string_view encoding,
                          size_t max_output_bytes, bool* truncated) {
  Output out(max_output_bytes);
  const char* iconv_name = IconvName(encoding);
  iconv_t cd = reinterpret_cast<iconv_t>(-1);
  if (iconv_name != nullptr && encoding != kUtf8) {
    cd = iconv_open("UTF-8", iconv_name);
  }
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    DecodeUtf8(body, out);
  } else {
    std::unique_ptr<void, IconvCloser> owned(cd);
    if ((encoding == kUtf16Le && body.substr(0, 2) == "\xFF\xFE") ||
        (encoding == kUtf16Be && body.substr(0, 2) == "\xFE\xFF")) {
      body.remove_prefix(2);
    }
    DecodeIconv(cd, body, IsUtf16(encoding) ? 2 : 1, encoding == kWindows1252,
                out);
  }
  if (truncated != nullptr) *truncated = out.full();
  return out.Take();
}

std::string ToUtf8(std::string_view body, std::string_view content_type,
                   size_t max_output_bytes) {
  return ConvertToUtf8(body, DetectCharset(body, content_type).encoding,
                       max_output_bytes);
}

}  // namespace crawler::charset
