#include "crawler/fetch/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::fetch {
namespace {

// A socket address for a numeric IPv4 or IPv6 address and a port.
sockaddr_storage Sa(const std::string& address, int port) {
  sockaddr_storage ss;
  std::memset(&ss, 0, sizeof(ss));
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  if (inet_pton(AF_INET, address.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(port));
    return ss;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  REQUIRE_MESSAGE(inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr) == 1,
                  address);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(static_cast<uint16_t>(port));
  return ss;
}

const sockaddr* Ptr(const sockaddr_storage& ss) {
  return reinterpret_cast<const sockaddr*>(&ss);
}

// The refused range of a numeric address ("" when allowed).
std::string RangeOf(const std::string& address) {
  in_addr v4;
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    return BlockedIpv4Range(ntohl(v4.s_addr));
  }
  in6_addr v6;
  REQUIRE_MESSAGE(inet_pton(AF_INET6, address.c_str(), &v6) == 1, address);
  return BlockedIpv6Range(v6);
}

struct RangeCase {
  const char* address;
  // The range the address is refused as (a prefix of the text is enough:
  // "loopback" for "loopback 127.0.0.0/8"); "" when it is allowed.
  const char* range;
};

// Every refused range (RFC 6890, the IANA special-purpose registries), at
// its first and last address, and the ordinary addresses just outside.
TEST_CASE("IPv4: every special-purpose range, first and last address") {
  const RangeCase cases[] = {
      {"0.0.0.0", "this network 0.0.0.0/8"},
      {"0.255.255.255", "this network"},
      {"1.0.0.0", ""},
      {"9.255.255.255", ""},
      {"10.0.0.0", "private-use 10.0.0.0/8"},
      {"10.255.255.255", "private-use 10.0.0.0/8"},
      {"11.0.0.0", ""},
      {"100.63.255.255", ""},
      {"100.64.0.0", "shared address space (CGNAT) 100.64.0.0/10"},
      {"100.127.255.255", "shared address space"},
      {"100.128.0.0", ""},
      {"126.255.255.255", ""},
      {"127.0.0.0", "loopback 127.0.0.0/8"},
      {"127.0.0.1", "loopback"},
      {"127.0.0.2", "loopback"},
      {"127.255.255.255", "loopback"},
      {"128.0.0.0", ""},
      {"169.253.255.255", ""},
      {"169.254.0.0", "link-local 169.254.0.0/16"},
      {"169.254.169.254", "link-local"},  // Cloud metadata.
      {"169.254.255.255", "link-local"},
      {"169.255.0.0", ""},
      {"172.15.255.255", ""},
      {"172.16.0.0", "private-use 172.16.0.0/12"},
      {"172.31.255.255", "private-use 172.16.0.0/12"},
      {"172.32.0.0", ""},
      {"191.255.255.255", ""},
      {"192.0.0.0", "IETF protocol assignments 192.0.0.0/24"},
      {"192.0.0.255", "IETF protocol assignments"},
      {"192.0.1.0", ""},
      {"192.0.2.0", "documentation (TEST-NET-1) 192.0.2.0/24"},
      {"192.0.2.255", "documentation (TEST-NET-1)"},
      {"192.0.3.0", ""},
      {"192.167.255.255", ""},
      {"192.168.0.0", "private-use 192.168.0.0/16"},
      {"192.168.255.255", "private-use 192.168.0.0/16"},
      {"192.169.0.0", ""},
      {"198.17.255.255", ""},
      {"198.18.0.0", "benchmarking 198.18.0.0/15"},
      {"198.19.255.255", "benchmarking"},
      {"198.20.0.0", ""},
      {"198.51.99.255", ""},
      {"198.51.100.0", "documentation (TEST-NET-2) 198.51.100.0/24"},
      {"198.51.100.255", "documentation (TEST-NET-2)"},
      {"198.51.101.0", ""},
      {"203.0.112.255", ""},
      {"203.0.113.0", "documentation (TEST-NET-3) 203.0.113.0/24"},
      {"203.0.113.255", "documentation (TEST-NET-3)"},
      {"203.0.114.0", ""},
      {"223.255.255.255", ""},
      {"224.0.0.0", "multicast 224.0.0.0/4"},
      {"239.255.255.255", "multicast"},
      {"240.0.0.0", "reserved 240.0.0.0/4"},
      {"255.255.255.254", "reserved"},
      {"255.255.255.255", "limited broadcast 255.255.255.255/32"},
      {"8.8.8.8", ""},
      {"93.184.216.34", ""},
  };
  for (const RangeCase& c : cases) {
    const std::string got = RangeOf(c.address);
    INFO(c.address, " -> '", got, "'");
    if (std::string(c.range).empty()) {
      CHECK(got.empty());
    } else {
      CHECK(got.rfind(c.range, 0) == 0);
    }
  }
}

TEST_CASE("IPv6: every special-purpose range; embedded IPv4 judged by itself") {
  const RangeCase cases[] = {
      {"::", "unspecified ::/128"},
      {"::1", "loopback ::1/128"},
      {"::2", "IPv4-compatible (deprecated) ::/96"},
      {"::127.0.0.1", "IPv4-compatible"},
      {"::8.8.8.8", "IPv4-compatible"},
      {"::ffff:255.255.255.255",
       "IPv4-mapped ::ffff:0:0/96 embedding limited broadcast"},
      {"::ffff:127.0.0.1", "IPv4-mapped ::ffff:0:0/96 embedding loopback"},
      {"::ffff:10.1.2.3", "IPv4-mapped ::ffff:0:0/96 embedding private-use"},
      {"::ffff:169.254.169.254", "IPv4-mapped ::ffff:0:0/96 embedding link"},
      {"::ffff:198.18.0.1", "IPv4-mapped ::ffff:0:0/96 embedding bench"},
      {"::ffff:8.8.8.8", ""},
      {"64:ff9b::", "NAT64 64:ff9b::/96 embedding this network"},
      {"64:ff9b::7f00:1", "NAT64 64:ff9b::/96 embedding loopback"},
      {"64:ff9b::a9fe:a9fe", "NAT64 64:ff9b::/96 embedding link-local"},
      {"64:ff9b::c0a8:101", "NAT64 64:ff9b::/96 embedding private-use"},
      {"64:ff9b::e000:1", "NAT64 64:ff9b::/96 embedding multicast"},
      {"64:ff9b::808:808", ""},
      {"64:ff9b::ffff:ffff", "NAT64 64:ff9b::/96 embedding limited"},
      {"64:ff9b:1::", "local-use NAT64 64:ff9b:1::/48"},
      {"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "local-use NAT64"},
      {"100::", "discard-only 100::/64"},
      {"100::ffff:ffff:ffff:ffff", "discard-only"},
      {"2001::", "Teredo 2001::/32"},
      {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"},
      {"2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "Teredo"},
      {"2001:1::1", ""},  // PCP anycast: globally reachable.
      {"2001:2::", "benchmarking 2001:2::/48"},
      {"2001:2:0:ffff:ffff:ffff:ffff:ffff", "benchmarking"},
      {"2001:db8::", "documentation 2001:db8::/32"},
      {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation 2001:db8"},
      {"2001:db9::1", ""},
      {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", ""},
      {"2002::", "6to4 2002::/16 embedding this network"},
      {"2002:7f00:1::", "6to4 2002::/16 embedding loopback"},
      {"2002:a00:1::1", "6to4 2002::/16 embedding private-use"},
      {"2002:c0a8:101::1", "6to4 2002::/16 embedding private-use"},
      {"2002:a9fe:a9fe::", "6to4 2002::/16 embedding link-local"},
      {"2002:808:808::1", ""},
      {"2002:ffff:ffff::", "6to4 2002::/16 embedding limited"},
      {"2003::1", ""},
      {"3fff::", "documentation 3fff::/20"},
      {"3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "documentation 3fff"},
      {"3fff:1000::", ""},
      {"fc00::", "unique local fc00::/7"},
      {"fd12:3456::1", "unique local"},
      {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local"},
      {"fe80::", "link-local fe80::/10"},
      {"fe80::1", "link-local"},
      {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local"},
      {"fec0::", "site-local (deprecated) fec0::/10"},
      {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "site-local"},
      {"ff00::", "multicast ff00::/8"},
      {"ff02::1", "multicast"},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast"},
      {"2606:4700:4700::1111", ""},
      {"2a00:1450:4001:800::200e", ""},
  };
  for (const RangeCase& c : cases) {
    const std::string got = RangeOf(c.address);
    INFO(c.address, " -> '", got, "'");
    if (std::string(c.range).empty()) {
      CHECK(got.empty());
    } else {
      CHECK(got.rfind(c.range, 0) == 0);
    }
  }
}

TEST_CASE("ParseAddressRule: CIDR and CIDR:PORT, IPv6 in brackets") {
  struct Case {
    const char* entry;
    bool ipv6;
    const char* network;
    int prefix_length;
    int port;
  };
  const Case cases[] = {
      {"127.0.0.1", false, "127.0.0.1", 32, 0},
      {"127.0.0.1:8080", false, "127.0.0.1", 32, 8080},
      {"10.0.0.0/8", false, "10.0.0.0", 8, 0},
      {"10.0.0.0/8:443", false, "10.0.0.0", 8, 443},
      {"172.16.0.0/12:1", false, "172.16.0.0", 12, 1},
      {"0.0.0.0/0", false, "0.0.0.0", 0, 0},
      {"192.168.1.255/32:65535", false, "192.168.1.255", 32, 65535},
      {"::1", true, "::1", 128, 0},
      {"[::1]", true, "::1", 128, 0},
      {"[::1]:8080", true, "::1", 128, 8080},
      {"fd00::/8", true, "fd00::", 8, 0},
      {"[fd00::/8]:443", true, "fd00::", 8, 443},
      {"::/0", true, "::", 0, 0},
      {"::ffff:127.0.0.1", true, "::ffff:127.0.0.1", 128, 0},
      {"::1:80", true, "::1:80", 128, 0},  // Unbracketed: never a port.
  };
  for (const Case& c : cases) {
    INFO(c.entry);
    StatusOr<AddressRule> rule = ParseAddressRule(c.entry);
    REQUIRE_OK(rule.status());
    CHECK(rule->ipv6 == c.ipv6);
    CHECK(rule->prefix_length == c.prefix_length);
    CHECK(rule->port == c.port);
    std::array<uint8_t, 16> want{};
    REQUIRE(inet_pton(c.ipv6 ? AF_INET6 : AF_INET, c.network, want.data()) ==
            1);
    CHECK(rule->network == want);
  }
}

TEST_CASE("ParseAddressRule refuses malformed entries, naming them") {
  struct Case {
    const char* entry;
    const char* why;
  };
  const Case cases[] = {
      {"", "empty"},
      {"127.0.0.1:", "missing port"},
      {"127.0.0.1:0", "port out of range"},
      {"127.0.0.1:65536", "port out of range"},
      {"127.0.0.1:123456", "port out of range"},
      {"127.0.0.1:80a", "bad port"},
      {"127.0.0.1:-1", "bad port"},
      {"127.1", "not a numeric"},
      {"0x7f.0.0.1", "not a numeric"},
      {"2130706433", "not a numeric"},
      {"localhost", "not a numeric"},
      {"localhost:80", "not a numeric"},
      {"10.0.0.1/8",
       "bits set past the prefix length (the network is "
       "10.0.0.0/8"},
      {"fd00::1/8", "the network is fd00::/8"},
      {"172.31.0.0/11", "the network is 172.0.0.0/11"},
      {"10.0.0.0/33", "prefix length over 32"},
      {"::1/129", "prefix length over 128"},
      {"10.0.0.0/", "missing prefix length"},
      {"10.0.0.0/x", "bad prefix length"},
      {"10.0.0.0/1234", "bad prefix length"},
      {"/8", "missing address"},
      {"[127.0.0.1]:80", "brackets are for IPv6"},
      {"[::1", "missing ']'"},
      {"[::1]80", "expected ':PORT' after ']'"},
      {"[::1]:", "missing port"},
      {"[]:80", "missing address"},
      {"::1%lo", "not a numeric"},
      {"1.2.3.4:5:6", "not a numeric"},
      {" 127.0.0.1", "not a numeric"},
  };
  for (const Case& c : cases) {
    INFO("'", c.entry, "'");
    StatusOr<AddressRule> rule = ParseAddressRule(c.entry);
    REQUIRE_FALSE(rule.ok());
    const std::string m = rule.status().message();
    INFO(m);
    CHECK(rule.status().code() == Code::kInvalidArgument);
    CHECK(m.find("'" + std::string(c.entry) + "'") != std::string::npos);
    CHECK(m.find(c.why) != std::string::npos);
    CHECK(m.find("e.g. '127.0.0.1:8080'") != std::string::npos);
  }
}

TEST_CASE("AddressRuleMatches: network, port, IPv4-mapped form") {
  struct Case {
    const char* rule;
    const char* address;
    int port;
    bool matches;
  };
  const Case cases[] = {
      {"127.0.0.1:8080", "127.0.0.1", 8080, true},
      {"127.0.0.1:8080", "127.0.0.1", 8081, false},
      {"127.0.0.1:8080", "127.0.0.2", 8080, false},
      {"127.0.0.1:8080", "::ffff:127.0.0.1", 8080, true},
      {"127.0.0.1:8080", "::ffff:127.0.0.1", 80, false},
      {"127.0.0.1:8080", "::127.0.0.1", 8080, false},      // Not mapped.
      {"127.0.0.1:8080", "64:ff9b::7f00:1", 8080, false},  // Another host.
      {"127.0.0.1", "127.0.0.1", 1, true},
      {"127.0.0.1", "127.0.0.1", 65535, true},
      {"127.0.0.0/8", "127.255.255.255", 80, true},
      {"127.0.0.0/8", "128.0.0.0", 80, false},
      {"172.16.0.0/12", "172.31.255.255", 80, true},
      {"172.16.0.0/12", "172.32.0.0", 80, false},
      {"172.16.0.0/12", "172.15.255.255", 80, false},
      {"10.0.0.0/8:443", "10.9.8.7", 443, true},
      {"10.0.0.0/8:443", "10.9.8.7", 80, false},
      {"0.0.0.0/0", "169.254.169.254", 80, true},
      {"0.0.0.0/0", "::1", 80, false},
      {"::1", "::1", 80, true},
      {"::1", "127.0.0.1", 80, false},
      {"[::1]:8080", "::1", 8080, true},
      {"[::1]:8080", "::1", 8081, false},
      {"fd00::/8", "fd12:3456::1", 80, true},
      {"fd00::/8", "fc00::1", 80, false},
      {"[fd00::/8]:443", "fdff::1", 443, true},
      {"[fd00::/8]:443", "fdff::1", 444, false},
      {"fe80::/10", "febf::1", 80, true},
      {"fe80::/10", "fec0::1", 80, false},
      {"::/0", "::ffff:127.0.0.1", 80, true},
      {"::/0", "127.0.0.1", 80, false},
  };
  for (const Case& c : cases) {
    INFO(c.rule, " vs ", c.address, " port ", c.port);
    StatusOr<AddressRule> rule = ParseAddressRule(c.rule);
    REQUIRE_OK(rule.status());
    const sockaddr_storage sa = Sa(c.address, c.port);
    CHECK(AddressRuleMatches(*rule, Ptr(sa)) == c.matches);
  }
  // Other families never match.
  sockaddr_storage unix_sa;
  std::memset(&unix_sa, 0, sizeof(unix_sa));
  unix_sa.ss_family = AF_UNIX;
  CHECK_FALSE(AddressRuleMatches(*ParseAddressRule("0.0.0.0/0"), Ptr(unix_sa)));
}

TEST_CASE("AddressPolicy: refuses special addresses unless allowed") {
  AddressPolicy none;
  CHECK(none.Refusal(Ptr(Sa("127.0.0.2", 8080))) ==
        "127.0.0.2 port 8080 (loopback 127.0.0.0/8)");
  CHECK(none.Refusal(Ptr(Sa("::ffff:10.0.0.1", 80))) ==
        "::ffff:10.0.0.1 port 80 (IPv4-mapped ::ffff:0:0/96 embedding "
        "private-use 10.0.0.0/8)");
  CHECK(none.Refusal(Ptr(Sa("8.8.8.8", 80))).empty());
  CHECK(none.Refusal(Ptr(Sa("2606:4700:4700::1111", 443))).empty());

  StatusOr<AddressPolicy> all = AddressPolicy::Create(true, {});
  REQUIRE_OK(all.status());
  CHECK(all->Refusal(Ptr(Sa("127.0.0.2", 8080))).empty());
  CHECK(all->Refusal(Ptr(Sa("169.254.169.254", 80))).empty());

  StatusOr<AddressPolicy> some =
      AddressPolicy::Create(false, {"127.0.0.1:8080", "[::1]:8080"});
  REQUIRE_OK(some.status());
  CHECK(some->Refusal(Ptr(Sa("127.0.0.1", 8080))).empty());
  CHECK(some->Refusal(Ptr(Sa("::1", 8080))).empty());
  CHECK(some->Refusal(Ptr(Sa("::ffff:127.0.0.1", 8080))).empty());
  CHECK(some->Refusal(Ptr(Sa("127.0.0.1", 8081))) ==
        "127.0.0.1 port 8081 (loopback 127.0.0.0/8)");
  CHECK(some->Refusal(Ptr(Sa("127.0.0.2", 8080))) ==
        "127.0.0.2 port 8080 (loopback 127.0.0.0/8)");
  CHECK(some->Refusal(Ptr(Sa("169.254.169.254", 8080))) ==
        "169.254.169.254 port 8080 (link-local 169.254.0.0/16)");
  CHECK(some->Refusal(Ptr(Sa("93.184.216.34", 80))).empty());

  // allow_private opens everything, the list notwithstanding.
  StatusOr<AddressPolicy> both =
      AddressPolicy::Create(true, {"127.0.0.1:8080"});
  REQUIRE_OK(both.status());
  CHECK(both->Refusal(Ptr(Sa("10.0.0.1", 22))).empty());

  StatusOr<AddressPolicy> bad =
      AddressPolicy::Create(false, {"127.0.0.1:8080", "10.0.0.1/8"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK(bad.status().message().find("'10.0.0.1/8'") != std::string::npos);
}

}  // namespace
}  // namespace crawler::fetch
