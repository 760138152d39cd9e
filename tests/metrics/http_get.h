// HttpGet: one HTTP/1.0 GET on 127.0.0.1 over a plain socket, for tests that
// scrape the metrics server (so the client is not the code under test).
#ifndef TESTS_METRICS_HTTP_GET_H_
#define TESTS_METRICS_HTTP_GET_H_

#include <string>

#include "crawler/base/status.h"

namespace crawler::testing {

struct HttpResponse {
  int status = 0;
  std::string headers;  // The header block, lower-cased names.
  std::string body;
};

// GET http://127.0.0.1:<port><path>, waiting at most timeout_ms in all.
// Fails with Unavailable when nothing listens, DeadlineExceeded on timeout.
StatusOr<HttpResponse> HttpGet(int port, const std::string& path,
                               int timeout_ms = 5000);

}  // namespace crawler::testing

#endif  // TESTS_METRICS_HTTP_GET_H_
