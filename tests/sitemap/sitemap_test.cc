#include "crawler/sitemap/sitemap.h"

#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::sitemap {
namespace {

using Strings = std::vector<std::string>;

Sitemap MustParse(std::string_view body, const SitemapOptions& o = {}) {
  StatusOr<Sitemap> s = ParseSitemap(body, o);
  REQUIRE_OK(s.status());
  return *std::move(s);
}

// Compresses `data` as one gzip member.
std::string Gzip(std::string_view data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS,
                       8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// gzip of `size` zero bytes, made by streaming deflate over one small
// buffer: the input never exists in memory.
std::string GzipZeros(size_t size) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9,
                       Z_DEFAULT_STRATEGY) == Z_OK);
  static const std::string zeros(1 << 20, '\0');
  std::string out;
  char buf[1 << 16];
  size_t left = size;
  int flush = Z_NO_FLUSH;
  do {
    const size_t n = std::min(left, zeros.size());
    left -= n;
    flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    zs.avail_in = static_cast<uInt>(n);
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof(buf);
      deflate(&zs, flush);
      out.append(buf, sizeof(buf) - zs.avail_out);
    } while (zs.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&zs);
  return out;
}

// Peak resident set size of this process, in KiB (VmHWM).
long PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false if not allowed.
bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return clear.good();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

const char kUrlSetNs[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    "  <url><loc>https://example.com/</loc><lastmod>2024-01-01</lastmod>"
    "</url>\n"
    "  <url><loc>https://example.com/a?x=1&amp;y=2</loc>"
    "<priority>0.8</priority></url>\n"
    "</urlset>\n";

const char kIndex[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    "  <sitemap><loc>https://example.com/s1.xml.gz</loc>"
    "<lastmod>2024-01-01</lastmod></sitemap>\n"
    "  <sitemap><loc>https://example.com/s2.xml</loc></sitemap>\n"
    "</sitemapindex>\n";

const char kText[] =
    "https://example.com/one\r\n"
    "\r\n"
    "   https://example.com/two  \r\n"
    "\n"
    "https://example.com/three";

TEST_SUITE("formats") {
  TEST_CASE("urlset with the sitemaps.org namespace") {
    Sitemap s = MustParse(kUrlSetNs);
    CHECK(s.kind == Sitemap::Kind::kUrlSet);
    CHECK(s.urls ==
          Strings{"https://example.com/", "https://example.com/a?x=1&y=2"});
    CHECK(s.sitemaps.empty());
    CHECK_FALSE(s.truncated);
    CHECK(s.truncation_reason.empty());
  }

  TEST_CASE("urlset without a namespace, or with a prefix") {
    CHECK(MustParse("<urlset><url><loc>http://a/</loc></url></urlset>").urls ==
          Strings{"http://a/"});
    Sitemap s = MustParse(
        "<sm:urlset xmlns:sm='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<sm:url><sm:loc>http://a/1</sm:loc></sm:url></sm:urlset>");
    CHECK(s.kind == Sitemap::Kind::kUrlSet);
    CHECK(s.urls == Strings{"http://a/1"});
    // An undeclared prefix is tolerated too.
    CHECK(MustParse("<x:urlset><x:url><x:loc>http://a/2</x:loc></x:url>"
                    "</x:urlset>")
              .urls == Strings{"http://a/2"});
  }

  TEST_CASE("sitemap index") {
    Sitemap s = MustParse(kIndex);
    CHECK(s.kind == Sitemap::Kind::kIndex);
    CHECK(s.sitemaps == Strings{"https://example.com/s1.xml.gz",
                                "https://example.com/s2.xml"});
    CHECK(s.urls.empty());
    CHECK_FALSE(s.truncated);
  }

  TEST_CASE("plain text with blank lines and CRLF") {
    Sitemap s = MustParse(kText);
    CHECK(s.kind == Sitemap::Kind::kText);
    CHECK(s.urls == Strings{"https://example.com/one",
                            "https://example.com/two",
                            "https://example.com/three"});
    CHECK_FALSE(s.truncated);
    // A UTF-8 byte order mark is not part of the first URL.
    CHECK(MustParse("\xef\xbb\xbfhttp://a/\n").urls == Strings{"http://a/"});
    // Lines are returned as found: validation is the caller's job.
    CHECK(MustParse("not a url\n").urls == Strings{"not a url"});
  }
}

TEST_SUITE("loc values") {
  TEST_CASE("whitespace around loc is trimmed, empty locs are skipped") {
    Sitemap s = MustParse(
        "<urlset>"
        "<url><loc>\n\t  http://a/1 \r\n</loc></url>"
        "<url><loc>   </loc></url>"
        "<url><loc/></url>"
        "<url><lastmod>2024</lastmod></url>"
        "<url><loc>http://a/2</loc></url>"
        "</urlset>");
    CHECK(s.urls == Strings{"http://a/1", "http://a/2"});
  }

  TEST_CASE("CDATA, predefined entities and character references") {
    Sitemap s = MustParse(
        "<urlset>"
        "<url><loc><![CDATA[http://a/?p=1&q=<2>]]></loc></url>"
        "<url><loc>http://a/?a=1&amp;b=&lt;&gt;&quot;&apos;</loc></url>"
        "<url><loc>http://a/&#x2F;&#47;caf&#233;</loc></url>"
        "</urlset>");
    CHECK(s.urls == Strings{"http://a/?p=1&q=<2>", "http://a/?a=1&b=<>\"'",
                            "http://a///caf\xc3\xa9"});
  }

  TEST_CASE("only loc children of the entries count") {
    Sitemap s = MustParse(
        "<urlset xmlns:image='http://www.google.com/schemas/sitemap-image/1.1'>"
        "<loc>http://a/stray</loc>"
        "<url><loc>http://a/page</loc>"
        "<image:image><image:loc>http://a/pic.jpg</image:loc></image:image>"
        "<loc>http://a/second-loc</loc></url>"
        "<sitemap><loc>http://a/not-in-an-index</loc></sitemap>"
        "</urlset>");
    CHECK(s.urls == Strings{"http://a/page"});
    CHECK(s.sitemaps.empty());
    // In an index, <url> entries are not sitemaps.
    Sitemap i = MustParse(
        "<sitemapindex><url><loc>http://a/u</loc></url>"
        "<sitemap><loc>http://a/s.xml</loc></sitemap></sitemapindex>");
    CHECK(i.sitemaps == Strings{"http://a/s.xml"});
    CHECK(i.urls.empty());
  }

  TEST_CASE("a DOCTYPE without entity declarations is tolerated") {
    Sitemap s = MustParse(
        "<?xml version='1.0'?><!DOCTYPE urlset>"
        "<urlset><url><loc>http://a/</loc></url></urlset>");
    CHECK(s.urls == Strings{"http://a/"});
  }

  TEST_CASE("UTF-16 with a byte order mark is XML") {
    const std::string ascii =
        "<urlset><url><loc>http://a/</loc></url></urlset>";
    std::string utf16 = "\xff\xfe";
    for (char c : ascii) {
      utf16 += c;
      utf16 += '\0';
    }
    CHECK(MustParse(utf16).urls == Strings{"http://a/"});
  }
}

TEST_SUITE("gzip") {
  TEST_CASE("gzip of each format, detected by the magic bytes") {
    CHECK(MustParse(Gzip(kUrlSetNs)).urls ==
          Strings{"https://example.com/", "https://example.com/a?x=1&y=2"});
    Sitemap i = MustParse(Gzip(kIndex));
    CHECK(i.kind == Sitemap::Kind::kIndex);
    CHECK(i.sitemaps.size() == 2);
    Sitemap t = MustParse(Gzip(kText));
    CHECK(t.kind == Sitemap::Kind::kText);
    CHECK(t.urls.size() == 3);
    CHECK_FALSE(t.truncated);
  }

  TEST_CASE("concatenated gzip members are one document") {
    Sitemap s =
        MustParse(Gzip("http://a/1\nhttp://a/") + Gzip("2\nhttp://a/3\n"));
    CHECK(s.urls == Strings{"http://a/1", "http://a/2", "http://a/3"});
  }

  TEST_CASE("two nested gzip layers are undone, three are an error") {
    CHECK(MustParse(Gzip(Gzip(kText))).urls.size() == 3);
    StatusOr<Sitemap> s = ParseSitemap(Gzip(Gzip(Gzip(kText))));
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kDataLoss);
    CHECK(s.status().message() == "sitemap: more than 2 nested gzip layers");
  }

  TEST_CASE("truncated gzip: the entries before the cut, or DataLoss") {
    std::string urls = "<urlset>";
    for (int i = 0; i < 2000; ++i) {
      urls += "<url><loc>http://example.com/page/" + std::to_string(i) +
              "</loc></url>";
    }
    urls += "</urlset>";
    const std::string gz = Gzip(urls);
    Sitemap s = MustParse(std::string_view(gz).substr(0, gz.size() / 2));
    CHECK(s.truncated);
    CHECK(s.truncation_reason.find("gzip data is truncated") !=
          std::string::npos);
    CHECK(s.urls.size() > 10);
    CHECK(s.urls.size() < 2000);
    CHECK(s.urls.back().rfind("http://example.com/page/", 0) == 0);

    // Only the 8-byte trailer missing: everything read, still flagged.
    Sitemap t = MustParse(std::string_view(gz).substr(0, gz.size() - 8));
    CHECK(t.urls.size() == 2000);
    CHECK(t.truncated);

    // Cut before any entry: DataLoss.
    StatusOr<Sitemap> e = ParseSitemap(std::string_view(gz).substr(0, 12));
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == Code::kDataLoss);
    CHECK(e.status().message().find("gzip data is truncated") !=
          std::string::npos);
    // The magic bytes alone.
    CHECK(ParseSitemap("\x1f\x8b").status().code() == Code::kDataLoss);

    // Text: the last, possibly cut, line is dropped.
    const std::string tgz = Gzip("http://a/1\nhttp://a/2\nhttp://a/333333\n");
    Sitemap text =
        MustParse(std::string_view(tgz).substr(0, tgz.size() - 8 - 4));
    CHECK(text.truncated);
    for (const std::string& u : text.urls) CHECK(u != "http://a/333333");
  }

  TEST_CASE("corrupt gzip is DataLoss") {
    std::string gz = Gzip(kUrlSetNs);
    for (size_t i = 10; i < gz.size(); ++i) gz[i] = static_cast<char>(0xff);
    StatusOr<Sitemap> s = ParseSitemap(gz);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kDataLoss);
    CHECK(s.status().message().find("gzip data is corrupt") !=
          std::string::npos);
  }

  TEST_CASE("a 1 GiB gzip bomb stops at the cap, fast, in bounded memory") {
    const std::string bomb = GzipZeros(size_t{1} << 30);
    CHECK(bomb.size() < (size_t{2} << 20));
    const bool reset = ResetPeakRss();
    const long rss_before = PeakRssKib();
    SitemapOptions o;
    o.max_decompressed_bytes = 1 << 20;
    const auto start = std::chrono::steady_clock::now();
    StatusOr<Sitemap> s = ParseSitemap(bomb, o);
    CHECK(SecondsSince(start) < 2.0);
    // 1 MiB of NUL bytes is binary data, not a sitemap.
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kInvalidArgument);
    const long growth_kib = PeakRssKib() - rss_before;
    MESSAGE("peak RSS growth " << growth_kib << " KiB (reset: " << reset
                               << ")");
    CHECK(growth_kib < 16 * 1024);

    // A bomb that is XML: cut at the cap, the entries before it kept.
    std::string xml = "<urlset><url><loc>http://a/</loc></url><url><loc>";
    xml.append(4 << 20, 'x');
    Sitemap cut = MustParse(Gzip(xml), o);
    CHECK(cut.truncated);
    CHECK(cut.truncation_reason ==
          "sitemap: document larger than 1048576 bytes after decompression "
          "(limit max_decompressed_bytes)");
    CHECK(cut.urls == Strings{"http://a/"});
  }

  TEST_CASE("exactly the cap is not truncated; a plain body over it is") {
    const std::string text = "http://a/1\nhttp://a/2\n";  // 22 bytes.
    SitemapOptions o;
    o.max_decompressed_bytes = text.size();
    Sitemap exact = MustParse(Gzip(text), o);
    CHECK_FALSE(exact.truncated);
    CHECK(exact.urls.size() == 2);
    CHECK_FALSE(MustParse(text, o).truncated);

    o.max_decompressed_bytes = text.size() - 3;  // Cuts "http://a/2".
    Sitemap plain = MustParse(text, o);
    CHECK(plain.truncated);
    CHECK(plain.urls == Strings{"http://a/1"});
    CHECK(plain.truncation_reason.find("limit max_decompressed_bytes") !=
          std::string::npos);
    Sitemap gz = MustParse(Gzip(text), o);
    CHECK(gz.truncated);
    CHECK(gz.urls == Strings{"http://a/1"});
  }
}

TEST_SUITE("limits") {
  TEST_CASE("50,001 URLs are truncated at 50,000 (sitemaps.org limit)") {
    std::string xml =
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">";
    std::string text;
    for (int i = 0; i < 50001; ++i) {
      const std::string u = "https://example.com/p/" + std::to_string(i);
      xml += "<url><loc>" + u + "</loc></url>\n";
      text += u + "\n";
    }
    xml += "</urlset>";
    for (const std::string& body : {xml, Gzip(xml), text}) {
      Sitemap s = MustParse(body);
      CHECK(s.urls.size() == 50000);
      CHECK(s.urls.back() == "https://example.com/p/49999");
      CHECK(s.truncated);
      CHECK(s.truncation_reason ==
            "sitemap: more than 50000 URLs (limit max_urls)");
    }
    // Exactly 50,000 is not truncated.
    const size_t last = xml.rfind("<url>");
    CHECK_FALSE(MustParse(xml.substr(0, last) + "</urlset>").truncated);
  }

  TEST_CASE("max_urls applies to the sitemaps of an index") {
    SitemapOptions o;
    o.max_urls = 1;
    Sitemap s = MustParse(kIndex, o);
    CHECK(s.sitemaps == Strings{"https://example.com/s1.xml.gz"});
    CHECK(s.truncated);
  }
}

TEST_SUITE("hostile XML") {
  TEST_CASE("XXE: a SYSTEM entity naming a local file is refused, not read") {
    const std::string path = testing::TempDir() + "/sitemap_xxe_secret.txt";
    {
      std::ofstream f(path);
      f << "TOP-SECRET-CONTENT";
    }
    const std::string general =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE urlset [\n"
        "  <!ENTITY xxe SYSTEM \"file://" +
        path +
        "\">\n"
        "]>\n"
        "<urlset><url><loc>http://a/&xxe;</loc></url></urlset>";
    const std::string parameter =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE urlset [ <!ENTITY % p SYSTEM \"file://" +
        path +
        "\"> %p; ]>\n"
        "<urlset><url><loc>http://a/</loc></url></urlset>";
    for (const std::string& doc : {general, parameter, Gzip(general)}) {
      StatusOr<Sitemap> s = ParseSitemap(doc);
      REQUIRE_FALSE(s.ok());
      CHECK(s.status().code() == Code::kInvalidArgument);
      CHECK(s.status().message().find("entity declarations are refused") !=
            std::string::npos);
      CHECK(s.status().message().find("SECRET") == std::string::npos);
    }
    CHECK(ParseSitemap(general).status().message() ==
          "sitemap: entity declarations are refused (DTD entity 'xxe' at "
          "line 3)");

    // An external DTD subset is never loaded; the document is read without it.
    const std::string external =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE urlset SYSTEM \"file://" +
        path +
        "\">\n"
        "<urlset><url><loc>http://a/x</loc></url></urlset>";
    Sitemap s = MustParse(external);
    CHECK(s.urls == Strings{"http://a/x"});
    std::remove(path.c_str());
  }

  TEST_CASE("billion laughs fails at once, without expansion") {
    std::string doc =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE urlset [\n"
        "<!ENTITY lol0 \"lol\">\n";
    for (int i = 1; i <= 9; ++i) {
      doc += "<!ENTITY lol" + std::to_string(i) + " \"";
      for (int k = 0; k < 10; ++k) doc += "&lol" + std::to_string(i - 1) + ";";
      doc += "\">\n";
    }
    doc += "]>\n<urlset><url><loc>http://a/&lol9;</loc></url></urlset>";
    const auto start = std::chrono::steady_clock::now();
    StatusOr<Sitemap> s = ParseSitemap(doc);
    CHECK(SecondsSince(start) < 0.5);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kInvalidArgument);
    CHECK(s.status().message().find("entity declarations are refused") !=
          std::string::npos);
  }

  TEST_CASE("an undeclared entity is an XML error") {
    StatusOr<Sitemap> s =
        ParseSitemap("<urlset><url><loc>http://a/&nbsp;</loc></url></urlset>");
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message().find("undefined entity") != std::string::npos);
  }
}

TEST_SUITE("errors") {
  TEST_CASE("malformed XML with nothing read is InvalidArgument with a line") {
    StatusOr<Sitemap> s = ParseSitemap(
        "<?xml version=\"1.0\"?>\n<urlset>\n<url><loc>x</url>\n</urlset>");
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kInvalidArgument);
    CHECK(s.status().tag() == Tag::kPermanent);
    CHECK(s.status().message() ==
          "sitemap: XML error at line 3: mismatched tag");
  }

  TEST_CASE("malformed XML after some entries keeps them, truncated") {
    Sitemap s = MustParse(
        "<urlset>\n<url><loc>http://a/1</loc></url>\n"
        "<url><loc>http://a/2</loc></url>\n<url><loc>http://a/3</url>\n"
        "<url><loc>http://a/4</loc></url></urlset>");
    CHECK(s.urls == Strings{"http://a/1", "http://a/2"});
    CHECK(s.truncated);
    CHECK(s.truncation_reason ==
          "sitemap: XML error at line 4: mismatched tag");
    // A document that just stops.
    Sitemap cut = MustParse("<urlset><url><loc>http://a/1</loc></url><url>");
    CHECK(cut.urls == Strings{"http://a/1"});
    CHECK(cut.truncated);
  }

  TEST_CASE("a root other than urlset or sitemapindex is refused") {
    StatusOr<Sitemap> s =
        ParseSitemap("<!doctype html><html><body><a href=/x>x</a></html>");
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kInvalidArgument);
    StatusOr<Sitemap> r =
        ParseSitemap("<rss><url><loc>http://a/</loc></url></rss>");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() ==
          "sitemap: root element is <rss>, expected <urlset> or "
          "<sitemapindex>");
  }

  TEST_CASE("empty and whitespace-only bodies") {
    for (std::string_view body : {"", "  \r\n\t\n", "\xef\xbb\xbf"}) {
      StatusOr<Sitemap> s = ParseSitemap(body);
      REQUIRE_FALSE(s.ok());
      CHECK(s.status().code() == Code::kInvalidArgument);
      CHECK(s.status().message() == "sitemap: empty document");
    }
    StatusOr<Sitemap> gz = ParseSitemap(Gzip(""));
    REQUIRE_FALSE(gz.ok());
    CHECK(gz.status().message() == "sitemap: empty document");
  }

  TEST_CASE("binary garbage is an error, never a crash") {
    StatusOr<Sitemap> s = ParseSitemap(std::string_view("abc\0def", 7));
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message() ==
          "sitemap: binary data, not XML or text (control byte 0x00 at "
          "offset 3)");
    // Random bytes, with and without a gzip header, and starting with '<':
    // every outcome is a Status, and kept URLs never exceed the limits.
    std::mt19937 rng(42);
    for (int round = 0; round < 300; ++round) {
      std::string junk(1 + rng() % 4096, '\0');
      for (char& c : junk) c = static_cast<char>(rng());
      if (round % 3 == 1) junk.replace(0, 2, "\x1f\x8b");
      if (round % 3 == 2) junk[0] = '<';
      StatusOr<Sitemap> r = ParseSitemap(junk);
      if (r.ok()) CHECK(r->urls.size() <= 50000);
    }
  }
}

}  // namespace
}  // namespace crawler::sitemap
