#include "crawler/config/env_substitution.h"

#include <map>

#include "crawler/testing/test_util.h"

namespace crawler::config {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Sub(std::string_view text) {
  StatusOr<Substituted> s =
      SubstituteEnv(text, FakeEnv({{"HOST", "a.test"}, {"EMPTY", ""}}));
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return s->text;
}

std::string SubError(std::string_view text) {
  StatusOr<Substituted> s = SubstituteEnv(text, FakeEnv({}));
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == Code::kInvalidArgument);
  return s.status().message();
}

TEST_SUITE("EnvSubstitution") {
  TEST_CASE("a set variable is replaced, anywhere in the value") {
    CHECK(Sub("https://${HOST}/x") == "https://a.test/x");
    CHECK(Sub("${HOST}${HOST}") == "a.testa.test");
    CHECK(Sub("[${EMPTY}]") == "[]");
  }

  TEST_CASE("text without ${ is unchanged and not marked") {
    StatusOr<Substituted> s = SubstituteEnv("a $b $ {c} $", FakeEnv({}));
    REQUIRE(s.ok());
    CHECK(s->text == "a $b $ {c} $");
    CHECK_FALSE(s->from_environment);
    CHECK(SubstituteEnv("${HOST}", FakeEnv({{"HOST", "x"}}))->from_environment);
  }

  TEST_CASE("$${ is a literal ${, not scanned again") {
    CHECK(Sub("$${HOST}") == "${HOST}");
  }

  TEST_CASE("substituted text is not scanned again") {
    StatusOr<Substituted> s = SubstituteEnv("${A}", FakeEnv({{"A", "${B}"}}));
    REQUIRE(s.ok());
    CHECK(s->text == "${B}");
  }

  TEST_CASE("an unset variable is an error naming it") {
    CHECK(SubError("x${PROXY_PASSWORD}y") ==
          "environment variable `PROXY_PASSWORD` is not set");
  }

  TEST_CASE("malformed references are errors") {
    CHECK(SubError("${HOST") == "`${` without a closing `}`");
    CHECK(SubError("${A-B}") ==
          "bad environment variable name `A-B` in `${A-B}` (letters, digits "
          "and '_', not starting with a digit)");
    CHECK(SubError("${}").find("bad environment variable name ``") == 0);
    CHECK(SubError("${1X}").find("bad environment variable name `1X`") == 0);
  }

  TEST_CASE("each replacement is kept, and messages can hide its value") {
    StatusOr<Substituted> s = SubstituteEnv(
        "${USER}:${PASS}@${ONE}",
        FakeEnv({{"USER", "alice"}, {"PASS", "s3cret"}, {"ONE", "1"}}));
    REQUIRE(s.ok());
    using Vars = std::vector<std::pair<std::string, std::string>>;
    CHECK(s->variables ==
          Vars{{"USER", "alice"}, {"PASS", "s3cret"}, {"ONE", "1"}});
    CHECK(RedactValues("bad 'alice:s3cret@1' (s3cret)", s->variables) ==
          "bad '${USER}:${PASS}@1' (${PASS})");
    // Too short to hide anything, and replacing would garble the message.
    CHECK(RedactValues("1 of 1", Vars{{"ONE", "1"}}) == "1 of 1");
  }

  TEST_CASE("IsEnvName: the rule of ${NAME}") {
    CHECK(IsEnvName("API_TOKEN"));
    CHECK(IsEnvName("_x1"));
    CHECK_FALSE(IsEnvName(""));
    CHECK_FALSE(IsEnvName("1X"));
    CHECK_FALSE(IsEnvName("alice:s3cret"));
    CHECK_FALSE(IsEnvName("A-B"));
  }

  TEST_CASE("ProcessEnvironment reads the real environment") {
    ::setenv("CRAWLER_ENV_SUBSTITUTION_TEST", "v", 1);
    ::unsetenv("CRAWLER_ENV_SUBSTITUTION_UNSET");
    EnvLookup env = ProcessEnvironment();
    CHECK(env("CRAWLER_ENV_SUBSTITUTION_TEST") ==
          std::optional<std::string>("v"));
    CHECK_FALSE(env("CRAWLER_ENV_SUBSTITUTION_UNSET").has_value());
  }
}

}  // namespace
}  // namespace crawler::config
