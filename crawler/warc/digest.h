// SHA-1 digests written as WARC writers label them: "sha1:" followed by the
// RFC 4648 base32 encoding of the 20-byte digest (WARC 1.1 sections 5.8
// WARC-Block-Digest and 5.9 WARC-Payload-Digest), computed with OpenSSL's
// libcrypto.
//
// Thread-safety: Sha1 is a value with its own state; use one per thread.
#ifndef CRAWLER_WARC_DIGEST_H_
#define CRAWLER_WARC_DIGEST_H_

#include <string>
#include <string_view>

namespace crawler::warc {

// RFC 4648 section 6 base32 (alphabet A-Z 2-7, '=' padding).
std::string Base32(std::string_view bytes);

// An incremental SHA-1.
class Sha1 {
 public:
  Sha1();
  ~Sha1();
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  // Adds `data` to the digest.
  void Update(std::string_view data);
  // "sha1:" + base32 of the digest of everything added since construction
  // or the last Finish(), then starts over. "" if libcrypto failed (out of
  // memory): callers leave the digest field out.
  std::string Finish();

 private:
  struct State;
  State* state_;
};

// The labelled digest of `data` in one call.
std::string Sha1Digest(std::string_view data);

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_DIGEST_H_
