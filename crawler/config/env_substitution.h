// ${NAME} substitution: values of a crawl file taken from the environment,
// so that secrets and per-machine values stay out of the file.
//
//   ${NAME}  the value of environment variable NAME (letters, digits and
//            '_', not starting with a digit); set but empty gives "";
//   $${      a literal "${" (so "$${HOME}" stays "${HOME}");
//   $        anywhere else, a literal '$'.
// Substituted text is not scanned again. An unset variable is an error, never
// an empty string: a typo in a name must not silently change a crawl.
//
// Thread-safety: SubstituteEnv is pure apart from calling `env`;
// ProcessEnvironment()'s lookup reads the process environment (getenv).
#ifndef CRAWLER_CONFIG_ENV_SUBSTITUTION_H_
#define CRAWLER_CONFIG_ENV_SUBSTITUTION_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::config {

// Looks up one environment variable: its value, or nullopt when unset.
using EnvLookup =
    std::function<std::optional<std::string>(const std::string& name)>;

// The process's environment.
EnvLookup ProcessEnvironment();

struct Substituted {
  std::string text;
  // Whether some ${NAME} was replaced (messages then avoid echoing the
  // value, which may be a secret).
  bool from_environment = false;
  // Each replacement: the variable's name and the value it gave, so that a
  // message about the text can show ${NAME} instead of the value.
  std::vector<std::pair<std::string, std::string>> variables;
};

// Returns `message` with each value of `variables` replaced by ${NAME}, its
// variable. Values shorter than kMinRedactedBytes are left: replacing every
// "1" or "a" would garble the message, and cannot hide a secret anyway.
inline constexpr size_t kMinRedactedBytes = 4;
std::string RedactValues(
    std::string message,
    const std::vector<std::pair<std::string, std::string>>& variables);

// Whether `name` can name an environment variable: letters, digits and '_',
// not starting with a digit (the rule of ${NAME}).
bool IsEnvName(std::string_view name);

// Replaces every ${NAME} in `text`. Fails with InvalidArgument:
//   "environment variable `NAME` is not set",
//   "`${` without a closing `}`",
//   "bad environment variable name `a-b` in `${a-b}` (letters, digits and
//    '_', not starting with a digit)".
StatusOr<Substituted> SubstituteEnv(std::string_view text,
                                    const EnvLookup& env);

}  // namespace crawler::config

#endif  // CRAWLER_CONFIG_ENV_SUBSTITUTION_H_
