#include "crawler/warc/gzip_member.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <limits>

namespace crawler::warc {
namespace {

// windowBits for deflateInit2/inflateInit2: 15 (32 KiB window) + 16 (a
// gzip wrapper, not zlib's).
constexpr int kGzipWindowBits = 15 + 16;
// Memory level of the compressor (zlib's default).
constexpr int kMemLevel = 8;
// Output grows in steps of this many bytes while inflating.
constexpr size_t kInflateStep = 64 << 10;

}  // namespace

struct GzipCompressor::Stream {
  z_stream z = {};
  bool ready = false;
  ~Stream() {
    if (ready) deflateEnd(&z);
  }
};

StatusOr<std::unique_ptr<GzipCompressor>> GzipCompressor::Create(int level) {
  if (level < 1 || level > 9) {
    return InvalidArgumentError("gzip level must be within 1 and 9");
  }
  std::unique_ptr<GzipCompressor> c(new GzipCompressor);
  c->stream_ = std::make_unique<Stream>();
  if (deflateInit2(&c->stream_->z, level, Z_DEFLATED, kGzipWindowBits,
                   kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    return InternalError("zlib deflateInit2 failed");
  }
  c->stream_->ready = true;
  return c;
}

GzipCompressor::~GzipCompressor() = default;

Status GzipCompressor::Compress(const std::vector<std::string_view>& pieces,
                                std::string* out) {
  z_stream& z = stream_->z;
  if (deflateReset(&z) != Z_OK)
    return InternalError("zlib deflateReset failed");
  size_t total = 0;
  for (std::string_view p : pieces) total += p.size();
  // A member is at most a little larger than its input (deflateBound).
  out->reserve(out->size() +
               deflateBound(&z, total > ULONG_MAX ? ULONG_MAX
                                                  : static_cast<uLong>(total)) +
               64);
  for (size_t i = 0; i <= pieces.size(); ++i) {
    const bool last = i == pieces.size();
    std::string_view in = last ? std::string_view() : pieces[i];
    // zlib counts in uInt: feed at most 1 GiB at a time.
    do {
      const size_t take = std::min<size_t>(in.size(), size_t{1} << 30);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(take);
      in.remove_prefix(take);
      const int flush = last ? Z_FINISH : Z_NO_FLUSH;
      int rc = Z_OK;
      do {
        const size_t room = std::max<size_t>(z.avail_in / 2 + 1024, 16 << 10);
        const size_t at = out->size();
        out->resize(at + room);
        z.next_out = reinterpret_cast<Bytef*>(out->data() + at);
        z.avail_out = static_cast<uInt>(room);
        rc = deflate(&z, flush);
        out->resize(at + room - z.avail_out);
        if (rc == Z_STREAM_ERROR) return InternalError("zlib deflate failed");
      } while (z.avail_out == 0 || (last && rc != Z_STREAM_END) ||
               z.avail_in > 0);
    } while (!in.empty());
  }
  return Status::Ok();
}

StatusOr<InflatedMember> InflateMember(std::string_view input,
                                       size_t max_bytes) {
  z_stream z = {};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) {
    return InternalError("zlib inflateInit2 failed");
  }
  InflatedMember out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  // A member longer than 4 GiB compressed is not read (uInt counts).
  z.avail_in = static_cast<uInt>(
      std::min<size_t>(input.size(), std::numeric_limits<uInt>::max()));
  int rc = Z_OK;
  Status error;
  while (true) {
    if (out.data.size() >= max_bytes + 1) {
      error = Status(Code::kResourceExhausted,
                     "the record inflates to more than " +
                         std::to_string(max_bytes) + " bytes");
      break;
    }
    const size_t at = out.data.size();
    const size_t room = std::min(kInflateStep, max_bytes + 1 - at);
    out.data.resize(at + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data.data() + at);
    z.avail_out = static_cast<uInt>(room);
    rc = inflate(&z, Z_NO_FLUSH);
    out.data.resize(at + room - z.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR) {
      error = Status(Code::kDataLoss,
                     std::string("corrupt gzip member (") +
                         (z.msg != nullptr ? z.msg : "bad data") + ")");
      break;
    }
    if (rc == Z_MEM_ERROR) {
      error = InternalError("zlib inflate: out of memory");
      break;
    }
    if (z.avail_in == 0 && z.avail_out > 0) {
      error = Status(Code::kDataLoss,
                     "truncated gzip member (the file ends inside it)");
      break;
    }
  }
  out.compressed_size = input.size() - z.avail_in;
  inflateEnd(&z);
  if (!error.ok()) return error;
  return out;
}

}  // namespace crawler::warc
