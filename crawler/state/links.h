// The links a crawl state keeps per parsed page (issue 6: "vanished" URLs)
// and the walk over them at the end of a run.
//
// A page's links are kept as a BLOB of the 64-bit fingerprints
// (frontier::Fingerprint, FNV-1a + splitmix64, the seen-set's) of the
// normalized URLs it links to, sorted, without duplicates, 8 bytes each,
// little-endian. At the end of a run that reached everything it could, a
// breadth-first walk from the seeds over those links tells which URLs the
// site still links to; a URL with content before that the walk does not
// reach has vanished (docs/state.md, "Vanished URLs").
//
// Thread-safety: plain functions.
#ifndef CRAWLER_STATE_LINKS_H_
#define CRAWLER_STATE_LINKS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crawler::state {

// The fingerprint of a normalized URL, as kept in a links BLOB.
uint64_t LinkFingerprint(std::string_view url);

// The BLOB of `fingerprints` (sorted and deduplicated first).
std::string EncodeLinks(std::vector<uint64_t> fingerprints);

// The fingerprints of a BLOB made by EncodeLinks (a trailing partial entry
// is ignored).
std::vector<uint64_t> DecodeLinks(std::string_view blob);

// Which of `nodes` a breadth-first walk reaches from `roots` over `links`
// (links[i]: the BLOB of nodes[i], EncodeLinks). `nodes` are fingerprints;
// a root or a link that is not among them leads nowhere. Returns one flag
// per node (1: reached).
std::vector<char> Reach(const std::vector<uint64_t>& nodes,
                        const std::vector<std::string>& links,
                        const std::vector<uint64_t>& roots);

}  // namespace crawler::state

#endif  // CRAWLER_STATE_LINKS_H_
