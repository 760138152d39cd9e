// Codec<T>: how a value crosses a process boundary through mp/wire.h.
//
// Specialisations exist for integers, bool, double, std::string and
// std::vector / std::pair of those. For your own type, specialise
// crawler::mp::Codec with
//   static void Encode(const T& value, Encoder& e);
//   static Status Decode(Decoder& d, T* value);
// writing fields explicitly (never memcpy a struct).
#ifndef CRAWLER_MP_CODEC_H_
#define CRAWLER_MP_CODEC_H_

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/mp/wire.h"

namespace crawler::mp {

template <typename T, typename Enable = void>
struct Codec;

template <typename T>
struct Codec<
    T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static void Encode(const T& v, Encoder& e) {
    if constexpr (std::is_signed_v<T>) {
      e.I64(v);
    } else {
      e.U64(v);
    }
  }
  static Status Decode(Decoder& d, T* v) {
    if constexpr (std::is_signed_v<T>) {
      int64_t w;
      RETURN_IF_ERROR(d.I64(&w));
      *v = static_cast<T>(w);
    } else {
      uint64_t w;
      RETURN_IF_ERROR(d.U64(&w));
      *v = static_cast<T>(w);
    }
    return Status::Ok();
  }
};

template <>
struct Codec<bool> {
  static void Encode(const bool& v, Encoder& e) { e.Bool(v); }
  static Status Decode(Decoder& d, bool* v) { return d.Bool(v); }
};

template <>
struct Codec<double> {
  static void Encode(const double& v, Encoder& e) { e.Double(v); }
  static Status Decode(Decoder& d, double* v) { return d.Double(v); }
};

template <>
struct Codec<std::string> {
  static void Encode(const std::string& v, Encoder& e) { e.Bytes(v); }
  static Status Decode(Decoder& d, std::string* v) { return d.Bytes(v); }
};

template <typename T>
struct Codec<std::vector<T>> {
  static void Encode(const std::vector<T>& v, Encoder& e) {
    e.U64(v.size());
    for (const T& x : v) Codec<T>::Encode(x, e);
  }
  static Status Decode(Decoder& d, std::vector<T>* v) {
    uint64_t n;
    RETURN_IF_ERROR(d.U64(&n));
    v->clear();
    for (uint64_t i = 0; i < n; ++i) {
      T x{};
      RETURN_IF_ERROR(Codec<T>::Decode(d, &x));
      v->push_back(std::move(x));
    }
    return Status::Ok();
  }
};

template <typename A, typename B>
struct Codec<std::pair<A, B>> {
  static void Encode(const std::pair<A, B>& v, Encoder& e) {
    Codec<A>::Encode(v.first, e);
    Codec<B>::Encode(v.second, e);
  }
  static Status Decode(Decoder& d, std::pair<A, B>* v) {
    RETURN_IF_ERROR(Codec<A>::Decode(d, &v->first));
    return Codec<B>::Decode(d, &v->second);
  }
};

}  // namespace crawler::mp

#endif  // CRAWLER_MP_CODEC_H_
