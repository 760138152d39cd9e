#include "crawler/cli/fetch_flags.h"

#include <string>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

using Args = std::vector<std::string>;

FetchFlags MustParse(const Args& args) {
  StatusOr<FetchFlags> f = ParseFetchFlags(args);
  REQUIRE_MESSAGE(f.ok(), f.status().ToString());
  return std::move(f).value();
}

// The parse must fail with InvalidArgument, and the message must contain each
// of `needles` (the flag and the bad value).
void ExpectUsageError(const Args& args,
                      const std::vector<std::string>& needles) {
  StatusOr<FetchFlags> f = ParseFetchFlags(args);
  std::string shown;
  for (const std::string& a : args) shown += "[" + a + "]";
  INFO("args: ", shown);
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().code() == Code::kInvalidArgument);
  for (const std::string& n : needles) {
    CHECK_MESSAGE(f.status().message().find(n) != std::string::npos,
                  "'" << n << "' not in: " << f.status().message());
  }
}

TEST_CASE("No arguments give the documented defaults") {
  FetchFlags f = MustParse({});
  CHECK_FALSE(f.help);
  CHECK(f.urls.empty());
  CHECK(f.input.empty());
  CHECK(f.output.empty());
  CHECK(f.job.workers == 0);  // 0 = one worker per CPU.
  CHECK(f.job.concurrency == 16);
  CHECK(f.fetch.max_concurrency == 16);
  CHECK_FALSE(f.job.ordered);
  CHECK_FALSE(f.job.progress);
  CHECK(f.job.max_retries == 2);
  CHECK(f.fetch.total_timeout_ms == 30000);
  CHECK(f.fetch.connect_timeout_ms == 10000);
  CHECK(f.fetch.max_body_bytes == size_t{16} << 20);
  CHECK(f.fetch.max_redirects == 10);
  CHECK(f.fetch.user_agent == "crawler/0.1");
  CHECK_FALSE(f.fetch.allow_private_addresses);
}

TEST_CASE("Every option is accepted in short, long and --opt=value forms") {
  // Each row: the same settings spelled three ways where a short form exists.
  for (const Args& args : {
           Args{"-i", "in.txt", "-o", "out.jsonl", "-w", "3", "-c", "5"},
           Args{"--input", "in.txt", "--output", "out.jsonl", "--workers", "3",
                "--concurrency", "5"},
           Args{"--input=in.txt", "--output=out.jsonl", "--workers=3",
                "--concurrency=5"},
       }) {
    FetchFlags f = MustParse(args);
    CHECK(f.input == "in.txt");
    CHECK(f.output == "out.jsonl");
    CHECK(f.job.workers == 3);
    CHECK(f.job.concurrency == 5);
    CHECK(f.fetch.max_concurrency == 5);  // Follows --concurrency.
  }
  for (const Args& args : {
           Args{"--timeout", "7", "--connect-timeout", "2", "--max-body",
                "1024", "--max-redirects", "0", "--user-agent", "bot/1 (x)",
                "--retries", "5", "--ordered", "--progress", "--allow-private"},
           Args{"--timeout=7", "--connect-timeout=2", "--max-body=1024",
                "--max-redirects=0", "--user-agent=bot/1 (x)", "--retries=5",
                "--ordered", "--progress", "--allow-private"},
       }) {
    FetchFlags f = MustParse(args);
    CHECK(f.fetch.total_timeout_ms == 7000);
    CHECK(f.fetch.connect_timeout_ms == 2000);
    CHECK(f.fetch.max_body_bytes == 1024);
    CHECK(f.fetch.max_redirects == 0);
    CHECK(f.fetch.user_agent == "bot/1 (x)");
    CHECK(f.job.max_retries == 5);
    CHECK(f.job.ordered);
    CHECK(f.job.progress);
    CHECK(f.fetch.allow_private_addresses);
  }
  CHECK(MustParse({"-h"}).help);
  CHECK(MustParse({"--help"}).help);
}

TEST_CASE("An --opt=value value may itself contain '='") {
  FetchFlags f = MustParse({"--user-agent=a=b", "--output=x=y.jsonl"});
  CHECK(f.fetch.user_agent == "a=b");
  CHECK(f.output == "x=y.jsonl");
}

TEST_CASE("The last occurrence of a repeated option wins") {
  FetchFlags f = MustParse({"-w", "2", "--workers=7", "-c", "3", "-c", "9"});
  CHECK(f.job.workers == 7);
  CHECK(f.job.concurrency == 9);
  CHECK(f.fetch.max_concurrency == 9);
}

TEST_CASE("Positional arguments are URLs, in order, around options") {
  FetchFlags f = MustParse(
      {"http://a/", "-w", "2", "http://b/", "--ordered", "http://c/", "-"});
  CHECK(f.urls == Args{"http://a/", "http://b/", "http://c/", "-"});
  CHECK(f.job.workers == 2);
  CHECK(f.job.ordered);
}

TEST_CASE("After -- everything is a URL, even what looks like an option") {
  FetchFlags f =
      MustParse({"-w", "2", "--", "--ordered", "-x", "http://a/", "--"});
  CHECK(f.urls == Args{"--ordered", "-x", "http://a/", "--"});
  CHECK_FALSE(f.job.ordered);
  CHECK(f.job.workers == 2);
}

TEST_CASE("--max-body takes K, M and G suffixes as powers of 1024") {
  CHECK(MustParse({"--max-body", "1"}).fetch.max_body_bytes == 1);
  CHECK(MustParse({"--max-body", "3K"}).fetch.max_body_bytes == 3 * 1024);
  CHECK(MustParse({"--max-body", "3k"}).fetch.max_body_bytes == 3 * 1024);
  CHECK(MustParse({"--max-body", "16M"}).fetch.max_body_bytes == 16u << 20);
  CHECK(MustParse({"--max-body", "2m"}).fetch.max_body_bytes == 2u << 20);
  CHECK(MustParse({"--max-body", "1G"}).fetch.max_body_bytes == size_t{1}
                                                                    << 30);
  CHECK(MustParse({"--max-body", "4G"}).fetch.max_body_bytes == size_t{4}
                                                                    << 30);
  CHECK(MustParse({"--max-body", "4096M"}).fetch.max_body_bytes == size_t{4}
                                                                       << 30);
}

TEST_CASE("--timeout and --connect-timeout take fractional seconds") {
  CHECK(MustParse({"--timeout", "2.5"}).fetch.total_timeout_ms == 2500);
  CHECK(MustParse({"--timeout=0.25"}).fetch.total_timeout_ms == 250);
  CHECK(MustParse({"--connect-timeout", "0.1"}).fetch.connect_timeout_ms ==
        100);
  CHECK(MustParse({"--timeout", "86400"}).fetch.total_timeout_ms == 86400000);
  CHECK(MustParse({"--timeout", "0.001"}).fetch.total_timeout_ms == 1);
}

TEST_CASE("Range limits of the integer options are inclusive") {
  CHECK(MustParse({"-w", "1"}).job.workers == 1);
  CHECK(MustParse({"-w", "256"}).job.workers == 256);
  CHECK(MustParse({"-c", "1"}).job.concurrency == 1);
  CHECK(MustParse({"-c", "1000"}).job.concurrency == 1000);
  CHECK(MustParse({"--max-redirects", "50"}).fetch.max_redirects == 50);
  CHECK(MustParse({"--retries", "0"}).job.max_retries == 0);
  CHECK(MustParse({"--retries", "10"}).job.max_retries == 10);
}

TEST_CASE("Every bad value is an InvalidArgument naming the flag and value") {
  struct Case {
    Args args;
    std::string flag;
    std::string value;
  };
  const std::vector<Case> cases = {
      {{"-w", "0"}, "-w", "'0'"},
      {{"--workers", "257"}, "--workers", "'257'"},
      {{"--workers", "x"}, "--workers", "'x'"},
      {{"--workers", "3x"}, "--workers", "'3x'"},
      {{"--workers", "-1"}, "--workers", "'-1'"},
      {{"--workers", "2.5"}, "--workers", "'2.5'"},
      {{"--workers="}, "--workers", "''"},
      {{"--workers", "99999999999999999999999"},
       "--workers",
       "'99999999999999999999999'"},
      {{"-c", "0"}, "-c", "'0'"},
      {{"--concurrency=1001"}, "--concurrency", "'1001'"},
      {{"--timeout", "0"}, "--timeout", "'0'"},
      {{"--timeout", "-1"}, "--timeout", "'-1'"},
      {{"--timeout", "86401"}, "--timeout", "'86401'"},
      {{"--timeout", "abc"}, "--timeout", "'abc'"},
      {{"--timeout", "1s"}, "--timeout", "'1s'"},
      {{"--timeout", "nan"}, "--timeout", "'nan'"},
      {{"--timeout", "inf"}, "--timeout", "'inf'"},
      {{"--timeout="}, "--timeout", "''"},
      {{"--connect-timeout", "0"}, "--connect-timeout", "'0'"},
      {{"--connect-timeout=x"}, "--connect-timeout", "'x'"},
      {{"--max-body", "0"}, "--max-body", "'0'"},
      {{"--max-body", "-5"}, "--max-body", "'-5'"},
      {{"--max-body", "5T"}, "--max-body", "'5T'"},
      {{"--max-body", "1.5M"}, "--max-body", "'1.5M'"},
      {{"--max-body", "16MB"}, "--max-body", "'16MB'"},
      {{"--max-body", "M"}, "--max-body", "'M'"},
      {{"--max-body", "5G"}, "--max-body", "'5G'"},
      {{"--max-body", "4097M"}, "--max-body", "'4097M'"},
      {{"--max-body", "99999999999999999999"},
       "--max-body",
       "'99999999999999999999'"},
      {{"--max-body="}, "--max-body", "''"},
      {{"--max-redirects", "51"}, "--max-redirects", "'51'"},
      {{"--max-redirects", "-1"}, "--max-redirects", "'-1'"},
      {{"--retries", "11"}, "--retries", "'11'"},
      {{"--retries=two"}, "--retries", "'two'"},
  };
  for (const Case& c : cases) {
    ExpectUsageError(c.args, {c.flag, c.value});
  }
}

TEST_CASE("An unknown option is an error naming it") {
  ExpectUsageError({"--bogus"}, {"unknown option", "'--bogus'"});
  ExpectUsageError({"-x"}, {"unknown option", "'-x'"});
  ExpectUsageError({"http://a/", "--worker", "3"}, {"'--worker'"});
  ExpectUsageError({"--bogus=1"}, {"unknown option", "--bogus"});
  // Short options do not take an attached value.
  ExpectUsageError({"-w3"}, {"unknown option", "'-w3'"});
}

TEST_CASE("An option missing its value is an error naming it") {
  for (const char* opt :
       {"-i", "--input", "-o", "--output", "-w", "--workers", "-c",
        "--concurrency", "--timeout", "--connect-timeout", "--max-body",
        "--max-redirects", "--user-agent", "--retries"}) {
    ExpectUsageError({"http://a/", opt}, {opt, "needs a value"});
  }
}

TEST_CASE("--user-agent refuses control characters (header injection)") {
  for (const std::string& ua :
       {std::string("bot\r\nX-Evil: 1"), std::string("bot\n"),
        std::string("a\tb"), std::string("a\x7f"), std::string("a\0b", 3)}) {
    ExpectUsageError({"--user-agent", ua}, {"--user-agent", "control"});
    ExpectUsageError({"--user-agent=" + ua}, {"--user-agent", "control"});
  }
  // Non-ASCII UTF-8 is not a control character.
  CHECK(MustParse({"--user-agent", "b\xC3\xB6t/1"}).fetch.user_agent ==
        "b\xC3\xB6t/1");
}

TEST_CASE("A flag that takes no value refuses one given with '='") {
  ExpectUsageError({"--ordered=1"}, {"--ordered", "takes no value", "'1'"});
  ExpectUsageError({"--progress=yes"}, {"--progress", "'yes'"});
  ExpectUsageError({"--allow-private=true"}, {"--allow-private", "'true'"});
  ExpectUsageError({"--ordered="}, {"--ordered", "''"});
}

TEST_CASE("--allow-address is repeatable; a bad entry is a usage error") {
  FetchFlags f = MustParse({"--allow-address", "127.0.0.1:8080",
                            "--allow-address=[::1]:8080", "--allow-address",
                            "fd00::/8", "http://a/"});
  CHECK(f.fetch.allowed_addresses ==
        std::vector<std::string>{"127.0.0.1:8080", "[::1]:8080", "fd00::/8"});
  CHECK_FALSE(f.fetch.allow_private_addresses);
  CHECK(f.urls == std::vector<std::string>{"http://a/"});
  ExpectUsageError({"--allow-address", "127.0.0.1:99999"},
                   {"--allow-address", "'127.0.0.1:99999'", "port"});
  ExpectUsageError({"--allow-address", "localhost"},
                   {"--allow-address", "'localhost'", "e.g."});
  ExpectUsageError({"--allow-address=10.0.0.1/8"},
                   {"--allow-address", "10.0.0.0/8"});
  ExpectUsageError({"http://a/", "--allow-address"},
                   {"--allow-address", "needs a value"});
}

// Regression: --help=1 used to be accepted as --help.
TEST_CASE("--help=1 is refused like every other flag that takes no value") {
  ExpectUsageError({"--help=1"}, {"--help", "'1'"});
}

// Regression: "--timeout 0.0001" used to round to a 0 ms limit, which
// FetchOptions forbids (every worker then refused to start).
TEST_CASE("A positive --timeout never becomes a zero-millisecond limit") {
  StatusOr<FetchFlags> f = ParseFetchFlags({"--timeout", "0.0001"});
  if (f.ok()) {
    CHECK(f->fetch.total_timeout_ms > 0);
  } else {
    CHECK(f.status().message().find("--timeout") != std::string::npos);
  }
  StatusOr<FetchFlags> g = ParseFetchFlags({"--connect-timeout", "0.0004"});
  if (g.ok()) {
    CHECK(g->fetch.connect_timeout_ms > 0);
  } else {
    CHECK(g.status().message().find("--connect-timeout") != std::string::npos);
  }
}

TEST_CASE("The usage text documents every option") {
  const std::string usage = FetchUsage();
  for (const char* opt :
       {"--input", "--output", "--workers", "--concurrency", "--ordered",
        "--timeout", "--connect-timeout", "--max-body", "--max-redirects",
        "--user-agent", "--retries", "--allow-private", "--allow-address",
        "--progress", "--help"}) {
    CHECK_MESSAGE(usage.find(opt) != std::string::npos, opt);
  }
}

}  // namespace
}  // namespace crawler::cli
