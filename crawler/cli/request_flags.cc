#include "crawler/cli/request_flags.h"

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "crawler/fetch/request_options.h"

namespace crawler::cli {
namespace {

// A POSIX-style environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || c == '_' || (digit && i > 0))) return false;
  }
  return true;
}

// The value of the environment variable `name` for `flag`: fails when the
// name is malformed or the variable unset or empty.
StatusOr<std::string> ReadEnv(const std::string& flag, const std::string& name,
                              const EnvLookup& env) {
  if (!IsEnvName(name)) {
    return InvalidArgumentError(
        flag + ": '" + name +
        "' is not an environment variable name (letters, digits and '_', "
        "not starting with a digit)");
  }
  std::optional<std::string> v = env(name);
  if (!v.has_value()) {
    return InvalidArgumentError(flag + ": environment variable " + name +
                                " is not set");
  }
  if (v->empty()) {
    return InvalidArgumentError(flag + ": environment variable " + name +
                                " is empty");
  }
  return std::move(*v);
}

// --auth ORIGIN=SCHEME:VAR.
StatusOr<fetch::HostAuth> ParseAuthFlag(const std::string& v,
                                        const EnvLookup& env) {
  const size_t eq = v.find('=');
  const size_t colon = eq == std::string::npos ? eq : v.find(':', eq + 1);
  if (eq == std::string::npos || colon == std::string::npos) {
    return InvalidArgumentError(
        "--auth expects ORIGIN=SCHEME:VAR, e.g. "
        "'https://api.example.com=bearer:API_TOKEN' (SCHEME basic or bearer, "
        "VAR an environment variable), got '" +
        v + "'");
  }
  StatusOr<fetch::Origin> origin = fetch::ParseOrigin(v.substr(0, eq));
  if (!origin.ok()) return origin.status().WithContext("--auth");
  StatusOr<fetch::AuthScheme> scheme =
      fetch::ParseAuthScheme(v.substr(eq + 1, colon - eq - 1));
  if (!scheme.ok()) return scheme.status().WithContext("--auth");
  const std::string var = v.substr(colon + 1);
  ASSIGN_OR_RETURN(std::string secret, ReadEnv("--auth", var, env));
  Status ok = fetch::CheckAuthSecret(*scheme, secret);
  if (!ok.ok()) {
    return ok.WithContext("--auth: environment variable " + var);
  }
  fetch::HostAuth auth;
  auth.origin = fetch::FormatOrigin(*origin);
  auth.scheme = *scheme;
  auth.secret = std::move(secret);
  return auth;
}

}  // namespace

std::optional<std::string> GetEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

StatusOr<bool> ParseRequestFlag(
    const std::string& flag,
    const std::function<StatusOr<std::string>()>& value,
    const std::function<Status()>& no_value, fetch::FetchOptions* options,
    const EnvLookup& env) {
  if (flag == "-H" || flag == "--header") {
    ASSIGN_OR_RETURN(std::string v, value());
    StatusOr<std::string> header = fetch::ParseRequestHeader(v);
    if (!header.ok()) return header.status().WithContext(flag);
    if (options->headers.size() >= fetch::kMaxRequestHeaders) {
      return InvalidArgumentError(flag + ": at most " +
                                  std::to_string(fetch::kMaxRequestHeaders) +
                                  " extra headers");
    }
    options->headers.push_back(std::move(header).value());
  } else if (flag == "--cookies") {
    RETURN_IF_ERROR(no_value());
    options->cookies = true;
  } else if (flag == "--proxy") {
    ASSIGN_OR_RETURN(std::string v, value());
    Status ok = fetch::CheckProxyUrl(v);
    if (!ok.ok()) return ok.WithContext(flag);
    options->proxy = std::move(v);
  } else if (flag == "--proxy-user-env") {
    ASSIGN_OR_RETURN(std::string var, value());
    ASSIGN_OR_RETURN(std::string credentials, ReadEnv(flag, var, env));
    Status ok = fetch::CheckProxyCredentials(credentials);
    if (!ok.ok()) return ok.WithContext(flag + ": environment variable " + var);
    options->proxy_credentials = std::move(credentials);
  } else if (flag == "--noproxy") {
    ASSIGN_OR_RETURN(std::string v, value());
    size_t start = 0;
    while (true) {
      const size_t comma = v.find(',', start);
      const std::string entry = v.substr(start, comma - start);
      Status ok = fetch::CheckNoProxyEntry(entry);
      if (!ok.ok()) return ok.WithContext(flag);
      options->no_proxy.push_back(entry);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else if (flag == "--auth") {
    ASSIGN_OR_RETURN(std::string v, value());
    ASSIGN_OR_RETURN(fetch::HostAuth auth, ParseAuthFlag(v, env));
    for (const fetch::HostAuth& other : options->auth) {
      if (other.origin == auth.origin) {
        return InvalidArgumentError("--auth: two entries for " + auth.origin);
      }
    }
    options->auth.push_back(std::move(auth));
  } else {
    return false;
  }
  return true;
}

Status CheckRequestFlags(const fetch::FetchOptions& options) {
  if (options.proxy.empty() && !options.proxy_credentials.empty()) {
    return InvalidArgumentError("--proxy-user-env needs --proxy");
  }
  if (options.proxy.empty() && !options.no_proxy.empty()) {
    return InvalidArgumentError("--noproxy needs --proxy");
  }
  return fetch::ValidateRequestOptions(options);
}

}  // namespace crawler::cli
