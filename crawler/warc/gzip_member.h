// gzip members (RFC 1952) one at a time: the compression of a .warc.gz
// file, where each record is its own member (WARC 1.1 Annex A,
// "Record-at-time compression"), so that any record can be read from its
// offset alone.
//
// Members are written with libdeflate, which compresses HTML at level 1
// about as well as zlib's default level 6 and several times faster (on the
// benchmark site's pages: ratio 0.37 for both; 74 against 303 us a 15 KB
// page), which keeps --warc within its cost budget. They are read with
// zlib, whose streaming inflate finds where a member ends.
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

// Compresses byte sequences into gzip members, reusing one compressor.
class GzipCompressor {
 public:
  // `level`: libdeflate level 1 (fastest) to 12 (smallest), or 0 (stored
  // blocks: a valid member, not compressed). Fails with
  // InvalidArgument for a bad level and Internal when libdeflate cannot
  // allocate its compressor.
  static StatusOr<std::unique_ptr<GzipCompressor>> Create(int level);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  // Appends to `out` one gzip member holding the concatenation of
  // `pieces` (copied together first when there are several). Fails with
  // Internal when libdeflate reports an error.
  Status Compress(const std::vector<std::string_view>& pieces,
                  std::string* out);

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
