// The request flags (--header, --cookies, --proxy, --proxy-user-env,
// --noproxy, --auth) through both parsers that accept them, `crawler fetch`
// and `crawler crawl`, and ParseRequestFlag with its own environment.
#include "crawler/cli/request_flags.h"

#include <stdlib.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crawler/cli/crawl_flags.h"
#include "crawler/cli/fetch_flags.h"
#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

using Args = std::vector<std::string>;

// Sets environment variables for the lifetime of the object.
class ScopedEnv {
 public:
  using Vars = std::map<std::string, std::string>;
  explicit ScopedEnv(Vars vars) : vars_(std::move(vars)) {
    for (const auto& [k, v] : vars_) setenv(k.c_str(), v.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    for (const auto& [k, v] : vars_) unsetenv(k.c_str());
  }

 private:
  std::map<std::string, std::string> vars_;
};

// The fetch options that `args` give, parsed as `crawler fetch` and as
// `crawler crawl` (which must agree).
fetch::FetchOptions MustParse(const Args& args) {
  StatusOr<FetchFlags> f = ParseFetchFlags(args);
  REQUIRE_MESSAGE(f.ok(), f.status().ToString());
  StatusOr<CrawlFlags> c = ParseCrawlFlags(args);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->fetch.headers == f->fetch.headers);
  CHECK(c->fetch.cookies == f->fetch.cookies);
  CHECK(c->fetch.proxy == f->fetch.proxy);
  CHECK(c->fetch.proxy_credentials == f->fetch.proxy_credentials);
  CHECK(c->fetch.no_proxy == f->fetch.no_proxy);
  CHECK(c->fetch.auth.size() == f->fetch.auth.size());
  return f->fetch;
}

// Both parsers fail with InvalidArgument; each needle is in the message and
// "S3CR3T" never is.
void ExpectUsageError(const Args& args,
                      const std::vector<std::string>& needles) {
  std::string shown;
  for (const std::string& a : args) shown += "[" + a + "]";
  INFO("args: ", shown);
  StatusOr<FetchFlags> f = ParseFetchFlags(args);
  StatusOr<CrawlFlags> c = ParseCrawlFlags(args);
  REQUIRE_FALSE(f.ok());
  REQUIRE_FALSE(c.ok());
  for (const Status& s : {f.status(), c.status()}) {
    CHECK(s.code() == Code::kInvalidArgument);
    for (const std::string& n : needles) {
      CHECK_MESSAGE(s.message().find(n) != std::string::npos,
                    "'" << n << "' not in: " << s.message());
    }
    CHECK_MESSAGE(s.message().find("S3CR3T") == std::string::npos, s.message());
  }
}

TEST_SUITE("Request flags") {
  TEST_CASE("By default: no extra header, no cookies, no proxy, no auth") {
    const fetch::FetchOptions o = MustParse({"http://a.test/"});
    CHECK(o.headers.empty());
    CHECK_FALSE(o.cookies);
    CHECK(o.proxy.empty());
    CHECK(o.proxy_credentials.empty());
    CHECK(o.no_proxy.empty());
    CHECK(o.auth.empty());
  }

  TEST_CASE("--header and -H are repeatable and normalized") {
    const fetch::FetchOptions o =
        MustParse({"-H", "X-A:1", "--header", "Accept-Language:  fr ",
                   "--header=X-B: a=b"});
    CHECK(o.headers == std::vector<std::string>{"X-A: 1", "Accept-Language: fr",
                                                "X-B: a=b"});
  }

  TEST_CASE("--header refuses CR LF, Host and credentials headers") {
    ExpectUsageError({"--header", "X-A: b\r\nX-Injected: 1"},
                     {"--header", "control character (CR)"});
    ExpectUsageError({"-H", std::string("X-A: b\0c", 8)}, {"-H", "(NUL)"});
    ExpectUsageError({"--header", "Host: evil.test"}, {"--header", "Host"});
    ExpectUsageError({"--header", "Authorization: Bearer S3CR3T"},
                     {"Authorization", "--auth"});
    ExpectUsageError({"--header", "Cookie: s=S3CR3T"}, {"Cookie"});
    ExpectUsageError({"--header", "X-A"}, {"--header", "Name: value"});
    ExpectUsageError({"--header"}, {"--header needs a value"});
  }

  TEST_CASE("--cookies is a switch") {
    CHECK(MustParse({"--cookies"}).cookies);
    ExpectUsageError({"--cookies=yes"}, {"--cookies takes no value"});
  }

  TEST_CASE("--proxy with credentials from --proxy-user-env") {
    ScopedEnv env(ScopedEnv::Vars{{"PROXY_CREDS", "puser:S3CR3T"}});
    const fetch::FetchOptions o = MustParse(
        {"--proxy", "socks5h://127.0.0.1:1080", "--proxy-user-env",
         "PROXY_CREDS", "--noproxy", "a.test,10.0.0.0/8", "--noproxy", "*"});
    CHECK(o.proxy == "socks5h://127.0.0.1:1080");
    CHECK(o.proxy_credentials == "puser:S3CR3T");
    CHECK(o.no_proxy == std::vector<std::string>{"a.test", "10.0.0.0/8", "*"});
  }

  TEST_CASE("Bad proxy flags are usage errors that never quote a secret") {
    ScopedEnv env(ScopedEnv::Vars{
        {"NO_COLON", "S3CR3T"}, {"EMPTY", ""}, {"GOOD", "u:S3CR3T"}});
    ExpectUsageError({"--proxy", "http://user:S3CR3T@p.test:3128"},
                     {"--proxy", "must not hold credentials"});
    ExpectUsageError({"--proxy", "socks4://p.test:1080"},
                     {"--proxy", "socks4"});
    ExpectUsageError({"--proxy", "http://p.test"},
                     {"--proxy", "port is required"});
    ExpectUsageError(
        {"--proxy", "http://p.test:3128", "--proxy-user-env",
         "UNSET_PROXY_VAR_FOR_TEST"},
        {"--proxy-user-env", "UNSET_PROXY_VAR_FOR_TEST", "is not set"});
    ExpectUsageError(
        {"--proxy", "http://p.test:3128", "--proxy-user-env", "NO_COLON"},
        {"--proxy-user-env", "NO_COLON", "USER:PASSWORD"});
    ExpectUsageError(
        {"--proxy", "http://p.test:3128", "--proxy-user-env", "EMPTY"},
        {"EMPTY", "is empty"});
    ExpectUsageError(
        {"--proxy", "http://p.test:3128", "--proxy-user-env", "1BAD"},
        {"'1BAD' is not an environment variable name"});
    ExpectUsageError({"--proxy-user-env", "GOOD"},
                     {"--proxy-user-env needs --proxy"});
    ExpectUsageError({"--noproxy", "a.test"}, {"--noproxy needs --proxy"});
    ExpectUsageError({"--proxy", "http://p.test:3128", "--noproxy", "a,,b"},
                     {"--noproxy", "empty"});
  }

  TEST_CASE("--auth reads basic credentials and bearer tokens from the env") {
    ScopedEnv env(ScopedEnv::Vars{{"API_TOKEN", "S3CR3T-tok"},
                                  {"INTRA", "me:S3CR3T-pw"}});
    const fetch::FetchOptions o =
        MustParse({"--auth", "api.example.com=bearer:API_TOKEN", "--auth",
                   "http://Intra.example:8080=Basic:INTRA"});
    REQUIRE(o.auth.size() == 2);
    CHECK(o.auth[0].origin == "https://api.example.com:443");
    CHECK(o.auth[0].scheme == fetch::AuthScheme::kBearer);
    CHECK(o.auth[0].secret == "S3CR3T-tok");
    CHECK(o.auth[1].origin == "http://intra.example:8080");
    CHECK(o.auth[1].scheme == fetch::AuthScheme::kBasic);
    CHECK(o.auth[1].secret == "me:S3CR3T-pw");
  }

  TEST_CASE("Bad --auth values are usage errors naming the variable") {
    ScopedEnv env(ScopedEnv::Vars{{"TOKEN_WITH_SPACE", "S3CR3T tok"},
                                  {"NO_COLON", "S3CR3T"},
                                  {"TOK", "S3CR3T"}});
    ExpectUsageError({"--auth", "api.test=bearer:UNSET_AUTH_VAR_FOR_TEST"},
                     {"--auth", "environment variable UNSET_AUTH_VAR_FOR_TEST",
                      "is not set"});
    ExpectUsageError({"--auth", "api.test=bearer:TOKEN_WITH_SPACE"},
                     {"TOKEN_WITH_SPACE", "b64token"});
    ExpectUsageError({"--auth", "api.test=basic:NO_COLON"},
                     {"NO_COLON", "USER:PASSWORD"});
    ExpectUsageError({"--auth", "api.test=digest:TOK"}, {"digest"});
    ExpectUsageError({"--auth", "api.test"}, {"ORIGIN=SCHEME:VAR"});
    ExpectUsageError({"--auth", "api.test=bearer"}, {"ORIGIN=SCHEME:VAR"});
    ExpectUsageError({"--auth", "ftp://api.test=bearer:TOK"},
                     {"--auth", "http or https"});
    ExpectUsageError({"--auth", "api.test/path=bearer:TOK"},
                     {"--auth", "no path"});
    ExpectUsageError({"--auth", "api.test=bearer:TOK", "--auth",
                      "https://API.test:443=bearer:TOK"},
                     {"two entries for https://api.test:443"});
  }

  TEST_CASE("ParseRequestFlag reads the environment it is given") {
    fetch::FetchOptions o;
    auto value = []() -> StatusOr<std::string> {
      return std::string("http://api.test=bearer:MY_TOKEN");
    };
    auto no_value = [] { return Status::Ok(); };
    EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
      if (name == "MY_TOKEN") return "from-lookup";
      return std::nullopt;
    };
    StatusOr<bool> handled =
        ParseRequestFlag("--auth", value, no_value, &o, env);
    REQUIRE(handled.ok());
    CHECK(*handled);
    REQUIRE(o.auth.size() == 1);
    CHECK(o.auth[0].secret == "from-lookup");
    handled = ParseRequestFlag("--workers", value, no_value, &o, env);
    REQUIRE(handled.ok());
    CHECK_FALSE(*handled);
  }

  TEST_CASE("Values from a crawl file are checked with the flags") {
    CrawlFlags base = DefaultCrawlFlags();
    base.fetch.proxy_credentials = "u:S3CR3T";  // Without a proxy.
    StatusOr<CrawlFlags> c = ParseCrawlFlags({}, base);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("--proxy-user-env needs --proxy") !=
          std::string::npos);
    base = DefaultCrawlFlags();
    base.fetch.headers = {"Host: x"};
    CHECK_FALSE(ParseCrawlFlags({}, base).ok());
  }

  TEST_CASE("The usage texts list the request flags") {
    for (const char* usage : {FetchUsage(), CrawlUsage()}) {
      const std::string u = usage;
      for (const char* flag :
           {"--header", "--cookies", "--proxy URL", "--proxy-user-env VAR",
            "--noproxy LIST", "--auth ORIGIN=SCHEME:VAR"}) {
        CAPTURE(flag);
        CHECK(u.find(flag) != std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace crawler::cli
