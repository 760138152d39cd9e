#include "crawler/scope/scope.h"

#include <chrono>
#include <string>
#include <vector>

#include "crawler/testing/test_util.h"
#include "crawler/url/url.h"

namespace crawler::scope {
namespace {

Scope MustCreate(const ScopeOptions& o, const std::vector<std::string>& seeds) {
  StatusOr<Scope> s = Scope::Create(o, seeds);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

// A URL and whether it is in scope.
struct Row {
  const char* url;
  bool in;
};

void CheckTable(const Scope& scope, const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    CAPTURE(std::string(row.url));
    const Status s = scope.Check(row.url);
    CHECK_MESSAGE(s.ok() == row.in, s.ToString());
    if (!s.ok()) {
      CHECK(s.tag() == Tag::kPermanent);
      CHECK(s.message().rfind("out_of_scope: ", 0) == 0);
    }
  }
}

TEST_CASE("ParseScopeMode accepts host, domain and any") {
  CHECK(ParseScopeMode("host").value() == ScopeMode::kHost);
  CHECK(ParseScopeMode("domain").value() == ScopeMode::kDomain);
  CHECK(ParseScopeMode("any").value() == ScopeMode::kAny);
  for (const char* bad : {"Host", "", "domains", "all"}) {
    StatusOr<ScopeMode> m = ParseScopeMode(bad);
    CHECK(m.status().code() == Code::kInvalidArgument);
    CHECK(m.status().message() == "unknown scope '" + std::string(bad) +
                                      "' (valid: host, domain, any)");
  }
  CHECK(std::string(ScopeModeName(ScopeMode::kDomain)) == "domain");
  CHECK(ScopeOptions{}.mode == ScopeMode::kHost);
}

TEST_CASE("RegisteredDomain uses the Public Suffix List") {
  struct Case {
    const char* host;
    const char* domain;
  };
  const Case cases[] = {
      {"a.example.co.uk", "example.co.uk"},
      {"b.example.co.uk", "example.co.uk"},
      {"example.co.uk", "example.co.uk"},
      {"x.y.other.co.uk", "other.co.uk"},
      {"www.example.com", "example.com"},
      {"WWW.Example.COM", "example.com"},
      {"example.com", "example.com"},
      {"deep.a.b.c.example.org", "example.org"},
      {"user.github.io", "user.github.io"},  // github.io is a public suffix.
      {"a.b.xn--p1ai", "b.xn--p1ai"},
      {"www.xn--bcher-kva.example", "xn--bcher-kva.example"},
      // Returned as they are: public suffixes, IP literals, single labels.
      {"co.uk", "co.uk"},
      {"127.0.0.1", "127.0.0.1"},
      {"10.1.2.3", "10.1.2.3"},
      {"[::1]", "[::1]"},
      {"localhost", "localhost"},
      {"", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.host));
    CHECK(Scope::RegisteredDomain(c.host) == c.domain);
  }
}

TEST_CASE("Scope host: only the seeds' hosts, any scheme or port") {
  const Scope scope = MustCreate({}, {"http://www.example.com/start",
                                      "https://B\xC3\xBC"
                                      "cher.example/"});
  CheckTable(scope, {
                        {"http://www.example.com/", true},
                        {"https://www.example.com/other?x=1", true},
                        {"http://www.example.com:8080/", true},
                        {"http://xn--bcher-kva.example/a", true},
                        {"http://example.com/", false},
                        {"http://a.www.example.com/", false},
                        {"http://www.example.org/", false},
                        {"http://www.example.com.evil.test/", false},
                        {"http://127.0.0.1/", false},
                    });
  CHECK(scope.Check("http://example.com/").message() ==
        "out_of_scope: host 'example.com' is not a seed host (scope host)");
}

TEST_CASE("Scope domain: any host under a seed's registered domain") {
  ScopeOptions o;
  o.mode = ScopeMode::kDomain;
  const Scope scope = MustCreate(
      o, {"http://a.example.co.uk/", "https://www.example.com/", "http://x/"});
  CheckTable(scope, {
                        {"http://b.example.co.uk/", true},
                        {"https://example.co.uk/", true},
                        {"http://deep.a.b.example.co.uk/", true},
                        {"http://other.co.uk/", false},
                        {"http://example.co.uk.evil.test/", false},
                        {"http://co.uk/", false},
                        {"http://shop.example.com/", true},
                        {"http://example.com/", true},
                        {"http://example.org/", false},
                        {"http://x/", true},
                        {"http://y/", false},
                    });
  CHECK(scope.Check("http://other.co.uk/").message() ==
        "out_of_scope: registered domain 'other.co.uk' of host 'other.co.uk' "
        "is not a seed's (scope domain)");
  // Hosts on a public suffix such as github.io are their own domain.
  const Scope gh = MustCreate(o, {"https://alice.github.io/"});
  CheckTable(gh, {{"https://alice.github.io/x", true},
                  {"https://www.alice.github.io/", true},
                  {"https://bob.github.io/", false}});
}

TEST_CASE("Scope any: every host, still under the other rules") {
  ScopeOptions o;
  o.mode = ScopeMode::kAny;
  const Scope scope = MustCreate(o, {});
  CheckTable(scope, {{"http://a.test/", true},
                     {"https://b.example.org:444/x", true},
                     {"http://127.0.0.1/", true}});
  CHECK(MustCreate(o, {"http://a.test/"}).Check("http://b.test/").ok());
}

TEST_CASE("Allow and deny lists: domains and their subdomains") {
  ScopeOptions o;
  o.mode = ScopeMode::kAny;
  o.allow_domains = {"example.com", ".Example.ORG",
                     "*.b\xC3\xBC"
                     "cher.example"};
  o.deny_domains = {"private.example.com", "tracker.example.org"};
  const Scope scope = MustCreate(o, {});
  CheckTable(scope, {
                        {"http://example.com/", true},
                        {"http://www.example.com/", true},
                        {"http://a.b.example.org/", true},
                        {"http://xn--bcher-kva.example/", true},
                        {"http://www.xn--bcher-kva.example/", true},
                        {"http://notexample.com/", false},
                        {"http://example.com.evil.test/", false},
                        {"http://example.net/", false},
                        {"http://private.example.com/", false},
                        {"http://x.private.example.com/", false},
                        {"http://privateXexample.com/", false},
                        {"http://tracker.example.org/", false},
                    });
  CHECK(scope.Check("http://x.private.example.com/").message() ==
        "out_of_scope: host 'x.private.example.com' is in denied domain "
        "'private.example.com'");
  CHECK(scope.Check("http://example.net/").message() ==
        "out_of_scope: host 'example.net' is not in the allowed domains "
        "(example.com, example.org, xn--bcher-kva.example)");

  // The deny list wins over the seeds and the mode.
  ScopeOptions d;
  d.deny_domains = {"example.com"};
  const Scope denied = MustCreate(d, {"http://www.example.com/"});
  CHECK(denied.Check("http://www.example.com/").message() ==
        "out_of_scope: host 'www.example.com' is in denied domain "
        "'example.com'");

  // The allow list applies on top of the mode.
  ScopeOptions a;
  a.mode = ScopeMode::kDomain;
  a.allow_domains = {"docs.example.com"};
  const Scope allowed = MustCreate(a, {"http://www.example.com/"});
  CheckTable(allowed, {{"http://docs.example.com/", true},
                       {"http://www.example.com/", false},
                       {"http://docs.other.com/", false}});
}

TEST_CASE("Bad allow or deny domains are refused") {
  for (const char* bad : {"", "http://a.com/", "a.com/x", "a b.com", "a.com:80",
                          "*", "user@a.com"}) {
    CAPTURE(std::string(bad));
    ScopeOptions o;
    o.allow_domains = {bad};
    StatusOr<Scope> s = Scope::Create(o, {"http://a.com/"});
    CHECK(s.status().code() == Code::kInvalidArgument);
    CHECK(s.status().message().rfind(
              "invalid allow domain '" + std::string(bad) + "': ", 0) == 0);
  }
  ScopeOptions o;
  o.deny_domains = {"a\xFF.com"};
  CHECK(Scope::Create(o, {"http://a.com/"}).status().message() ==
        "invalid deny domain 'a\xFF.com': malformed URL 'http://a\xFF.com/': "
        "the host is not a valid internationalized domain name");
}

TEST_CASE("Include and exclude patterns (RE2, partial match)") {
  ScopeOptions o;
  o.include = {"/docs/", "/blog/\\d{4}/"};
  o.exclude = {"\\.(?i:pdf|zip)$", "[?&]print=1"};
  const Scope scope = MustCreate(o, {"http://a.test/"});
  CheckTable(scope, {
                        {"http://a.test/docs/", true},
                        {"http://a.test/x/docs/y", true},
                        {"http://a.test/blog/2024/post", true},
                        {"http://a.test/blog/24/post", false},
                        {"http://a.test/", false},
                        {"http://a.test/docs/manual.PDF", false},
                        {"http://a.test/docs/a.zip", false},
                        {"http://a.test/docs/a.zip?x", true},
                        {"http://a.test/docs/?a=1&print=1", false},
                    });
  CHECK(scope.Check("http://a.test/").message() ==
        "out_of_scope: matches no include pattern");
  CHECK(scope.Check("http://a.test/docs/a.zip").message() ==
        "out_of_scope: matches exclude pattern '\\.(?i:pdf|zip)$'");
  // Host rules come before patterns.
  CHECK(scope.Check("http://b.test/docs/").message() ==
        "out_of_scope: host 'b.test' is not a seed host (scope host)");
}

TEST_CASE("Invalid regular expressions are named with RE2's error") {
  ScopeOptions o;
  o.include = {"ok", "a("};
  StatusOr<Scope> s = Scope::Create(o, {"http://a.test/"});
  CHECK(s.status().code() == Code::kInvalidArgument);
  CHECK(s.status().tag() == Tag::kPermanent);
  CHECK(s.status().message() ==
        "invalid include regular expression 'a(': missing ): a(");
  o.include = {};
  o.exclude = {"x**"};
  s = Scope::Create(o, {"http://a.test/"});
  CHECK(
      s.status().message() ==
      "invalid exclude regular expression 'x**': bad repetition operator: **");
  // Backreferences need backtracking; RE2 refuses them.
  o.exclude = {"(a)\\1"};
  s = Scope::Create(o, {"http://a.test/"});
  CHECK(s.status().message() ==
        "invalid exclude regular expression '(a)\\1': invalid escape sequence: "
        "\\1");
}

TEST_CASE("Patterns run in linear time on hostile URLs") {
  ScopeOptions o;
  o.mode = ScopeMode::kAny;
  o.max_url_length = 0;
  o.max_path_repetitions = 0;
  // Exponential for a backtracking engine on a long run of 'a' with no 'b'.
  o.exclude = {"(a+)+b", "(a|aa)+$x"};
  const Scope scope = MustCreate(o, {});
  const std::string url = "http://a.test/" + std::string(8000, 'a') + "!";
  const auto start = std::chrono::steady_clock::now();
  CHECK_OK(scope.Check(url));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::milliseconds(200));
}

TEST_CASE("Traps: repeated path segments") {
  const Scope scope = MustCreate({}, {"http://a.test/"});
  struct Case {
    const char* url;
    const char* error;  // nullptr: in scope.
  };
  const Case cases[] = {
      {"http://a.test/a/a/a/", nullptr},
      {"http://a.test/a/a/a/a/",
       "trap_suspected: path segment 'a' appears more than "
       "max_path_repetitions 3 times"},
      {"http://a.test/x/y/x/y/x/y/x/y",
       "trap_suspected: path segment 'x' appears more than "
       "max_path_repetitions 3 times"},
      {"http://a.test/cal/2024/cal/2024/cal/2024", nullptr},
      {"http://a.test/a//a//a//b/", nullptr},  // Empty segments do not count.
      {"http://a.test/a/b/c/d/e/f/g/h/i/j/k", nullptr},
      {"http://a.test/p?a/a/a/a/a", nullptr},  // Only the path counts.
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.url));
    const Status s = scope.Check(c.url);
    if (c.error == nullptr) {
      CHECK_OK(s);
    } else {
      CHECK(s.message() == c.error);
      CHECK(s.tag() == Tag::kPermanent);
    }
  }
  ScopeOptions off;
  off.max_path_repetitions = 0;
  CHECK_OK(
      MustCreate(off, {"http://a.test/"}).Check("http://a.test/a/a/a/a/a/a"));
  ScopeOptions strict;
  strict.max_path_repetitions = 1;
  CHECK_FALSE(
      MustCreate(strict, {"http://a.test/"}).Check("http://a.test/a/b/a").ok());
}

TEST_CASE("Traps: too many query parameters") {
  const Scope scope = MustCreate({}, {"http://a.test/"});
  std::string url = "http://a.test/p?";
  for (int i = 0; i < 30; ++i) url += (i > 0 ? "&p" : "p") + std::to_string(i);
  CHECK_OK(scope.Check(url));
  CHECK_OK(scope.Check(url + "&&&"));  // Empty parameters do not count.
  const Status s = scope.Check(url + "&p30=1");
  CHECK(s.message() ==
        "trap_suspected: 31 query parameters, more than max_query_params 30");
  CHECK(s.tag() == Tag::kPermanent);
}

TEST_CASE("Traps: URLs longer than max_url_length, refused before parsing") {
  const Scope scope = MustCreate({}, {"http://a.test/"});
  const std::string head = "http://a.test/";
  const std::string ok = head + std::string(2083 - head.size(), 'x');
  CHECK_OK(scope.Check(ok));
  const Status s = scope.Check(ok + "x");
  CHECK(s.code() == Code::kResourceExhausted);
  CHECK(s.tag() == Tag::kPermanent);
  CHECK(s.message() ==
        "url_too_long: 2084 bytes, more than max_url_length "
        "2083: '" +
            ok.substr(0, 100) + "...'");
  // An 8 MB URL is refused as fast, out of scope or not.
  const std::string huge = "http://b.test/" + std::string(8 << 20, 'y');
  CHECK(scope.Check(huge).message().rfind("url_too_long: 8388622 bytes", 0) ==
        0);
}

TEST_CASE("Check with parts already split gives the same answers") {
  ScopeOptions o;
  o.mode = ScopeMode::kDomain;
  o.exclude = {"/private/"};
  const Scope scope = MustCreate(o, {"http://www.example.co.uk/"});
  for (const char* u :
       {"http://a.example.co.uk/", "http://other.co.uk/",
        "http://a.example.co.uk/private/x", "http://a.example.co.uk/a/a/a/a"}) {
    CAPTURE(std::string(u));
    StatusOr<url::UrlParts> parts = url::SplitUrl(u);
    REQUIRE_OK(parts.status());
    CHECK(scope.Check(u, *parts).ToString() == scope.Check(u).ToString());
  }
}

TEST_CASE("Check refuses what is not an http(s) URL") {
  const Scope scope = MustCreate({}, {"http://a.test/"});
  const Status s = scope.Check("ftp://a.test/");
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.tag() == Tag::kPermanent);
  CHECK(s.message() ==
        "bad_url: unsupported scheme 'ftp' in 'ftp://a.test/' (only http and "
        "https are fetched)");
  CHECK(scope.Check("not a url").message().rfind("bad_url: malformed URL", 0) ==
        0);
}

TEST_CASE("Create checks seeds and needs them for host and domain scope") {
  StatusOr<Scope> s = Scope::Create({}, {"http://a.test/", "mailto:x@y"});
  CHECK(s.status().code() == Code::kInvalidArgument);
  CHECK(s.status().message() ==
        "bad seed URL: unsupported scheme 'mailto' in 'mailto:x@y' (only http "
        "and https are fetched)");
  CHECK(Scope::Create({}, {}).status().message() ==
        "scope host needs at least one seed URL");
  ScopeOptions o;
  o.mode = ScopeMode::kDomain;
  CHECK(Scope::Create(o, {}).status().message() ==
        "scope domain needs at least one seed URL");
}

TEST_CASE("A Scope can be moved") {
  Scope a = MustCreate({}, {"http://a.test/"});
  Scope b = std::move(a);
  CHECK_OK(b.Check("http://a.test/x"));
  CHECK_FALSE(b.Check("http://b.test/x").ok());
}

}  // namespace
}  // namespace crawler::scope
