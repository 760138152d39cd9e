#include "crawler/metrics/listen_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace crawler::metrics {
namespace {

constexpr char kExpected[] =
    "expected PORT, :PORT, IPV4:PORT or [IPV6]:PORT (e.g. 9464, "
    "127.0.0.1:9464, [::1]:9464; port 0 picks a free one)";

StatusOr<int> ParsePort(std::string_view text, std::string_view whole) {
  if (text.empty() || text.size() > 5) {
    return InvalidArgumentError("bad port in '" + std::string(whole) +
                                "': " + kExpected);
  }
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return InvalidArgumentError("bad port in '" + std::string(whole) +
                                  "': " + kExpected);
    }
    port = port * 10 + (c - '0');
  }
  if (port > 65535) {
    return InvalidArgumentError("port " + std::string(text) +
                                " is over 65535 in '" + std::string(whole) +
                                "'");
  }
  return port;
}

}  // namespace

StatusOr<ListenAddress> ParseListenAddress(std::string_view text) {
  ListenAddress address;
  if (text.empty())
    return InvalidArgumentError(std::string("empty value: ") + kExpected);
  std::string_view host;
  std::string_view port;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() ||
        text[close + 1] != ':') {
      return InvalidArgumentError("bad address '" + std::string(text) +
                                  "': " + kExpected);
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    in6_addr v6;
    const std::string h(host);
    if (::inet_pton(AF_INET6, h.c_str(), &v6) != 1) {
      return InvalidArgumentError("bad IPv6 address '" + h + "' in '" +
                                  std::string(text) + "'");
    }
    address.host = h;
    address.loopback = IN6_IS_ADDR_LOOPBACK(&v6);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      port = text;  // A port alone.
    } else {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (host.find(':') != std::string_view::npos) {
        return InvalidArgumentError("bad address '" + std::string(text) +
                                    "': an IPv6 address goes in brackets, "
                                    "e.g. [::1]:9464");
      }
    }
    if (!host.empty() && host != "localhost") {
      in_addr v4;
      const std::string h(host);
      if (::inet_pton(AF_INET, h.c_str(), &v4) != 1) {
        return InvalidArgumentError(
            "'" + h +
            "' is not an IP address: write the address to listen "
            "on (127.0.0.1, 0.0.0.0, [::1], ...), not a host name");
      }
      address.host = h;
      address.loopback = (ntohl(v4.s_addr) >> 24) == 127;
    }
  }
  ASSIGN_OR_RETURN(address.port, ParsePort(port, text));
  return address;
}

std::string FormatHostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

}  // namespace crawler::metrics
