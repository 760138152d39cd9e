#include "crawler/warc/gzip_member.h"

#include <immintrin.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
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

// The gzip header of a stored member (RFC 1952 section 2.3): magic, CM 8
// (deflate), no flags, MTIME 0 (none), XFL 0, OS 255 (unknown), as igzip
// writes its own.
constexpr unsigned char kStoredHeader[10] = {0x1f, 0x8b, 8, 0, 0,
                                             0,    0,    0, 0, 0xff};
// The most bytes one stored deflate block holds (RFC 1951 section 3.2.4).
constexpr size_t kMaxStoredBlock = 65535;

// The level buffer igzip needs at `igzip_level` (its "default" size, the
// one that compresses best at that level; level 0 needs none).
size_t LevelBufSize(int igzip_level) {
  switch (igzip_level) {
    case 1:
      return ISAL_DEF_LVL1_DEFAULT;
    case 2:
      return ISAL_DEF_LVL2_DEFAULT;
    case 3:
      return ISAL_DEF_LVL3_DEFAULT;
    default:
      return 0;
  }
}

void AppendLe32(std::string* out, uint32_t v) {
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8),
                     static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
  out->append(b, 4);
}

// ISA-L's deflate and CRC kernels use AVX2 and AVX-512 registers and return
// with their upper halves in use. Until a VZEROUPPER, every SSE instruction
// the process runs afterwards (the parser's and libc's code between two
// records) carries a false dependency on those upper halves (Intel 64 and
// IA-32 Architectures Optimization Reference Manual, "Mixing AVX code with
// SSE code"). Measured here: the crawl of crawl_bench.sh's site spent 0.6-0.7
// CPU s more with --warc (7.1 against 6.4 s, 19,001 pages) without the
// VZEROUPPER below; an earlier version used zlib's CRC-32 for stored members
// because ISA-L's appeared to slow the whole page down, which was this.
__attribute__((target("avx"))) void ZeroUpperAvx() { _mm256_zeroupper(); }

void LeaveVectorCode() {
  static const bool avx = __builtin_cpu_supports("avx");
  if (avx) ZeroUpperAvx();
}

// One member of stored deflate blocks holding the pieces, appended to
// `out`: a block per 64 KiB less one, the last one marked final (an empty
// input is one empty final block), then the CRC-32 (ISA-L's) and the
// length.
void AppendStoredMember(const std::vector<std::string_view>& pieces,
                        std::string* out) {
  size_t total = 0;
  for (std::string_view p : pieces) total += p.size();
  const size_t blocks =
      std::max<size_t>(1, (total + kMaxStoredBlock - 1) / kMaxStoredBlock);
  out->reserve(out->size() + sizeof(kStoredHeader) + blocks * 5 + total + 8);
  out->append(reinterpret_cast<const char*>(kStoredHeader),
              sizeof(kStoredHeader));
  uint32_t crc = 0;
  size_t left = total;
  size_t piece = 0;
  size_t at = 0;  // In pieces[piece].
  for (size_t b = 0; b < blocks; ++b) {
    const size_t len = std::min(left, kMaxStoredBlock);
    left -= len;
    // BFINAL and BTYPE 00 in the first three bits, the rest of the byte
    // padding; then LEN and NLEN, little-endian.
    const char head[5] = {
        static_cast<char>(left == 0 ? 1 : 0), static_cast<char>(len & 0xff),
        static_cast<char>(len >> 8), static_cast<char>(~len & 0xff),
        static_cast<char>((~len >> 8) & 0xff)};
    out->append(head, sizeof(head));
    size_t need = len;
    while (need > 0) {
      const std::string_view p = pieces[piece];
      const size_t n = std::min(need, p.size() - at);
      out->append(p.data() + at, n);
      crc = crc32_gzip_refl(
          crc, reinterpret_cast<const unsigned char*>(p.data() + at), n);
      need -= n;
      at += n;
      if (at == p.size()) {
        ++piece;
        at = 0;
      }
    }
  }
  LeaveVectorCode();
  AppendLe32(out, crc);
  AppendLe32(out, static_cast<uint32_t>(total));  // ISIZE: modulo 2^32.
}

}  // namespace

int IgzipLevelFor(int level) {
  if (level <= 0) return -1;
  return std::min(level, 4) - 1;
}

struct GzipCompressor::State {
  // igzip's level (0..3), or -1: stored.
  int igzip_level = -1;
  // igzip's working memory for levels 1 to 3.
  std::vector<uint8_t> level_buf;
  // The stream: large (igzip keeps its history and hash table in it), so
  // made once.
  isal_zstream stream;
  // The pieces of a member, copied together (igzip's stateless call takes
  // one buffer).
  std::string scratch;
};

StatusOr<std::unique_ptr<GzipCompressor>> GzipCompressor::Create(int level) {
  if (level < kMinGzipLevel || level > kMaxGzipLevel) {
    return InvalidArgumentError("gzip level must be within " +
                                std::to_string(kMinGzipLevel) + " and " +
                                std::to_string(kMaxGzipLevel));
  }
  std::unique_ptr<GzipCompressor> c(new GzipCompressor);
  c->state_ = std::make_unique<State>();
  c->state_->igzip_level = IgzipLevelFor(level);
  c->state_->level_buf.resize(LevelBufSize(c->state_->igzip_level));
  return c;
}

GzipCompressor::~GzipCompressor() = default;

Status GzipCompressor::Compress(const std::vector<std::string_view>& pieces,
                                std::string* out) {
  State& st = *state_;
  if (st.igzip_level < 0) {
    AppendStoredMember(pieces, out);
    return Status::Ok();
  }
  std::string_view in;
  if (pieces.size() == 1) {
    in = pieces[0];
  } else {
    std::string& s = st.scratch;
    s.clear();
    for (std::string_view p : pieces) s.append(p);
    in = s;
  }
  if (in.size() > std::numeric_limits<uint32_t>::max() / 2) {
    return InternalError("igzip: a member of more than 2 GiB");
  }
  // What igzip may write at most: the input as stored blocks, their
  // headers, the gzip header and trailer (isal_deflate_stateless), plus
  // room to spare.
  const size_t bound =
      in.size() + (in.size() / kMaxStoredBlock + 1) * 5 + 18 + 256;
  const size_t at = out->size();
  out->resize(at + bound);
  isal_zstream& z = st.stream;
  isal_deflate_stateless_init(&z);
  z.level = static_cast<uint32_t>(st.igzip_level);
  z.level_buf = st.level_buf.empty() ? nullptr : st.level_buf.data();
  z.level_buf_size = static_cast<uint32_t>(st.level_buf.size());
  z.gzip_flag = IGZIP_GZIP;
  z.end_of_stream = 1;
  z.flush = NO_FLUSH;
  z.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uint32_t>(in.size());
  z.next_out = reinterpret_cast<uint8_t*>(out->data() + at);
  z.avail_out = static_cast<uint32_t>(bound);
  const int rc = isal_deflate_stateless(&z);
  LeaveVectorCode();
  if (rc == STATELESS_OVERFLOW) {
    // Not expected (igzip falls back to stored blocks itself); stored
    // blocks of our own then.
    out->resize(at);
    AppendStoredMember({in}, out);
  } else if (rc != COMP_OK) {
    out->resize(at);
    return InternalError("igzip: isal_deflate_stateless failed (" +
                         std::to_string(rc) + ")");
  } else {
    out->resize(at + (bound - z.avail_out));
  }
  if (st.scratch.capacity() > kMaxScratchKept) {
    std::string().swap(st.scratch);
  }
  return Status::Ok();
}

void GzipCompressor::Store(const std::vector<std::string_view>& pieces,
                           std::string* out) {
  AppendStoredMember(pieces, out);
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
