#include "crawler/mp/wire.h"

#include <climits>
#include <cstring>

namespace crawler::mp {

Encoder::Encoder(uint8_t type) {
  buf_.reserve(64);
  buf_.push_back(static_cast<char>(kWireVersion));
  buf_.push_back(static_cast<char>(type));
}

Encoder& Encoder::U64(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<char>(v));
  return *this;
}

Encoder& Encoder::I64(int64_t v) {
  return U64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

Encoder& Encoder::Double(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return U64(bits);
}

Encoder& Encoder::Bytes(std::string_view v) {
  U64(v.size());
  buf_.append(v.data(), v.size());
  return *this;
}

StatusOr<uint8_t> Decoder::AnyHeader() {
  if (data_.size() < 2) {
    return DataLossError("message of " + std::to_string(data_.size()) +
                         " bytes is shorter than the 2-byte header");
  }
  uint8_t version = static_cast<uint8_t>(data_[0]);
  if (version != kWireVersion) {
    return DataLossError("wire version " + std::to_string(version) +
                         " not supported (expected " +
                         std::to_string(kWireVersion) +
                         "); are both processes the same build?");
  }
  pos_ = 2;
  return static_cast<uint8_t>(data_[1]);
}

Status Decoder::Header(uint8_t expected_type) {
  ASSIGN_OR_RETURN(uint8_t type, AnyHeader());
  if (type != expected_type) {
    return DataLossError("message type " + std::to_string(type) +
                         " where type " + std::to_string(expected_type) +
                         " was expected");
  }
  return Status::Ok();
}

Status Decoder::U64(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return DataLossError("truncated varint");
    uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return Status::Ok();
    }
  }
  return DataLossError("varint longer than 10 bytes");
}

Status Decoder::I64(int64_t* v) {
  uint64_t u;
  RETURN_IF_ERROR(U64(&u));
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return Status::Ok();
}

Status Decoder::Bool(bool* v) {
  uint64_t u;
  RETURN_IF_ERROR(U64(&u));
  if (u > 1) return DataLossError("bool field holds " + std::to_string(u));
  *v = u == 1;
  return Status::Ok();
}

Status Decoder::Double(double* v) {
  uint64_t bits;
  RETURN_IF_ERROR(U64(&bits));
  std::memcpy(v, &bits, sizeof bits);
  return Status::Ok();
}

Status Decoder::Int(int* v) {
  int64_t w;
  RETURN_IF_ERROR(I64(&w));
  if (w < INT_MIN || w > INT_MAX) {
    return DataLossError("int field out of range: " + std::to_string(w));
  }
  *v = static_cast<int>(w);
  return Status::Ok();
}

Status Decoder::Bytes(std::string* v) {
  uint64_t n;
  RETURN_IF_ERROR(U64(&n));
  if (n > data_.size() - pos_) {
    return DataLossError("string field of " + std::to_string(n) +
                         " bytes but only " +
                         std::to_string(data_.size() - pos_) + " left");
  }
  v->assign(data_.data() + pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status Decoder::Done() const {
  if (pos_ != data_.size()) {
    return DataLossError(std::to_string(data_.size() - pos_) +
                         " unexpected trailing bytes");
  }
  return Status::Ok();
}

}  // namespace crawler::mp
