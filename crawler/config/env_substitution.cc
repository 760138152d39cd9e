#include "crawler/config/env_substitution.h"

#include <cstdlib>

namespace crawler::config {
namespace {

bool IsNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool IsEnvName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

std::string RedactValues(
    std::string message,
    const std::vector<std::pair<std::string, std::string>>& variables) {
  for (const auto& [name, value] : variables) {
    if (value.size() < kMinRedactedBytes) continue;
    const std::string shown = "${" + name + "}";
    for (size_t at = message.find(value); at != std::string::npos;
         at = message.find(value, at + shown.size())) {
      message.replace(at, value.size(), shown);
    }
  }
  return message;
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

StatusOr<Substituted> SubstituteEnv(std::string_view text,
                                    const EnvLookup& env) {
  Substituted out;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$') {
      out.text.push_back(c);
      ++i;
      continue;
    }
    if (text.substr(i, 3) == "$${") {
      out.text += "${";
      i += 3;
      continue;
    }
    if (text.substr(i, 2) != "${") {
      out.text.push_back('$');
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("`${` without a closing `}`");
    }
    const std::string name(text.substr(i + 2, close - i - 2));
    if (!IsEnvName(name)) {
      return InvalidArgumentError(
          "bad environment variable name `" + name + "` in `${" + name +
          "}` (letters, digits and '_', not starting with a digit)");
    }
    std::optional<std::string> value = env(name);
    if (!value) {
      return InvalidArgumentError("environment variable `" + name +
                                  "` is not set");
    }
    out.text += *value;
    out.from_environment = true;
    out.variables.emplace_back(name, std::move(*value));
    i = close + 1;
  }
  return out;
}

}  // namespace crawler::config
