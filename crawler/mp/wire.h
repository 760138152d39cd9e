// Framed, versioned binary encoding for messages between processes.
//
// Every message starts with a two-byte header: the wire format version
// (kWireVersion) and a one-byte message type chosen by the caller. Fields
// follow in a fixed order: unsigned integers as LEB128 varints, signed ones
// zig-zag encoded, strings and byte blobs as a varint length plus the bytes.
// Nothing is ever copied as a raw struct, so a message never carries a
// pointer, and a reader checks every length against what is left, so corrupt
// or truncated input yields a DataLoss status instead of undefined behaviour.
//
// Thread-safety: Encoder and Decoder are plain values; one per thread.
#ifndef CRAWLER_MP_WIRE_H_
#define CRAWLER_MP_WIRE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::mp {

inline constexpr uint8_t kWireVersion = 1;

// Appends fields to a message buffer.
class Encoder {
 public:
  // Starts a message of the given type.
  explicit Encoder(uint8_t type);

  Encoder& U64(uint64_t v);
  Encoder& I64(int64_t v);
  Encoder& Bool(bool v) { return U64(v ? 1 : 0); }
  Encoder& Double(double v);
  Encoder& Bytes(std::string_view v);

  const std::string& data() const { return buf_; }
  std::string Take() { return std::move(buf_); }

 private:
  std::string buf_;
};

// Reads fields from a message in the order they were written.
class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data) {}

  // Reads the header. Fails with DataLoss when the version is not
  // kWireVersion or the type is not `expected_type`.
  Status Header(uint8_t expected_type);
  // Reads the header and returns the type (for dispatch on several types).
  StatusOr<uint8_t> AnyHeader();

  Status U64(uint64_t* v);
  Status I64(int64_t* v);
  Status Bool(bool* v);
  Status Double(double* v);
  Status Bytes(std::string* v);
  Status Int(int* v);  // An I64 that must fit an int.

  // OK when every byte was consumed (call last to reject trailing garbage).
  Status Done() const;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace crawler::mp

#endif  // CRAWLER_MP_WIRE_H_
