// gzip members (RFC 1952) one at a time: the compression of a .warc.gz
// file, where each record is its own member (WARC 1.1 Annex A,
// "Record-at-time compression"), so that any record can be read from its
// offset alone.
//
// Members are written with Intel ISA-L's igzip (isal_deflate_stateless),
// which uses AVX2/AVX-512 where the CPU has them and compresses HTML about
// twice as fast as libdeflate's level 1 (on the benchmark site's records: 17
// us a record at igzip level 0, ratio 0.46, against 44 us and 0.40). Level 0
// of this class is not igzip's level 0 (which still compresses) but stored
// blocks, written here, with zlib's CRC-32. Members are read with zlib,
// whose streaming inflate finds where a member ends.
//
// Thread-safety: GzipCompressor is NOT thread-safe (one compressor and a
// scratch buffer); InflateMember is a pure function.
#ifndef CRAWLER_WARC_GZIP_MEMBER_H_
#define CRAWLER_WARC_GZIP_MEMBER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::warc {

// The compression levels GzipCompressor takes: --warc-compression-level.
inline constexpr int kMinGzipLevel = 0;
inline constexpr int kMaxGzipLevel = 12;
// The default: igzip's fastest level.
inline constexpr int kDefaultGzipLevel = 1;

// The igzip level (0 fastest to 3 smallest) a compression level maps to: 1
// is igzip's level 0, 2 its level 1, 3 its level 2, and 4 to 12 its level 3
// (the range 1-12 is that of the libdeflate levels the flag took first, kept
// so that existing crawl files and scripts still work). -1 for level 0:
// stored, not compressed.
int IgzipLevelFor(int level);

// Compresses byte sequences into gzip members, reusing one compressor.
class GzipCompressor {
 public:
  // `level`: kMinGzipLevel to kMaxGzipLevel (IgzipLevelFor): 1 fastest, 4
  // to 12 smallest, 0 stored blocks (a valid member, not compressed). Fails
  // with InvalidArgument for a bad level.
  static StatusOr<std::unique_ptr<GzipCompressor>> Create(int level);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  // Appends to `out` one gzip member holding the concatenation of
  // `pieces` (copied together first when there are several and the level
  // compresses; stored members are written from the pieces directly).
  // Fails with Internal when igzip reports an error.
  Status Compress(const std::vector<std::string_view>& pieces,
                  std::string* out);
  // Appends to `out` one member of stored blocks holding the concatenation
  // of `pieces`, whatever the level: for bytes that are compressed already.
  void Store(const std::vector<std::string_view>& pieces, std::string* out);

 private:
  GzipCompressor() = default;
  struct State;
  std::unique_ptr<State> state_;
};

// One member inflated by InflateMember.
struct InflatedMember {
  // The uncompressed bytes.
  std::string data;
  // Bytes of `data`'s input the member took (its compressed size): the next
  // member starts there.
  size_t compressed_size = 0;
};

// Inflates the gzip member at the start of `input`. Fails with DataLoss
// when the member is cut short (the message says "truncated"), when its
// bytes are corrupt (bad header, bad deflate data, CRC or length mismatch;
// "corrupt"), and with ResourceExhausted when it inflates to more than
// `max_bytes`.
StatusOr<InflatedMember> InflateMember(std::string_view input,
                                       size_t max_bytes);

// True when `data` starts with the gzip magic bytes 1f 8b.
inline bool LooksGzipped(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_GZIP_MEMBER_H_
