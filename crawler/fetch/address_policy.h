// Address policy: which addresses a fetcher may connect to (the SSRF guard).
//
// By default every address that is not an ordinary, globally reachable
// unicast address is refused: the special-purpose ranges of RFC 6890 as the
// IANA IPv4 and IPv6 Special-Purpose Address Registries list them (loopback,
// private-use, link-local, CGNAT, benchmarking, documentation, multicast,
// reserved, unique local, ...; the tables are in address_policy.cc with the
// RFC of each range). IPv6 forms that carry an IPv4 address (IPv4-mapped,
// NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address.
//
// Two ways open refused addresses: FetchOptions::allow_private_addresses
// opens all of them; FetchOptions::allowed_addresses, an allow-list of
// networks with an optional port, opens only the addresses (and ports) it
// names. The fetcher applies the policy to the address it actually connects
// to (after DNS and --resolve overrides, on every redirect hop).
//
// Everything here is pure: no I/O, no global state.
//
// Thread-safety: free functions are thread-safe; an AddressPolicy is an
// immutable value once created.
#ifndef CRAWLER_FETCH_ADDRESS_POLICY_H_
#define CRAWLER_FETCH_ADDRESS_POLICY_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::fetch {

// The refused range that contains the IPv4 address `address` (host byte
// order), as "<name> <range>", e.g. "loopback 127.0.0.0/8"; "" when the
// address is an ordinary one that may be connected to.
std::string BlockedIpv4Range(uint32_t address);

// The same for an IPv6 address. An IPv4-mapped (::ffff:0:0/96), NAT64
// (64:ff9b::/96) or 6to4 (2002::/16) address is refused exactly when the
// IPv4 address inside it is, e.g. "6to4 2002::/16 embedding loopback
// 127.0.0.0/8"; Teredo (2001::/32) is refused as a whole.
std::string BlockedIpv6Range(const in6_addr& address);

// One FetchOptions::allowed_addresses entry, parsed.
struct AddressRule {
  bool ipv6 = false;
  // The network address, its bits past prefix_length zero (network byte
  // order; an IPv4 address in the first four bytes).
  std::array<uint8_t, 16> network{};
  // 0-32 for IPv4, 0-128 for IPv6.
  int prefix_length = 0;
  // 1-65535; 0 for any port.
  int port = 0;
};

// Parses an allow-list entry, one of:
//   ADDRESS[/PREFIX]          any port: "127.0.0.1", "10.0.0.0/8", "::1",
//                             "fd00::/8"
//   IPV4[/PREFIX]:PORT        "127.0.0.1:8080", "10.0.0.0/8:443"
//   [IPV6[/PREFIX]]:PORT      "[::1]:8080", "[fd00::/8]:443"
//   [IPV6[/PREFIX]]           the same as without the brackets
// Addresses are numeric (IPv4 in four decimal parts, no names, no short,
// hexadecimal or octal forms); an IPv6 address with a port must be in
// brackets (an unbracketed one never has a port). Without /PREFIX the entry
// is the single address (/32, /128). The address must have no bits set past
// the prefix: "10.0.0.1/8" is refused, and the message names "10.0.0.0/8".
// Fails with kInvalidArgument naming the entry, what is wrong and an example.
StatusOr<AddressRule> ParseAddressRule(std::string_view entry);

// True when the socket address `address` (AF_INET or AF_INET6; any other
// family never matches) is in the rule's network and, when the rule names a
// port, on that port. An IPv4 rule also matches the IPv4-mapped IPv6 form
// (::ffff:a.b.c.d) of its addresses, which reaches the same host.
bool AddressRuleMatches(const AddressRule& rule, const sockaddr* address);

// What a fetcher may connect to: every ordinary address; a refused one (see
// BlockedIpv4Range, BlockedIpv6Range) only when allow_private is set or an
// allow-list rule matches it.
class AddressPolicy {
 public:
  // Refuses every special-purpose address.
  AddressPolicy() = default;

  // `allowed` holds FetchOptions::allowed_addresses entries. Fails like
  // ParseAddressRule on the first malformed one.
  static StatusOr<AddressPolicy> Create(
      bool allow_private, const std::vector<std::string>& allowed);

  // "" when a connection to `address` is allowed (non-IP families always
  // are); otherwise the address, its port and the refused range, for an
  // error message: "127.0.0.2 port 8080 (loopback 127.0.0.0/8)".
  std::string Refusal(const sockaddr* address) const;

 private:
  bool allow_all_ = false;
  std::vector<AddressRule> rules_;
};

}  // namespace crawler::fetch

#endif  // CRAWLER_FETCH_ADDRESS_POLICY_H_
