// The hash of a page body that the crawl state keeps and compares between
// runs (revisit.h's Judge: an identical hash means unchanged). Pure
// functions, thread-safe.
//
// The default is XXH3's 128-bit hash (xxHash 0.8): change detection needs
// no cryptographic strength (whoever could forge a collision controls the
// page anyway), and on a CPU-bound crawl SHA-1 of every body cost about 4 %
// of the pages per second. States written before keep SHA-1 hashes
// ("sha1:..."); a URL with one is hashed with SHA-1 again (the coordinator
// asks its worker for the algorithm of the hash it holds), so an unchanged
// page stays unchanged across the switch.
#ifndef CRAWLER_STATE_CONTENT_HASH_H_
#define CRAWLER_STATE_CONTENT_HASH_H_

#include <string>
#include <string_view>

namespace crawler::state {

enum class HashAlgorithm {
  kXxh128,  // "xxh128:" + 32 lowercase hex digits (the default).
  kSha1,    // "sha1:" + 32 base32 digits (WARC's labelled digest).
};

// The labelled hash of `body`.
std::string ContentHash(std::string_view body,
                        HashAlgorithm algorithm = HashAlgorithm::kXxh128);

// The algorithm of a hash ContentHash returned, by its label; kXxh128 for
// "" and for any other label.
HashAlgorithm AlgorithmOf(std::string_view hash);

}  // namespace crawler::state

#endif  // CRAWLER_STATE_CONTENT_HASH_H_
