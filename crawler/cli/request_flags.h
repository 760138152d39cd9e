// Command-line flags for the request options of fetch::FetchOptions, shared
// by `crawler fetch` and `crawler crawl` (docs/fetching.md):
//
//   -H, --header 'NAME: VALUE'   an extra header, to every host (repeatable)
//   --cookies                    cookie jars, one per host (off by default)
//   --proxy URL                  http, https, socks5 or socks5h proxy
//   --proxy-user-env VAR         proxy USER:PASSWORD from the environment
//   --noproxy LIST               hosts reached without the proxy
//   --auth ORIGIN=SCHEME:VAR     basic or bearer credentials from the
//                                environment, for one origin only
//
// Secrets never appear on the command line: --proxy-user-env and --auth name
// environment variables, which are read here, while the flags are parsed. A
// missing or malformed variable is a usage error that names the variable
// and never quotes its value.
#ifndef CRAWLER_CLI_REQUEST_FLAGS_H_
#define CRAWLER_CLI_REQUEST_FLAGS_H_

#include <functional>
#include <optional>
#include <string>

#include "crawler/base/status.h"
#include "crawler/fetch/fetch_options.h"

namespace crawler::cli {

// Reads an environment variable: its value, or nullopt when it is not set.
using EnvLookup =
    std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
std::optional<std::string> GetEnv(const std::string& name);

// If `flag` (without an inline "=value") is one of the request flags,
// parses it into *options and returns true: `value` gives the flag's value
// (and fails when there is none), `no_value` fails when a switch was given
// one. Returns false, consuming nothing, for any other flag. Fails with
// InvalidArgument naming the flag (and the environment variable) and what
// was expected.
StatusOr<bool> ParseRequestFlag(
    const std::string& flag,
    const std::function<StatusOr<std::string>()>& value,
    const std::function<Status()>& no_value, fetch::FetchOptions* options,
    const EnvLookup& env = GetEnv);

// Checks the request options once every flag is parsed: --proxy-user-env
// and --noproxy need --proxy, and the whole passes
// fetch::ValidateRequestOptions (values from a crawl file included).
Status CheckRequestFlags(const fetch::FetchOptions& options);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_REQUEST_FLAGS_H_
