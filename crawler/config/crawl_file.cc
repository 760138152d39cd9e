#include "crawler/config/crawl_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "crawler/config/key_table.h"
#include "crawler/config/yaml_tree.h"

namespace crawler::config {
namespace {

using Kind = YamlNode::Kind;

std::string JoinPath(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// The names directly under `prefix` ("" for the top level), in table order.
std::vector<std::string> Children(const std::string& prefix) {
  std::vector<std::string> out;
  const std::string start = prefix.empty() ? "" : prefix + ".";
  for (const KeySpec& k : Keys()) {
    if (k.path.compare(0, start.size(), start) != 0) continue;
    std::string rest = k.path.substr(start.size());
    rest = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), rest) == out.end()) {
      out.push_back(rest);
    }
  }
  return out;
}

bool IsGroup(const std::string& path) {
  const std::string start = path + ".";
  for (const KeySpec& k : Keys()) {
    if (k.path.compare(0, start.size(), start) == 0) return true;
  }
  return false;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ", ";
    out += words[i];
  }
  return out;
}

// A value quoted for a message: backticks, at most 80 bytes, control bytes
// escaped.
std::string Shown(std::string_view text) {
  constexpr size_t kMax = 80;
  std::string out = "`";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  return out + "`";
}

// What a node is, for "got ...".
std::string Describe(const YamlNode& node) {
  switch (node.kind) {
    case Kind::kNull:
      return "nothing";
    case Kind::kScalar:
      return Shown(node.text);
    case Kind::kSequence:
      return "a list";
    case Kind::kMapping:
      return "a mapping";
  }
  return "something else";
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNumberChar(char c) {
  return IsDigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    digits.remove_prefix(1);
  }
  if (!AllOf(digits, IsDigit) || digits.size() > 18) return std::nullopt;
  return std::strtoll(std::string(text).c_str(), nullptr, 10);
}

std::optional<double> ParseReal(std::string_view text) {
  if (!AllOf(text, IsNumberChar)) return std::nullopt;
  const std::string s(text);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || errno != 0 || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseByteCount(std::string_view text) {
  int64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
      case 'k':
        unit = int64_t{1} << 10;
        break;
      case 'M':
      case 'm':
        unit = int64_t{1} << 20;
        break;
      case 'G':
      case 'g':
        unit = int64_t{1} << 30;
        break;
      default:
        break;
    }
    if (unit != 1) text.remove_suffix(1);
  }
  if (!AllOf(text, IsDigit) || text.size() > 18) return std::nullopt;
  const int64_t n = std::strtoll(std::string(text).c_str(), nullptr, 10);
  if (n > std::numeric_limits<int64_t>::max() / unit) return std::nullopt;
  return n * unit;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string ResolvePath(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  if (dir == "/") return "/" + path;
  return dir + "/" + path;
}

// Optimal string alignment distance, on ASCII-lowercased text.
int EditDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  };
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// Walks a crawl file's tree against the key table, filling `out`.
class Loader {
 public:
  Loader(const std::string& path, const EnvLookup& env, LoadedCrawlFile* out)
      : path_(path), dir_(DirectoryOf(path)), env_(env), out_(out) {}

  void Run(std::string_view text) {
    YamlParse parsed = ParseYaml(text);
    if (!parsed.ok) {
      std::string key;
      for (const std::string& k : parsed.error.key_path) key = JoinPath(key, k);
      Error(parsed.error.mark, key,
            "YAML syntax error: " + parsed.error.message);
      return;
    }
    const YamlNode& root = parsed.root;
    if (root.kind == Kind::kNull) {
      Error(YamlMark{1, 1}, "",
            "empty crawl file: expected a mapping of groups (" +
                JoinWords(Children("")) +
                ") with at least seeds.urls or "
                "seeds.files");
      return;
    }
    if (root.kind != Kind::kMapping) {
      Error(root.mark, "",
            "expected a mapping of groups (" + JoinWords(Children("")) +
                "), got " + Describe(root));
      return;
    }
    WalkMapping(root, "");
    CheckNeeds();
    CheckSeeds(root);
  }

 private:
  void Error(YamlMark mark, std::string key, std::string message) {
    ConfigError e;
    e.file = path_;
    e.line = mark.line;
    e.column = mark.column;
    e.key = std::move(key);
    e.message = std::move(message);
    out_->errors.push_back(std::move(e));
  }

  void WalkMapping(const YamlNode& map, const std::string& prefix) {
    std::map<std::string, YamlMark> seen;
    for (const auto& [key, value] : map.entries) {
      if (key.kind != Kind::kScalar) {
        Error(key.mark, prefix, "expected a key name, got " + Describe(key));
        continue;
      }
      const std::string& name = key.text;
      const std::string full = JoinPath(prefix, name);
      auto [it, fresh] = seen.emplace(name, key.mark);
      if (!fresh) {
        Error(key.mark, full,
              "duplicate key " + Shown(name) + " (first set at line " +
                  std::to_string(it->second.line) + ")");
        continue;
      }
      if (const KeySpec* spec = FindKey(full);
          spec != nullptr && name.find('.') == std::string::npos) {
        ApplyKey(*spec, full, key, value);
      } else if (IsGroup(full) && name.find('.') == std::string::npos) {
        if (value.kind == Kind::kMapping) {
          WalkMapping(value, full);
        } else if (value.kind != Kind::kNull) {  // An empty group is fine.
          Error(value.mark, full,
                "expected a mapping of " + full + " keys (" +
                    JoinWords(Children(full)) + "), got " + Describe(value));
        }
      } else {
        Error(key.mark, full, UnknownKey(prefix, name));
      }
    }
  }

  std::string UnknownKey(const std::string& prefix, const std::string& name) {
    const std::string unknown = "unknown key " + Shown(name);
    const size_t dot = name.rfind('.');
    if (dot != std::string::npos && FindKey(JoinPath(prefix, name))) {
      return unknown + ": dotted keys are not expanded; write " +
             Shown(name.substr(dot + 1)) + " under " +
             Shown(JoinPath(prefix, name.substr(0, dot)) + ":");
    }
    const std::vector<std::string> here = Children(prefix);
    std::string near = NearestKey(name, here);
    if (!near.empty()) return unknown + ", did you mean " + Shown(near) + "?";
    // A key of another group, misplaced or misspelt.
    std::vector<std::string> leaves;
    std::vector<std::string> paths;
    for (const KeySpec& k : Keys()) {
      leaves.push_back(k.path.substr(k.path.rfind('.') + 1));
      paths.push_back(k.path);
    }
    near = NearestKey(name, leaves);
    if (!near.empty()) {
      const size_t i =
          std::find(leaves.begin(), leaves.end(), near) - leaves.begin();
      return unknown + ", did you mean " + Shown(paths[i]) + "?";
    }
    return unknown + " (valid " + (prefix.empty() ? "groups" : "keys here") +
           ": " + JoinWords(here) + ")";
  }

  // The scalar's text after ${NAME} substitution, or nullopt after an error.
  std::optional<Substituted> Substitute(const YamlNode& node,
                                        const std::string& key) {
    StatusOr<Substituted> s = SubstituteEnv(node.text, env_);
    if (!s.ok()) {
      Error(node.mark, key, s.status().message());
      return std::nullopt;
    }
    return std::move(*s);
  }

  // "got `x`", without the environment's value (it may be a secret).
  static std::string Got(const YamlNode& node, bool from_env) {
    return ", got " + Describe(node) +
           (from_env ? " (value from the environment not shown)" : "");
  }

  // A check's message about `sub`, a value of `node`, with what the
  // environment gave shown as ${NAME}.
  static std::string Redacted(const std::string& message,
                              const Substituted& sub, const YamlNode& node) {
    if (!sub.from_environment) return message;
    std::string out = message;
    if (sub.text.size() >= kMinRedactedBytes) {
      for (size_t at = out.find(sub.text); at != std::string::npos;
           at = out.find(sub.text, at + node.text.size())) {
        out.replace(at, sub.text.size(), node.text);
      }
    }
    return RedactValues(std::move(out), sub.variables) +
           " (from the environment)";
  }

  // The value of the environment variable that `name` (a value of `node`)
  // names, for a key or field whose value is a secret: nullopt after an
  // error. An empty name gives "" when `allow_none`. No message shows the
  // variable's value, nor `name` itself when it is not a variable name (it
  // may be the secret, written where its variable's name goes).
  std::optional<std::string> ReadSecret(const YamlNode& node,
                                        const std::string& key,
                                        const std::string& name,
                                        bool allow_none) {
    if (name.empty() && allow_none) return std::string();
    if (!IsEnvName(name)) {
      Error(node.mark, key,
            "expected the name of the environment variable that holds the "
            "secret (letters, digits and '_', not starting with a digit); "
            "the value written is not shown, in case it is the secret "
            "itself");
      return std::nullopt;
    }
    std::optional<std::string> value = env_(name);
    if (!value || value->empty()) {
      Error(node.mark, key,
            "environment variable `" + name + "` is " +
                (value ? "empty" : "not set"));
      return std::nullopt;
    }
    return value;
  }

  // Checks one text value of `spec` (a scalar or a list item) and returns
  // it, resolved, or nullopt after reporting an error.
  std::optional<std::string> TextValue(const KeySpec& spec,
                                       const std::string& key,
                                       const YamlNode& node,
                                       const std::string& expected) {
    if (node.kind != Kind::kScalar) {
      Error(node.mark, key, "expected " + expected + Got(node, false));
      return std::nullopt;
    }
    std::optional<Substituted> sub = Substitute(node, key);
    if (!sub) return std::nullopt;
    std::string text = sub->text;
    if (spec.env_name) {
      std::optional<std::string> secret =
          ReadSecret(node, key, text, /*allow_none=*/true);
      if (!secret) return std::nullopt;
      if (spec.check && !secret->empty()) {
        Status s = spec.check(*secret);
        if (!s.ok()) {
          Error(node.mark, key, SecretMessage(text, *secret, s));
          return std::nullopt;
        }
      }
      return secret;
    }
    if (spec.type == ValueType::kPath || spec.type == ValueType::kPathList) {
      text = ResolvePath(dir_, text);
    }
    if (spec.check) {
      Status s = spec.check(text);
      if (!s.ok()) {
        Error(node.mark, key, Redacted(s.message(), *sub, node));
        return std::nullopt;
      }
    }
    return text;
  }

  // A check's message about the secret in environment variable `name`.
  static std::string SecretMessage(const std::string& name,
                                   const std::string& secret, const Status& s) {
    return "environment variable `" + name +
           "`: " + RedactValues(s.message(), {{name, secret}});
  }

  // A kMappingList value: each item a mapping with every field of `spec`.
  // Returns false after reporting errors.
  bool MappingListValue(const KeySpec& spec, const std::string& full,
                        const YamlNode& value, KeyValue* v) {
    std::vector<std::string> names;
    for (const FieldSpec& f : spec.fields) names.push_back(f.name);
    const std::string all = JoinWords(names);
    bool ok = true;
    for (size_t i = 0; i < value.items.size(); ++i) {
      const YamlNode& item = value.items[i];
      const std::string item_key = full + "[" + std::to_string(i) + "]";
      if (item.kind != Kind::kMapping) {
        Error(item.mark, item_key,
              "expected a mapping of " + all + Got(item, false));
        ok = false;
        continue;
      }
      // The value node of each field, found in file order.
      std::vector<const YamlNode*> found(spec.fields.size(), nullptr);
      bool item_ok = true;
      for (const auto& [key, field_value] : item.entries) {
        if (key.kind != Kind::kScalar) {
          Error(key.mark, item_key,
                "expected a key name, got " + Describe(key));
          item_ok = false;
          continue;
        }
        const std::string field_key = item_key + "." + key.text;
        const auto at = std::find(names.begin(), names.end(), key.text);
        if (at == names.end()) {
          const std::string near = NearestKey(key.text, names);
          Error(key.mark, field_key,
                "unknown key " + Shown(key.text) +
                    (near.empty() ? " (valid keys here: " + all + ")"
                                  : ", did you mean " + Shown(near) + "?"));
          item_ok = false;
          continue;
        }
        const size_t f = at - names.begin();
        if (found[f] != nullptr) {
          Error(key.mark, field_key,
                "duplicate key " + Shown(key.text) + " (first set at line " +
                    std::to_string(found[f]->mark.line) + ")");
          item_ok = false;
          continue;
        }
        found[f] = &field_value;
      }
      // Then each field, in the table's order (a check may depend on the
      // fields before it).
      std::vector<std::string> values(spec.fields.size());
      for (size_t f = 0; f < spec.fields.size(); ++f) {
        const FieldSpec& field = spec.fields[f];
        const std::string field_key = item_key + "." + field.name;
        if (found[f] == nullptr) {
          Error(item.mark, item_key,
                "missing key " + Shown(field.name) + " (each entry needs " +
                    all + ")");
          item_ok = false;
          continue;
        }
        const YamlNode& node = *found[f];
        if (node.kind != Kind::kScalar) {
          Error(node.mark, field_key,
                "expected " + field.expected + Got(node, false));
          item_ok = false;
          continue;
        }
        std::optional<Substituted> sub = Substitute(node, field_key);
        if (!sub) {
          item_ok = false;
          continue;
        }
        std::string text = sub->text;
        Status s = Status::Ok();
        if (field.env_name) {
          std::optional<std::string> secret =
              ReadSecret(node, field_key, text, /*allow_none=*/false);
          if (!secret) {
            item_ok = false;
            continue;
          }
          if (field.check) s = field.check(*secret, values);
          if (!s.ok()) {
            Error(node.mark, field_key, SecretMessage(text, *secret, s));
            item_ok = false;
            continue;
          }
          values[f] = std::move(*secret);
          continue;
        }
        if (field.check) s = field.check(text, values);
        if (!s.ok()) {
          Error(node.mark, field_key, Redacted(s.message(), *sub, node));
          item_ok = false;
          continue;
        }
        values[f] = std::move(text);
      }
      if (item_ok) {
        v->records.push_back(std::move(values));
      } else {
        ok = false;
      }
    }
    return ok;
  }

  // The whole list's check, once its items passed theirs.
  bool ListValue(const KeySpec& spec, const std::string& full,
                 const YamlNode& value, const KeyValue& v) {
    if (!spec.list_check) return true;
    Status s = spec.list_check(v);
    if (s.ok()) return true;
    Error(value.mark, full, s.message());
    return false;
  }

  void ApplyKey(const KeySpec& spec, const std::string& full,
                const YamlNode& key, const YamlNode& value) {
    const std::string expected = Expected(spec);
    // A missing value has no useful position of its own: use the key's.
    const YamlMark mark = value.kind == Kind::kNull ? key.mark : value.mark;
    key_marks_[full] = key.mark;
    KeyValue v;
    if (spec.type == ValueType::kStringList ||
        spec.type == ValueType::kPathList ||
        spec.type == ValueType::kMappingList) {
      if (value.kind != Kind::kSequence) {
        std::string hint;
        if (value.kind == Kind::kNull) hint = " (write [] for none)";
        if (value.kind == Kind::kScalar &&
            spec.type == ValueType::kMappingList) {
          hint = " (write one `- ` line per entry, each a mapping)";
        } else if (value.kind == Kind::kScalar) {
          hint = " (write a list: [" + value.text +
                 "], or one `- ` line per item)";
        }
        Error(mark, full, "expected " + expected + Got(value, false) + hint);
        return;
      }
      if (spec.type == ValueType::kMappingList) {
        if (MappingListValue(spec, full, value, &v) &&
            ListValue(spec, full, value, v)) {
          Set(spec, full, v);
        }
        return;
      }
      const std::string item_expected =
          spec.type == ValueType::kPathList ? "a file path" : "a string";
      bool ok = true;
      for (size_t i = 0; i < value.items.size(); ++i) {
        const std::string item_key = full + "[" + std::to_string(i) + "]";
        std::optional<std::string> text =
            TextValue(spec, item_key, value.items[i], item_expected);
        if (!text) {
          ok = false;
          continue;
        }
        v.list.push_back(std::move(*text));
      }
      if (ok && ListValue(spec, full, value, v)) Set(spec, full, v);
      return;
    }
    if (value.kind != Kind::kScalar) {
      Error(mark, full, "expected " + expected + Got(value, false));
      return;
    }
    if (spec.type == ValueType::kString || spec.type == ValueType::kPath) {
      std::optional<std::string> text = TextValue(spec, full, value, expected);
      if (!text) return;
      v.text = std::move(*text);
      Set(spec, full, v);
      return;
    }
    std::optional<Substituted> sub = Substitute(value, full);
    if (!sub) return;
    const bool from_env = sub->from_environment;
    const std::string* text = &sub->text;
    const std::string bad = "expected " + expected + Got(value, from_env);
    switch (spec.type) {
      case ValueType::kBool:
        if (*text == "true" || *text == "True" || *text == "TRUE") {
          v.boolean = true;
        } else if (*text == "false" || *text == "False" || *text == "FALSE") {
          v.boolean = false;
        } else {
          return Error(mark, full, bad);
        }
        break;
      case ValueType::kInt: {
        std::optional<int64_t> n = ParseInteger(*text);
        if (!n || *n < spec.min || *n > spec.max) {
          return Error(mark, full, bad);
        }
        v.integer = *n;
        break;
      }
      case ValueType::kNumber:
      case ValueType::kSeconds: {
        std::optional<double> x = ParseReal(*text);
        if (!x || *x < spec.min || *x > spec.max) {
          return Error(mark, full, bad);
        }
        v.number = *x;
        break;
      }
      case ValueType::kBytes: {
        std::optional<int64_t> n = ParseByteCount(*text);
        if (!n || *n < spec.min || *n > spec.max) {
          return Error(mark, full, bad);
        }
        v.integer = *n;
        break;
      }
      case ValueType::kEnum:
        // The check, the owning package's parser, may accept more spellings
        // than `choices` lists (output.format: json for jsonl), as the flag
        // does.
        if (std::find(spec.choices.begin(), spec.choices.end(), *text) ==
                spec.choices.end() &&
            !(spec.check && spec.check(*text).ok())) {
          const std::string near = NearestKey(*text, spec.choices);
          return Error(
              mark, full,
              bad +
                  (near.empty() ? "" : ", did you mean " + Shown(near) + "?"));
        }
        v.text = *text;
        break;
      default:
        return Error(mark, full, bad);
    }
    if (spec.check) {
      Status s = spec.check(*text);
      if (!s.ok()) return Error(mark, full, Redacted(s.message(), *sub, value));
    }
    Set(spec, full, v);
  }

  void Set(const KeySpec& spec, const std::string& full, const KeyValue& v) {
    spec.set(v, out_->config);
    out_->keys_set.push_back(full);
  }

  // A key that needs another (fetch.noproxy needs fetch.proxy) and is set
  // to something when the other is not.
  void CheckNeeds() {
    auto none = [](const std::string& yaml) {
      return yaml == "\"\"" || yaml == "[]";
    };
    for (const std::string& path : out_->keys_set) {
      const KeySpec* spec = FindKey(path);
      if (spec == nullptr || spec->needs.empty()) continue;
      const KeySpec* other = FindKey(spec->needs);
      if (other == nullptr || none(spec->get(out_->config)) ||
          !none(other->get(out_->config))) {
        continue;
      }
      bool reported = false;  // The other key is there, but wrong.
      for (const ConfigError& e : out_->errors) {
        reported = reported || e.key == spec->needs;
      }
      if (reported) continue;
      Error(key_marks_[path], path,
            "needs " + spec->needs + ", which is not set");
    }
  }

  // A crawl file must name its seeds (command-line URLs only add to them).
  void CheckSeeds(const YamlNode& root) {
    if (!out_->config.seeds.empty() || !out_->config.seed_files.empty()) {
      return;
    }
    YamlMark mark{1, 1};
    for (const auto& [key, value] : root.entries) {
      if (key.kind == Kind::kScalar && key.text == "seeds") mark = key.mark;
    }
    for (const ConfigError& e : out_->errors) {
      // Already reported: a bad seed URL or file, or a malformed group.
      if (e.key == "seeds" || e.key.rfind("seeds.", 0) == 0) return;
    }
    Error(mark, "seeds",
          "no seeds: expected at least one URL in seeds.urls or one file in "
          "seeds.files");
  }

  const std::string& path_;
  const std::string dir_;
  const EnvLookup& env_;
  LoadedCrawlFile* out_;
  // Where each key set was written.
  std::map<std::string, YamlMark> key_marks_;
};

// `bytes` 0: not known (the file grew while it was read).
std::string TooLarge(size_t bytes) {
  return "crawl file too large: " +
         (bytes == 0 ? std::string("it has")
                     : std::to_string(bytes) + " bytes,") +
         " more than the " + std::to_string(kMaxCrawlFileBytes >> 20) +
         " MiB (" + std::to_string(kMaxCrawlFileBytes) +
         " bytes) a crawl file may have";
}

void CapErrors(LoadedCrawlFile& loaded, const std::string& path) {
  if (loaded.errors.size() <= static_cast<size_t>(kMaxErrors)) return;
  const size_t more = loaded.errors.size() - (kMaxErrors - 1);
  loaded.errors.resize(kMaxErrors - 1);
  ConfigError e;
  e.file = path;
  e.message = std::to_string(more) + " more errors not shown";
  loaded.errors.push_back(std::move(e));
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

Status LoadedCrawlFile::ToStatus() const {
  if (errors.empty()) return Status::Ok();
  std::string message;
  for (const ConfigError& e : errors) {
    if (!message.empty()) message += "\n";
    message += e.ToString();
  }
  return InvalidArgumentError(std::move(message));
}

LoadedCrawlFile LoadCrawlText(std::string_view text, const std::string& path,
                              const CrawlConfig& defaults,
                              const EnvLookup& env) {
  LoadedCrawlFile loaded;
  loaded.config = defaults;
  if (text.size() > kMaxCrawlFileBytes) {
    ConfigError e;
    e.file = path;
    e.message = TooLarge(text.size());
    loaded.errors.push_back(std::move(e));
    return loaded;
  }
  Loader(path, env, &loaded).Run(text);
  // File order: checks that look at several keys (seeds, needs) report
  // after the walk.
  std::stable_sort(loaded.errors.begin(), loaded.errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return std::make_pair(a.line, a.column) <
                            std::make_pair(b.line, b.column);
                   });
  CapErrors(loaded, path);
  return loaded;
}

LoadedCrawlFile LoadCrawlFile(const std::string& path,
                              const CrawlConfig& defaults,
                              const EnvLookup& env) {
  auto fail = [&](const std::string& why) {
    LoadedCrawlFile loaded;
    loaded.config = defaults;
    ConfigError e;
    e.file = path;
    e.message = why;
    loaded.errors.push_back(std::move(e));
    return loaded;
  };
  auto cannot = [&](const std::string& why) {
    return fail("cannot read crawl file: " + why);
  };
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return cannot(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return cannot("not a regular file");
  if (st.st_size > static_cast<off_t>(kMaxCrawlFileBytes)) {
    return fail(TooLarge(static_cast<size_t>(st.st_size)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot(std::strerror(errno));
  // At most one byte past the cap: a file that grew since stat() is still
  // refused, not read whole.
  std::string text(kMaxCrawlFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return cannot("read error");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxCrawlFileBytes) {
    return fail(TooLarge(0));
  }
  return LoadCrawlText(text, path, defaults, env);
}

std::string NearestKey(std::string_view word,
                       const std::vector<std::string>& candidates) {
  const int limit = word.size() <= 4 ? 1 : word.size() <= 8 ? 2 : 3;
  std::string best;
  int best_distance = limit + 1;
  for (const std::string& c : candidates) {
    const int d = EditDistance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace crawler::config
