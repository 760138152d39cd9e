// YamlNode: a YAML document as a plain tree in which every node knows its
// line and column, built with yaml-cpp's event parser.
//
// This is the only place in the project that includes yaml-cpp, and the only
// place that catches its exceptions: ParseYaml turns a syntax error into a
// Status carrying yaml-cpp's mark. Everything above works on this tree, which
// keeps what a crawl file's checks need and yaml-cpp's node API does not
// give directly: duplicate keys (kept, in file order), whether a scalar was
// quoted, and a position for every key and value.
//
// Deliberately unsupported, reported as errors with their position: aliases
// ("*name"; anchors alone are harmless and ignored), explicit tags ("!!int",
// "!!binary", "!local"; only the non-specific "!" is allowed), nesting deeper
// than kMaxYamlDepth, and more than one document. Mapping keys that are not
// scalars are kept for the caller to refuse.
//
// Thread-safety: ParseYaml is pure and may run on many threads at once.
#ifndef CRAWLER_CONFIG_YAML_TREE_H_
#define CRAWLER_CONFIG_YAML_TREE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crawler::config {

// Mappings and lists nested deeper than this are refused before yaml-cpp's
// own recursion limit (YAML::DeepRecursion, also caught) is reached. A crawl
// file needs 4 levels (group, key, list, list entry).
inline constexpr int kMaxYamlDepth = 32;

// A position in the text, 1-based (what editors show).
struct YamlMark {
  int line = 0;
  int column = 0;
};

struct YamlNode {
  enum class Kind {
    kNull,      // Nothing ("key:" with no value, "~", "null").
    kScalar,    // Text, in `text`.
    kSequence,  // Items, in `items`.
    kMapping,   // Key/value pairs, in `entries`, in file order.
  };
  Kind kind = Kind::kNull;
  YamlMark mark;
  // kScalar: the value, with YAML's quoting and escapes already resolved.
  std::string text;
  // kScalar: written without quotes (a "plain" scalar, e.g. 10 or true), as
  // opposed to quoted, a block scalar or explicitly tagged.
  bool plain = false;
  std::vector<YamlNode> items;
  // Duplicate keys are kept: the caller decides what they mean.
  std::vector<std::pair<YamlNode, YamlNode>> entries;
};

// A YAML parse failure, located.
struct YamlError {
  YamlMark mark;
  // yaml-cpp's message ("illegal map value"), with a hint for common
  // mistakes (a tab in the indentation, an unquoted ": " in a value).
  std::string message;
  // The mapping keys leading to the failure, outermost first, as far as the
  // parser got ({"politeness", "delay"}); may be empty.
  std::vector<std::string> key_path;
};

// The result of ParseYaml: a tree, or the first syntax error.
struct YamlParse {
  // The document's root. kNull for an empty text (or only comments).
  YamlNode root;
  bool ok = true;
  YamlError error;  // Meaningful when !ok.
};

// Parses one YAML document. Never throws.
YamlParse ParseYaml(std::string_view text);

}  // namespace crawler::config

#endif  // CRAWLER_CONFIG_YAML_TREE_H_
