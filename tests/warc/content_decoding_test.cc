// Content codings of archived payloads (RFC 9110 section 8.4): every coding
// the fetcher accepts is decoded back to the original bytes.
#include "crawler/warc/content_decoding.h"

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::warc {
namespace {

std::string Zlib(const std::string& in, int window_bits) {
  z_stream z = {};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) ==
          Z_OK);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

std::string Brotli(const std::string& in) {
  std::string out(BrotliEncoderMaxCompressedSize(in.size()) + 64, '\0');
  size_t size = out.size();
  REQUIRE(BrotliEncoderCompress(
              5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, in.size(),
              reinterpret_cast<const uint8_t*>(in.data()), &size,
              reinterpret_cast<uint8_t*>(out.data())) == BROTLI_TRUE);
  out.resize(size);
  return out;
}

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const size_t n =
      ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  REQUIRE(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

const std::string& Original() {
  static const std::string s = [] {
    std::string t;
    for (int i = 0; i < 20000; ++i)
      t += "<p>line " + std::to_string(i) + "</p>\n";
    return t;
  }();
  return s;
}

StatusOr<std::string> Decode(const std::string& data, const std::string& ce,
                             size_t max = size_t{1} << 30) {
  return DecodeContent(data, ce, max);
}

TEST_SUITE("ContentDecoding") {
  TEST_CASE("gzip, x-gzip, deflate (zlib and raw), br, zstd") {
    const std::string& o = Original();
    CHECK(Decode(Zlib(o, 31), "gzip").value() == o);
    CHECK(Decode(Zlib(o, 31), "X-GZIP").value() == o);
    CHECK(Decode(Zlib(o, 15), "deflate").value() == o);
    CHECK(Decode(Zlib(o, -15), "deflate").value() == o);
    CHECK(Decode(Brotli(o), "br").value() == o);
    CHECK(Decode(Zstd(o), "zstd").value() == o);
  }

  TEST_CASE("codings are removed last first; identity is skipped") {
    const std::string& o = Original();
    CHECK(Decode(Zlib(Zstd(o), 31), "zstd, gzip").value() == o);
    CHECK(Decode(o, "identity").value() == o);
    CHECK(Decode(o, "").value() == o);
    CHECK(Decode(Brotli(o), " identity , br ").value() == o);
  }

  TEST_CASE("concatenated gzip members decode as one body") {
    CHECK(Decode(Zlib("abc", 31) + Zlib("def", 31), "gzip").value() ==
          "abcdef");
  }

  TEST_CASE("errors name the coding: unknown, corrupt, cut, too big") {
    const std::string& o = Original();
    StatusOr<std::string> unknown = Decode(o, "compress");
    CHECK(unknown.status().code() == Code::kInvalidArgument);
    CHECK(unknown.status().message().find("compress") != std::string::npos);
    std::string gz = Zlib(o, 31);
    CHECK(Decode(gz.substr(0, gz.size() / 2), "gzip").status().code() ==
          Code::kDataLoss);
    std::string bad = gz;
    bad[20] = static_cast<char>(bad[20] ^ 0x55);
    CHECK(Decode(bad, "gzip").status().code() == Code::kDataLoss);
    std::string br = Brotli(o);
    CHECK(Decode(br.substr(0, br.size() / 2), "br").status().code() ==
          Code::kDataLoss);
    std::string zs = Zstd(o);
    CHECK(Decode(zs.substr(0, zs.size() / 2), "zstd").status().code() ==
          Code::kDataLoss);
    CHECK(Decode(gz, "gzip", 1000).status().code() == Code::kResourceExhausted);
    CHECK(Decode(br, "br", 1000).status().code() == Code::kResourceExhausted);
    CHECK(Decode(zs, "zstd", 1000).status().code() == Code::kResourceExhausted);
  }
}

}  // namespace
}  // namespace crawler::warc
