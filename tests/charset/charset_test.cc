// Encoding detection and conversion to UTF-8 (fault matrix C3): the WHATWG
// Encoding Standard's labels and UTF-8 decoder, the WHATWG HTML prescan of
// <meta>, and glibc iconv for the rest.
#include "crawler/charset/charset.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::charset {
namespace {

using std::string_literals::operator""s;

// Strict UTF-8: no overlongs, no surrogates, at most U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = c;
    if (c >= 0x80) {
      if ((c & 0xE0) == 0xC0) {
        n = 1;
        cp = c & 0x1F;
      } else if ((c & 0xF0) == 0xE0) {
        n = 2;
        cp = c & 0x0F;
      } else if ((c & 0xF8) == 0xF0) {
        n = 3;
        cp = c & 0x07;
      } else {
        return false;
      }
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// "<html>..." as UTF-16LE or UTF-16BE bytes (ASCII text only).
std::string Utf16(std::string_view ascii, bool big_endian) {
  std::string out;
  for (const char c : ascii) {
    if (big_endian) out += '\0';
    out += c;
    if (!big_endian) out += '\0';
  }
  return out;
}

const std::string kFffd = "\xEF\xBF\xBD";

TEST_SUITE("EncodingForLabel") {
  TEST_CASE("WHATWG Encoding 4.2: labels, trimmed and case-insensitive") {
    struct Case {
      const char* label;
      std::optional<std::string_view> name;
    };
    const Case cases[] = {
        {"utf-8", kUtf8},
        {"UTF8", kUtf8},
        {" \t utf-8 \n", kUtf8},
        {"unicode-1-1-utf-8", kUtf8},
        {"latin1", kWindows1252},
        {"ISO-8859-1", kWindows1252},
        {"iso_8859-1:1987", kWindows1252},
        {"us-ascii", kWindows1252},
        {"ascii", kWindows1252},
        {"windows-1252", kWindows1252},
        {"iso-8859-9", "windows-1254"},
        {"tis-620", "windows-874"},
        {"iso-8859-2", "ISO-8859-2"},
        {"koi8-r", "KOI8-R"},
        {"gb2312", "GBK"},
        {"GB18030", "gb18030"},
        {"shift_jis", "Shift_JIS"},
        {"windows-31j", "Shift_JIS"},
        {"ks_c_5601-1987", "EUC-KR"},
        {"big5-hkscs", "Big5"},
        {"utf-16", kUtf16Le},
        {"unicodefffe", kUtf16Be},
        {"x-unknown", std::nullopt},
        {"", std::nullopt},
        {"utf-8x", std::nullopt},
        {"utf 8", std::nullopt},
        // Not supported here: the replacement encoding's labels and
        // x-user-defined are unknown labels.
        {"iso-2022-kr", std::nullopt},
        {"replacement", std::nullopt},
        {"x-user-defined", std::nullopt},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.label));
      CHECK(EncodingForLabel(c.label) == c.name);
    }
  }
}

TEST_SUITE("ContentTypeCharset") {
  TEST_CASE("the charset parameter, first one, unquoted") {
    struct Case {
      const char* content_type;
      const char* charset;
    };
    const Case cases[] = {
        {"text/html; charset=utf-8", "utf-8"},
        {"text/html;charset=ISO-8859-1", "ISO-8859-1"},
        {"text/html; CHARSET=latin1", "latin1"},
        {"text/html; charset=\"koi8-r\"", "koi8-r"},
        {"text/html; charset=\"a\\\"b\"; x=y", "a\"b"},
        {"text/html; q=1; charset=gbk; charset=utf-8", "gbk"},
        {"text/html; charset=utf-8 ", "utf-8"},
        {"text/html; novalue; charset=sjis", "sjis"},
        {"text/html; xcharset=utf-8", ""},
        {"text/html", ""},
        {"", ""},
        {"text/html; charset=", ""},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.content_type));
      CHECK(ContentTypeCharset(c.content_type) == c.charset);
    }
  }
}

TEST_SUITE("PrescanMetaCharset") {
  TEST_CASE("WHATWG HTML 13.2.3.2: <meta charset> and http-equiv") {
    struct Case {
      const char* body;
      std::optional<std::string_view> encoding;
    };
    const Case cases[] = {
        {"<meta charset=\"windows-1252\">", kWindows1252},
        {"<META CHARSET=Latin1>", kWindows1252},
        {"<meta charset='koi8-r'/>", "KOI8-R"},
        {"<html><head><meta name=x><meta charset=gbk>", "GBK"},
        {"<meta http-equiv=\"Content-Type\" "
         "content=\"text/html; charset=ISO-8859-2\">",
         "ISO-8859-2"},
        {"<meta content='text/html;charset=\"shift_jis\"' "
         "http-equiv=content-type>",
         "Shift_JIS"},
        // content without http-equiv=content-type does not count.
        {"<meta content=\"text/html; charset=koi8-r\">", std::nullopt},
        // UTF-16 found by the prescan means UTF-8; x-user-defined is
        // windows-1252.
        {"<meta charset=utf-16le>", kUtf8},
        {"<meta charset=x-user-defined>", kWindows1252},
        // Unknown labels are ignored.
        {"<meta charset=x-unknown>", std::nullopt},
        // Comments, other tags' attribute values and <!...> are skipped.
        {"<!-- <meta charset=latin1> -->", std::nullopt},
        {"<!--><meta charset=latin1>", kWindows1252},
        {"<a title='<meta charset=latin1>'>", std::nullopt},
        {"<!DOCTYPE html><meta charset=latin1>", kWindows1252},
        {"<?xml version='1.0' encoding='latin1'?>", std::nullopt},
        {"<metacharset=latin1>", std::nullopt},
        {"<meta charset=latin1", std::nullopt},  // Cut short.
        {"", std::nullopt},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.body));
      CHECK(PrescanMetaCharset(c.body) == c.encoding);
    }
  }

  TEST_CASE("only the first 1024 bytes are examined") {
    const std::string meta = "<meta charset=latin1>";
    CHECK(PrescanMetaCharset(std::string(1024 - meta.size(), ' ') + meta) ==
          kWindows1252);
    CHECK_FALSE(
        PrescanMetaCharset(std::string(1024 - meta.size() + 1, ' ') + meta)
            .has_value());
  }
}

TEST_SUITE("DetectCharset") {
  TEST_CASE("a BOM, then Content-Type, then <meta>, then UTF-8") {
    struct Case {
      std::string body;
      const char* content_type;
      std::string_view encoding;
      CharsetSource source;
    };
    const std::vector<Case> cases = {
        {"\xFF\xFE<\0"s, "text/html", kUtf16Le, CharsetSource::kBom},
        {"\xFE\xFF\0<"s, "", kUtf16Be, CharsetSource::kBom},
        {"\xEF\xBB\xBF<p>", "text/html; charset=latin1", kUtf8,
         CharsetSource::kBom},
        // A BOM wins over every label.
        {"\xFF\xFE<\0"s, "text/html; charset=utf-8", kUtf16Le,
         CharsetSource::kBom},
        {"<p>", "text/html; charset=ISO-8859-1", kWindows1252,
         CharsetSource::kContentType},
        // Conflicting labels: Content-Type wins over <meta>.
        {"<meta charset=windows-1252>", "text/html; charset=utf-8", kUtf8,
         CharsetSource::kContentType},
        // An unknown label is skipped: <meta>, else the default.
        {"<meta charset=koi8-r>", "text/html; charset=x-unknown", "KOI8-R",
         CharsetSource::kMeta},
        {"<p>", "text/html; charset=x-unknown", kUtf8, CharsetSource::kDefault},
        {"<meta charset=latin1>", "text/html", kWindows1252,
         CharsetSource::kMeta},
        {"<p>", "", kUtf8, CharsetSource::kDefault},
    };
    for (const Case& c : cases) {
      CAPTURE(c.body);
      CAPTURE(std::string(c.content_type));
      const Charset got = DetectCharset(c.body, c.content_type);
      CHECK(got.encoding == c.encoding);
      CHECK(got.source == c.source);
    }
  }
}

TEST_SUITE("ToUtf8") {
  TEST_CASE("UTF-16LE and UTF-16BE with a BOM: transcoded, BOM removed") {
    const std::string page =
        "<html><title>utf-16 page</title><a href=\"/page/2\">two</a></html>";
    CHECK(ToUtf8("\xFF\xFE" + Utf16(page, false), "text/html") == page);
    CHECK(ToUtf8("\xFE\xFF" + Utf16(page, true), "text/html") == page);
    // Non-ASCII: U+00E9 and U+1F600 (a surrogate pair).
    CHECK(ToUtf8("\xFF\xFE\xE9\x00\x3D\xD8\x00\xDE"s, "") ==
          "\xC3\xA9\xF0\x9F\x98\x80");
    // Labelled without a BOM.
    CHECK(ToUtf8(Utf16("<p>", true), "text/html; charset=utf-16be") == "<p>");
  }

  TEST_CASE("UTF-16: lone surrogates and an odd last byte become U+FFFD") {
    CHECK(ToUtf8("\xFF\xFE\x00\xD8\x41\x00"s, "") == kFffd + "A");
    CHECK(ToUtf8("\xFF\xFE\x41\x00\x42"s, "") == "A" + kFffd);
  }

  TEST_CASE("a Latin-1 label is windows-1252 (WHATWG)") {
    CHECK(ToUtf8("caf\xE9 na\xEFve", "text/html; charset=ISO-8859-1") ==
          "caf\xC3\xA9 na\xC3\xAFve");
    CHECK(ToUtf8("\x80 \x93q\x94", "text/html; charset=latin1") ==
          "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D");  // Euro, curly quotes.
    CHECK(ToUtf8("\xE9", "text/html; charset=us-ascii") == "\xC3\xA9");
    // The five bytes windows-1252 leaves undefined are C1 controls.
    CHECK(ToUtf8("\x81\x8D\x8F\x90\x9D", "text/html; charset=windows-1252") ==
          "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
  }

  TEST_CASE("<meta charset> is used when Content-Type has no charset") {
    CHECK(ToUtf8("<meta charset=\"windows-1252\"><title>caf\xE9</title>",
                 "text/html") ==
          "<meta charset=\"windows-1252\"><title>caf\xC3\xA9</title>");
  }

  TEST_CASE("conflicting labels: Content-Type wins, the rest is U+FFFD") {
    CHECK(ToUtf8("<meta charset=\"windows-1252\"><title>caf\xE9</title>",
                 "text/html; charset=utf-8") ==
          "<meta charset=\"windows-1252\"><title>caf" + kFffd + "</title>");
  }

  TEST_CASE("x-unknown falls back to UTF-8") {
    CHECK(ToUtf8("<title>unknown charset</title>",
                 "text/html; charset=x-unknown") ==
          "<title>unknown charset</title>");
    CHECK(ToUtf8("caf\xC3\xA9", "text/html; charset=x-unknown") ==
          "caf\xC3\xA9");
  }

  TEST_CASE("other encodings through iconv") {
    // Shift_JIS, EUC-JP and ISO-2022-JP "あ" (U+3042); GBK "你好".
    CHECK(ToUtf8("\x82\xA0", "text/html; charset=shift_jis") == "\xE3\x81\x82");
    CHECK(ToUtf8("\xA4\xA2", "text/html; charset=euc-jp") == "\xE3\x81\x82");
    CHECK(ToUtf8("\x1B$B$\"\x1B(B!", "text/html; charset=iso-2022-jp") ==
          "\xE3\x81\x82!");
    CHECK(ToUtf8("\xC4\xE3\xBA\xC3", "text/html; charset=gb2312") ==
          "\xE4\xBD\xA0\xE5\xA5\xBD");
    CHECK(ToUtf8("\xC1", "text/html; charset=koi8-r") == "\xD0\xB0");  // а
    // A Shift_JIS lead byte cut short by the end.
    CHECK(ToUtf8("a\x82", "text/html; charset=shift_jis") == "a" + kFffd);
  }

  TEST_CASE("WHATWG UTF-8 decoder: one U+FFFD per maximal invalid subpart") {
    struct Case {
      std::string in;
      std::string out;
    };
    const std::vector<Case> cases = {
        {"plain ascii", "plain ascii"},
        {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80",
         "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"},
        {"\xEF\xBB\xBFx", "x"},  // The BOM goes.
        {"\x80", kFffd},
        {"\xC0\xAF", kFffd + kFffd},                          // Overlong.
        {"\xE0\x80\x80", kFffd + kFffd + kFffd},              // Overlong.
        {"\xED\xA0\x80", kFffd + kFffd + kFffd},              // Surrogate.
        {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},  // > U+10FFFF.
        {"\xF5\xFF", kFffd + kFffd},
        {"\xE2\x82", kFffd},         // Truncated at the end: one.
        {"\xE2\x82x", kFffd + "x"},  // Truncated, then ASCII.
        {"\xF0\x9F\x98", kFffd},
        {"a\xF0\x9F\x98\xC3\xA9", "a" + kFffd + "\xC3\xA9"},
        {"\0\0"s, "\0\0"s},  // NUL is valid UTF-8.
    };
    for (const Case& c : cases) {
      CAPTURE(c.in);
      CHECK(ToUtf8(c.in, "text/html; charset=utf-8") == c.out);
    }
  }

  TEST_CASE("the output is capped at a character boundary") {
    bool truncated = false;
    // Each é is two bytes in UTF-8: 3 bytes hold one.
    CHECK(ConvertToUtf8("\xE9\xE9\xE9", kWindows1252, 3, &truncated) ==
          "\xC3\xA9");
    CHECK(truncated);
    CHECK(ConvertToUtf8("\xE9\xE9\xE9", kWindows1252, 6, &truncated) ==
          "\xC3\xA9\xC3\xA9\xC3\xA9");
    CHECK_FALSE(truncated);
    CHECK(ConvertToUtf8("ab\xE2\x82\xAC", kUtf8, 4, &truncated) == "ab");
    CHECK(truncated);
    CHECK(ConvertToUtf8("\x80\x80", kUtf8, 4, &truncated) == kFffd);
    CHECK(truncated);
    CHECK(ToUtf8(std::string(100000, 'x'), "", 10) == std::string(10, 'x'));
    CHECK(ToUtf8("abc", "", 0).empty());
  }

  TEST_CASE("an unknown encoding name decodes as UTF-8") {
    CHECK(ConvertToUtf8("caf\xC3\xA9\xFF", "x-nothing", 100) ==
          "caf\xC3\xA9" + kFffd);
  }

  TEST_CASE("property: valid UTF-8 within the cap for any bytes and label") {
    const char* const labels[] = {
        "",          "utf-8",     "utf-16le",    "utf-16be",     "latin1",
        "koi8-r",    "shift_jis", "euc-jp",      "gbk",          "gb18030",
        "big5",      "euc-kr",    "iso-2022-jp", "windows-1255", "iso-8859-6",
        "x-unknown", "macintosh", "ibm866"};
    std::mt19937 rng(20260101);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 300);
    for (int round = 0; round < 3000; ++round) {
      std::string body(length(rng), '\0');
      for (char& c : body) c = static_cast<char>(byte(rng));
      // Sometimes a BOM or a <meta>.
      if (round % 7 == 0) body = "\xFF\xFE" + body;
      if (round % 11 == 0) body = "<meta charset=sjis>" + body;
      const std::string type =
          "text/html; charset="s + labels[round % std::size(labels)];
      const size_t cap = round % 5 == 0 ? 17 : 4096;
      const std::string out = ToUtf8(body, type, cap);
      CAPTURE(type);
      CHECK(IsValidUtf8(out));
      CHECK(out.size() <= cap);
    }
  }
}

}  // namespace
}  // namespace crawler::charset
