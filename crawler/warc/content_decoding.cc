#include "crawler/warc/content_decoding.h"

#include <brotli/decode.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace crawler::warc {
namespace {

constexpr size_t kStep = 64 << 10;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

Status TooBig(std::string_view coding, size_t max_bytes) {
  return Status(Code::kResourceExhausted,
                std::string(coding) + ": the decoded body exceeds " +
                    std::to_string(max_bytes) + " bytes");
}

Status Corrupt(std::string_view coding, const std::string& why) {
  return Status(Code::kDataLoss, std::string(coding) + ": " + why);
}

// zlib inflate with `window_bits` (31: gzip, 15: zlib, -15: raw deflate).
StatusOr<std::string> Inflate(std::string_view data, int window_bits,
                              std::string_view coding, size_t max_bytes) {
  z_stream z = {};
  if (inflateInit2(&z, window_bits) != Z_OK) {
    return InternalError("zlib inflateInit2 failed");
  }
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(
      std::min<size_t>(data.size(), std::numeric_limits<uInt>::max()));
  Status error;
  while (true) {
    if (out.size() > max_bytes) {
      error = TooBig(coding, max_bytes);
      break;
    }
    const size_t at = out.size();
    out.resize(at + kStep);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    z.avail_out = static_cast<uInt>(kStep);
    const int rc = inflate(&z, Z_NO_FLUSH);
    out.resize(at + kStep - z.avail_out);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (RFC 1952 section 2.2) decode as one.
      if (window_bits == 31 && z.avail_in > 0 && inflateReset(&z) == Z_OK) {
        continue;
      }
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error = Corrupt(coding, z.msg != nullptr ? z.msg : "corrupt data");
      break;
    }
    if (z.avail_in == 0 && z.avail_out > 0) {
      error = Corrupt(coding, "the data ends early (truncated)");
      break;
    }
  }
  inflateEnd(&z);
  if (!error.ok()) return error;
  if (out.size() > max_bytes) return TooBig(coding, max_bytes);
  return out;
}

StatusOr<std::string> Deflate(std::string_view data, size_t max_bytes) {
  // RFC 9110 section 8.4.1.2: deflate is the zlib format, but servers also
  // send raw deflate; a zlib header is two bytes whose 16-bit value is a
  // multiple of 31 with compression method 8.
  const bool zlib_wrapped = data.size() >= 2 &&
                            (static_cast<unsigned char>(data[0]) & 0x0f) == 8 &&
                            ((static_cast<unsigned char>(data[0]) << 8) |
                             static_cast<unsigned char>(data[1])) %
                                    31 ==
                                0;
  return Inflate(data, zlib_wrapped ? 15 : -15, "deflate", max_bytes);
}

StatusOr<std::string> Brotli(std::string_view data, size_t max_bytes) {
  BrotliDecoderState* s =
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (s == nullptr) return InternalError("BrotliDecoderCreateInstance failed");
  std::string out;
  size_t avail_in = data.size();
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(data.data());
  Status error;
  while (true) {
    const size_t at = out.size();
    out.resize(at + kStep);
    size_t avail_out = kStep;
    uint8_t* next_out = reinterpret_cast<uint8_t*>(out.data() + at);
    const BrotliDecoderResult rc = BrotliDecoderDecompressStream(
        s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.resize(at + kStep - avail_out);
    if (out.size() > max_bytes) {
      error = TooBig("br", max_bytes);
      break;
    }
    if (rc == BROTLI_DECODER_RESULT_SUCCESS) break;
    if (rc == BROTLI_DECODER_RESULT_ERROR) {
      error =
          Corrupt("br", BrotliDecoderErrorString(BrotliDecoderGetErrorCode(s)));
      break;
    }
    if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
      error = Corrupt("br", "the data ends early (truncated)");
      break;
    }
  }
  BrotliDecoderDestroyInstance(s);
  if (!error.ok()) return error;
  return out;
}

StatusOr<std::string> Zstd(std::string_view data, size_t max_bytes) {
  ZSTD_DStream* s = ZSTD_createDStream();
  if (s == nullptr) return InternalError("ZSTD_createDStream failed");
  ZSTD_initDStream(s);
  std::string out;
  ZSTD_inBuffer in = {data.data(), data.size(), 0};
  Status error;
  size_t rc = 1;
  while (true) {
    const size_t at = out.size();
    out.resize(at + kStep);
    ZSTD_outBuffer o = {out.data() + at, kStep, 0};
    rc = ZSTD_decompressStream(s, &o, &in);
    out.resize(at + o.pos);
    if (ZSTD_isError(rc)) {
      error = Corrupt("zstd", ZSTD_getErrorName(rc));
      break;
    }
    if (out.size() > max_bytes) {
      error = TooBig("zstd", max_bytes);
      break;
    }
    if (rc == 0 && in.pos == in.size) break;  // Every frame ended.
    if (in.pos == in.size && o.pos < o.size) {
      error = Corrupt("zstd", "the data ends early (truncated)");
      break;
    }
  }
  ZSTD_freeDStream(s);
  if (!error.ok()) return error;
  return out;
}

}  // namespace

std::vector<std::string_view> ContentCodings(
    std::string_view content_encoding) {
  std::vector<std::string_view> codings;
  while (!content_encoding.empty()) {
    const size_t comma = content_encoding.find(',');
    std::string_view item = Trim(content_encoding.substr(0, comma));
    if (!item.empty() && !EqualsNoCase(item, "identity")) {
      codings.push_back(item);
    }
    if (comma == std::string_view::npos) break;
    content_encoding.remove_prefix(comma + 1);
  }
  return codings;
}

StatusOr<std::string> DecodeContent(std::string_view data,
                                    std::string_view content_encoding,
                                    size_t max_bytes) {
  const std::vector<std::string_view> codings =
      ContentCodings(content_encoding);
  std::string current(data);
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    const std::string_view c = *it;
    StatusOr<std::string> next = [&]() -> StatusOr<std::string> {
      if (EqualsNoCase(c, "gzip") || EqualsNoCase(c, "x-gzip")) {
        return Inflate(current, 31, "gzip", max_bytes);
      }
      if (EqualsNoCase(c, "deflate")) return Deflate(current, max_bytes);
      if (EqualsNoCase(c, "br")) return Brotli(current, max_bytes);
      if (EqualsNoCase(c, "zstd")) return Zstd(current, max_bytes);
      return InvalidArgumentError("unknown content coding '" + std::string(c) +
                                  "'");
    }();
    if (!next.ok()) return next.status();
    current = std::move(*next);
  }
  if (current.size() > max_bytes) return TooBig("identity", max_bytes);
  return current;
}

}  // namespace crawler::warc
