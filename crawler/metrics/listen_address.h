// ListenAddress: where the metrics server listens (`--metrics ADDR:PORT`).
//
// Accepted forms:
//   PORT or :PORT         127.0.0.1:PORT (loopback unless told otherwise)
//   localhost:PORT        127.0.0.1:PORT
//   IPV4:PORT             e.g. 127.0.0.1:9464, 0.0.0.0:9464
//   [IPV6]:PORT           e.g. [::1]:9464, [::]:9464
// PORT is 0 to 65535; 0 asks the system for a free port (the crawler prints
// the one it got). Host names other than localhost are refused: the server
// listens on a non-loopback address only when that address is written out
// as an IP literal (then `loopback` is false and the crawler says so).
//
// Pure. Thread-safety: pure functions.
#ifndef CRAWLER_METRICS_LISTEN_ADDRESS_H_
#define CRAWLER_METRICS_LISTEN_ADDRESS_H_

#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::metrics {

struct ListenAddress {
  // An IP literal, without brackets ("127.0.0.1", "::1", "0.0.0.0").
  std::string host = "127.0.0.1";
  // TCP port; 0: any free port.
  int port = 0;
  // The host is a loopback address (127.0.0.0/8 or ::1).
  bool loopback = true;
};

// Parses a --metrics value. Fails with InvalidArgument saying what was
// expected.
StatusOr<ListenAddress> ParseListenAddress(std::string_view text);

// "127.0.0.1:9464", "[::1]:9464".
std::string FormatHostPort(const std::string& host, int port);

}  // namespace crawler::metrics

#endif  // CRAWLER_METRICS_LISTEN_ADDRESS_H_
