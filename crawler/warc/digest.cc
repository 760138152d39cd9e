#include "crawler/warc/digest.h"

#include <openssl/evp.h>

#include <cstdint>

namespace crawler::warc {

std::string Base32(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((bytes.size() + 4) / 5 * 8);
  uint64_t bits = 0;
  int have = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    have += 8;
    while (have >= 5) {
      out.push_back(kAlphabet[(bits >> (have - 5)) & 31]);
      have -= 5;
    }
  }
  if (have > 0) out.push_back(kAlphabet[(bits << (5 - have)) & 31]);
  while (out.size() % 8 != 0) out.push_back('=');
  return out;
}

namespace {

// SHA-1, fetched from the default provider once (OpenSSL 3: an implicit
// fetch by EVP_sha1() at every EVP_DigestInit_ex costs a lookup each time).
const EVP_MD* Sha1Md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    return fetched != nullptr ? fetched : EVP_sha1();
  }();
  return md;
}

}  // namespace

struct Sha1::State {
  EVP_MD_CTX* ctx = nullptr;
  bool ok = false;
};

Sha1::Sha1() : state_(new State) {
  state_->ctx = EVP_MD_CTX_new();
  state_->ok = state_->ctx != nullptr &&
               EVP_DigestInit_ex(state_->ctx, Sha1Md(), nullptr) == 1;
}

Sha1::~Sha1() {
  EVP_MD_CTX_free(state_->ctx);
  delete state_;
}

void Sha1::Update(std::string_view data) {
  if (state_->ok && !data.empty()) {
    state_->ok = EVP_DigestUpdate(state_->ctx, data.data(), data.size()) == 1;
  }
}

std::string Sha1::Finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const bool ok =
      state_->ok && EVP_DigestFinal_ex(state_->ctx, md, &len) == 1 && len == 20;
  state_->ok = state_->ctx != nullptr &&
               EVP_DigestInit_ex(state_->ctx, Sha1Md(), nullptr) == 1;
  if (!ok) return "";
  return "sha1:" +
         Base32(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string Sha1Digest(std::string_view data) {
  Sha1 sha1;
  sha1.Update(data);
  return sha1.Finish();
}

}  // namespace crawler::warc
