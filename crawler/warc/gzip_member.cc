#include "crawler/warc/gzip_member.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <limits>

namespace crawler::warc {
namespace {

// windowBits for inflateInit2: 15 (32 KiB window) + 16 (a gzip wrapper,
// not zlib's).
constexpr int kGzipWindowBits = 15 + 16;
// A scratch buffer grown past this (a big response) is not kept.
constexpr size_t kMaxScratchKept = 1 << 20;
// Output grows in steps of this many bytes while inflating.
constexpr size_t kInflateStep = 64 << 10;

}  // namespace

struct GzipCompressor::State {
  libdeflate_compressor* compressor = nullptr;
  // The pieces of a member, copied together (libdeflate takes one buffer).
  std::string scratch;
  ~State() { libdeflate_free_compressor(compressor); }
};

StatusOr<std::unique_ptr<GzipCompressor>> GzipCompressor::Create(int level) {
  if (level < 0 || level > 12) {
    return InvalidArgumentError("gzip level must be within 0 and 12");
  }
  std::unique_ptr<GzipCompressor> c(new GzipCompressor);
  c->state_ = std::make_unique<State>();
  c->state_->compressor = libdeflate_alloc_compressor(level);
  if (c->state_->compressor == nullptr) {
    return InternalError("libdeflate_alloc_compressor failed");
  }
  return c;
}

GzipCompressor::~GzipCompressor() = default;

Status GzipCompressor::Compress(const std::vector<std::string_view>& pieces,
                                std::string* out) {
  std::string_view in;
  if (pieces.size() == 1) {
    in = pieces[0];
  } else {
    std::string& s = state_->scratch;
    s.clear();
    for (std::string_view p : pieces) s.append(p);
    in = s;
  }
  const size_t bound =
      libdeflate_gzip_compress_bound(state_->compressor, in.size());
  const size_t at = out->size();
  out->resize(at + bound);
  const size_t n = libdeflate_gzip_compress(state_->compressor, in.data(),
                                            in.size(), out->data() + at, bound);
  if (n == 0) {
    out->resize(at);
    return InternalError("libdeflate_gzip_compress failed");
  }
  out->resize(at + n);
  if (state_->scratch.capacity() > kMaxScratchKept) {
    std::string().swap(state_->scratch);
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
