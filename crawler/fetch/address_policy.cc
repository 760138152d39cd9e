#include "crawler/fetch/address_policy.h"

#include <arpa/inet.h>

#include <cstring>
#include <utility>

namespace crawler::fetch {
namespace {

// IPv4 ranges refused by default: RFC 6890 and the IANA IPv4 Special-Purpose
// Address Registry (every entry that is not "globally reachable"), plus
// multicast and the reserved class E, which the registry leaves out. The
// most specific range comes first.
struct Ipv4Range {
  uint32_t base;  // Host byte order.
  int bits;
  const char* name;
};
constexpr Ipv4Range kIpv4Ranges[] = {
    {0x00000000, 8, "this network 0.0.0.0/8"},                       // RFC 791
    {0x0a000000, 8, "private-use 10.0.0.0/8"},                       // RFC 1918
    {0x64400000, 10, "shared address space (CGNAT) 100.64.0.0/10"},  // 6598
    {0x7f000000, 8, "loopback 127.0.0.0/8"},                         // RFC 1122
    {0xa9fe0000, 16, "link-local 169.254.0.0/16"},  // RFC 3927; cloud metadata
    {0xac100000, 12, "private-use 172.16.0.0/12"},  // RFC 1918
    {0xc0000000, 24, "IETF protocol assignments 192.0.0.0/24"},      // RFC 6890
    {0xc0000200, 24, "documentation (TEST-NET-1) 192.0.2.0/24"},     // RFC 5737
    {0xc0a80000, 16, "private-use 192.168.0.0/16"},                  // RFC 1918
    {0xc6120000, 15, "benchmarking 198.18.0.0/15"},                  // RFC 2544
    {0xc6336400, 24, "documentation (TEST-NET-2) 198.51.100.0/24"},  // 5737
    {0xcb007100, 24, "documentation (TEST-NET-3) 203.0.113.0/24"},   // 5737
    {0xe0000000, 4, "multicast 224.0.0.0/4"},                        // RFC 5771
    {0xffffffff, 32, "limited broadcast 255.255.255.255/32"},        // RFC 919
    {0xf0000000, 4, "reserved 240.0.0.0/4"},                         // RFC 1112
};

// How an IPv6 range relates to IPv4.
enum class Embeds {
  kNothing,     // Refused as a whole.
  kLastFour,    // Judged by the IPv4 address in bytes 12-15.
  kBytesTwoOn,  // Judged by the IPv4 address in bytes 2-5 (6to4).
};

// IPv6 ranges refused by default (or judged by their IPv4 address): RFC 6890
// and the IANA IPv6 Special-Purpose Address Registry, plus multicast. The
// most specific range comes first.
struct Ipv6Range {
  const char* prefix;  // Text form, parsed once.
  int bits;
  const char* name;
  Embeds embeds = Embeds::kNothing;
};
constexpr Ipv6Range kIpv6Ranges[] = {
    {"::", 128, "unspecified ::/128"},               // RFC 4291
    {"::1", 128, "loopback ::1/128"},                // RFC 4291
    {"::ffff:0:0", 96, "IPv4-mapped ::ffff:0:0/96",  // RFC 4291
     Embeds::kLastFour},
    {"::", 96, "IPv4-compatible (deprecated) ::/96"},            // RFC 4291
    {"64:ff9b::", 96, "NAT64 64:ff9b::/96", Embeds::kLastFour},  // RFC 6052
    {"64:ff9b:1::", 48, "local-use NAT64 64:ff9b:1::/48"},       // RFC 8215
    {"100::", 64, "discard-only 100::/64"},                      // RFC 6666
    {"2001::", 32, "Teredo 2001::/32"},                          // RFC 4380
    {"2001:2::", 48, "benchmarking 2001:2::/48"},                // RFC 5180
    {"2001:db8::", 32, "documentation 2001:db8::/32"},           // RFC 3849
    {"2002::", 16, "6to4 2002::/16", Embeds::kBytesTwoOn},       // RFC 3056
    {"3fff::", 20, "documentation 3fff::/20"},                   // RFC 9637
    {"fc00::", 7, "unique local fc00::/7"},                      // RFC 4193
    {"fe80::", 10, "link-local fe80::/10"},                      // RFC 4291
    {"fec0::", 10, "site-local (deprecated) fec0::/10"},         // RFC 3879
    {"ff00::", 8, "multicast ff00::/8"},                         // RFC 4291
};

// True when the first `bits` bits of `a` and `b` (each at least bits/8
// bytes, rounded up) are equal.
bool SamePrefix(const uint8_t* a, const uint8_t* b, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

uint32_t Ipv4At(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
         (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// The IPv4 address of an IPv4-mapped IPv6 address (::ffff:a.b.c.d), if it
// is one.
bool MappedIpv4(const in6_addr& a, uint32_t* v4) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0,    0,
                                          0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.s6_addr, kMapped, sizeof(kMapped)) != 0) return false;
  *v4 = Ipv4At(a.s6_addr + 12);
  return true;
}

std::string FormatAddress(int family, const void* bytes) {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(family, bytes, text, sizeof(text));
  return text;
}

}  // namespace

std::string BlockedIpv4Range(uint32_t address) {
  for (const Ipv4Range& r : kIpv4Ranges) {
    const uint32_t mask = r.bits == 0 ? 0 : ~uint32_t{0} << (32 - r.bits);
    if ((address & mask) == r.base) return r.name;
  }
  return "";
}

std::string BlockedIpv6Range(const in6_addr& address) {
  struct Parsed {
    in6_addr prefix;
    const Ipv6Range* range;
  };
  static const std::vector<Parsed> kParsed = [] {
    std::vector<Parsed> out;
    for (const Ipv6Range& r : kIpv6Ranges) {
      Parsed p{};
      inet_pton(AF_INET6, r.prefix, &p.prefix);
      p.range = &r;
      out.push_back(p);
    }
    return out;
  }();
  for (const Parsed& p : kParsed) {
    if (!SamePrefix(address.s6_addr, p.prefix.s6_addr, p.range->bits)) {
      continue;
    }
    if (p.range->embeds == Embeds::kNothing) return p.range->name;
    const uint8_t* v4 = p.range->embeds == Embeds::kLastFour
                            ? address.s6_addr + 12
                            : address.s6_addr + 2;
    const std::string inner = BlockedIpv4Range(Ipv4At(v4));
    if (inner.empty()) return "";
    return std::string(p.range->name) + " embedding " + inner;
  }
  return "";
}

StatusOr<AddressRule> ParseAddressRule(std::string_view entry) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(
        "allowed address '" + std::string(entry) + "': " + why +
        " (expected CIDR or CIDR:PORT, e.g. '127.0.0.1:8080', '10.0.0.0/8', "
        "'[::1]:8080' or 'fd00::/8')");
  };
  if (entry.empty()) return bad("empty");
  std::string_view cidr = entry;
  std::string_view port;
  bool has_port = false;
  bool bracketed = false;
  if (entry.front() == '[') {
    const size_t close = entry.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    bracketed = true;
    cidr = entry.substr(1, close - 1);
    std::string_view rest = entry.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':PORT' after ']'");
      port = rest.substr(1);
      has_port = true;
    }
  } else if (entry.find(':') != std::string_view::npos &&
             entry.find(':') == entry.rfind(':')) {
    // One colon: IPv4 with a port (an IPv6 address has at least two).
    const size_t colon = entry.find(':');
    cidr = entry.substr(0, colon);
    port = entry.substr(colon + 1);
    has_port = true;
  }
  AddressRule rule;
  if (has_port) {
    if (port.empty()) return bad("missing port after ':'");
    if (port.size() > 5) return bad("port out of range 1-65535");
    int p = 0;
    for (char c : port) {
      if (c < '0' || c > '9')
        return bad("bad port '" + std::string(port) + "'");
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return bad("port out of range 1-65535");
    rule.port = p;
  }
  std::string_view address = cidr;
  std::string_view prefix;
  const size_t slash = cidr.find('/');
  if (slash != std::string_view::npos) {
    address = cidr.substr(0, slash);
    prefix = cidr.substr(slash + 1);
    if (prefix.empty()) return bad("missing prefix length after '/'");
  }
  const std::string text(address);
  if (text.empty()) return bad("missing address");
  if (inet_pton(AF_INET, text.c_str(), rule.network.data()) == 1) {
    if (bracketed) return bad("brackets are for IPv6 addresses only");
    rule.ipv6 = false;
  } else if (inet_pton(AF_INET6, text.c_str(), rule.network.data()) == 1) {
    rule.ipv6 = true;
  } else {
    return bad("'" + text + "' is not a numeric IPv4 or IPv6 address");
  }
  const int max_bits = rule.ipv6 ? 128 : 32;
  rule.prefix_length = max_bits;
  if (!prefix.empty()) {
    if (prefix.size() > 3) return bad("bad prefix length");
    int bits = 0;
    for (char c : prefix) {
      if (c < '0' || c > '9') return bad("bad prefix length");
      bits = bits * 10 + (c - '0');
    }
    if (bits > max_bits) {
      return bad("prefix length over " + std::to_string(max_bits));
    }
    rule.prefix_length = bits;
  }
  // Refuse bits past the prefix: "10.0.0.1/8" is most likely a typo for a
  // single address or for the network; say which network it would be.
  std::array<uint8_t, 16> masked{};
  const int bits = rule.prefix_length;
  std::memcpy(masked.data(), rule.network.data(), bits / 8);
  if (bits % 8 != 0) {
    masked[bits / 8] =
        static_cast<uint8_t>(rule.network[bits / 8] & (0xff << (8 - bits % 8)));
  }
  if (masked != rule.network) {
    const std::string net =
        FormatAddress(rule.ipv6 ? AF_INET6 : AF_INET, masked.data()) + "/" +
        std::to_string(bits);
    return bad("bits set past the prefix length (the network is " + net +
               "; for the single address leave out '/" + std::to_string(bits) +
               "')");
  }
  return rule;
}

bool AddressRuleMatches(const AddressRule& rule, const sockaddr* address) {
  int port = 0;
  const uint8_t* bytes = nullptr;
  uint8_t v4[4];
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    if (rule.ipv6) return false;
    std::memcpy(v4, &in->sin_addr, 4);
    bytes = v4;
    port = ntohs(in->sin_port);
  } else if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    port = ntohs(in6->sin6_port);
    uint32_t mapped = 0;
    if (rule.ipv6) {
      bytes = in6->sin6_addr.s6_addr;
    } else if (MappedIpv4(in6->sin6_addr, &mapped)) {
      bytes = in6->sin6_addr.s6_addr + 12;
    } else {
      return false;
    }
  } else {
    return false;
  }
  if (rule.port != 0 && rule.port != port) return false;
  return SamePrefix(bytes, rule.network.data(), rule.prefix_length);
}

StatusOr<AddressPolicy> AddressPolicy::Create(
    bool allow_private, const std::vector<std::string>& allowed) {
  AddressPolicy policy;
  policy.allow_all_ = allow_private;
  for (const std::string& entry : allowed) {
    ASSIGN_OR_RETURN(AddressRule rule, ParseAddressRule(entry));
    policy.rules_.push_back(rule);
  }
  return policy;
}

std::string AddressPolicy::Refusal(const sockaddr* address) const {
  if (allow_all_) return "";
  std::string range;
  std::string text;
  int port = 0;
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    range = BlockedIpv4Range(ntohl(in->sin_addr.s_addr));
    if (range.empty()) return "";
    text = FormatAddress(AF_INET, &in->sin_addr);
    port = ntohs(in->sin_port);
  } else if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    range = BlockedIpv6Range(in6->sin6_addr);
    if (range.empty()) return "";
    text = FormatAddress(AF_INET6, &in6->sin6_addr);
    port = ntohs(in6->sin6_port);
  } else {
    return "";
  }
  for (const AddressRule& rule : rules_) {
    if (AddressRuleMatches(rule, address)) return "";
  }
  return text + " port " + std::to_string(port) + " (" + range + ")";
}

}  // namespace crawler::fetch
