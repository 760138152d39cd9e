#include "crawler/config/yaml_tree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace crawler::config {
namespace {

YamlMark ToMark(const YAML::Mark& m) {
  if (m.is_null()) return YamlMark{};
  return YamlMark{m.line + 1, m.column + 1};
}

// Thrown by TreeBuilder to stop the parser at a nesting deeper than
// kMaxYamlDepth (caught in ParseYaml; yaml-cpp's parser is exception-safe,
// it throws its own errors the same way).
struct TooDeep {
  YamlError error;
};

// An explicit tag as it was written: "!!int" for yaml-cpp's
// "tag:yaml.org,2002:int", "!local" as it is, "!<uri>" for a verbatim one.
std::string WrittenTag(const std::string& tag) {
  static constexpr std::string_view kCore = "tag:yaml.org,2002:";
  if (tag.compare(0, kCore.size(), kCore) == 0) {
    return "!!" + tag.substr(kCore.size());
  }
  if (!tag.empty() && tag[0] == '!') return tag;
  return "!<" + tag + ">";
}

std::string DepthMessage() {
  return "nested more than " + std::to_string(kMaxYamlDepth) +
         " levels deep (a crawl file needs 4: group, key, list, entry)";
}

// Builds a YamlNode tree from yaml-cpp's events. The first problem that the
// parser itself does not report (an alias, a tag) is kept in `error`.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(std::string_view text) : text_(text) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    document_mark_ = ToMark(mark);
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    YamlNode node;
    node.mark = ToMark(mark);
    Add(std::move(node));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    if (!error_) {
      error_ = YamlError{ToMark(mark),
                         "aliases (*name) are not supported in crawl files; "
                         "write the value out",
                         KeyPath()};
    }
    YamlNode node;
    node.mark = ToMark(mark);
    Add(std::move(node));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                const std::string& value) override {
    YamlNode node;
    node.kind = YamlNode::Kind::kScalar;
    node.mark = ToMark(mark);
    node.text = value;
    // yaml-cpp tags a plain scalar "?" and a quoted or block one "!".
    node.plain = tag == "?";
    CheckTag(tag, node.mark);
    if (!error_ && !QuoteClosed(static_cast<size_t>(mark.pos))) {
      error_ = YamlError{node.mark, "a quoted value without its closing quote",
                         KeyPath()};
    }
    Add(std::move(node));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag,
                       YAML::anchor_t, YAML::EmitterStyle::value) override {
    CheckTag(tag, ToMark(mark));
    Open(YamlNode::Kind::kSequence, mark);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag,
                  YAML::anchor_t, YAML::EmitterStyle::value) override {
    CheckTag(tag, ToMark(mark));
    Open(YamlNode::Kind::kMapping, mark);
  }
  void OnMapEnd() override { Close(); }

  // The mapping keys from the root to the node being built.
  std::vector<std::string> KeyPath() const {
    std::vector<std::string> path;
    for (const Frame& f : stack_) {
      if (f.node.kind == YamlNode::Kind::kMapping && f.key &&
          f.key->kind == YamlNode::Kind::kScalar) {
        path.push_back(f.key->text);
      }
    }
    return path;
  }

  YamlNode TakeRoot() { return std::move(root_); }
  const std::optional<YamlError>& error() const { return error_; }
  YamlMark document_mark() const { return document_mark_; }

 private:
  struct Frame {
    YamlNode node;
    std::optional<YamlNode> key;  // A mapping's key awaiting its value.
  };

  // yaml-cpp gives "?" for a node without a tag and "!" for a quoted or
  // block scalar or the non-specific tag "!"; anything else was written.
  void CheckTag(const std::string& tag, YamlMark mark) {
    if (error_ || tag == "?" || tag == "!" || tag.empty()) return;
    error_ = YamlError{mark,
                       "tags (`" + WrittenTag(tag) +
                           "`) are not supported in crawl files; remove it "
                           "(each key's type says how its value is read)",
                       KeyPath()};
  }

  void Open(YamlNode::Kind kind, const YAML::Mark& mark) {
    if (stack_.size() >= static_cast<size_t>(kMaxYamlDepth)) {
      throw TooDeep{YamlError{ToMark(mark), DepthMessage(), KeyPath()}};
    }
    Frame f;
    f.node.kind = kind;
    f.node.mark = ToMark(mark);
    stack_.push_back(std::move(f));
  }
  void Close() {
    YamlNode node = std::move(stack_.back().node);
    stack_.pop_back();
    Add(std::move(node));
  }
  void Add(YamlNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& top = stack_.back();
    if (top.node.kind == YamlNode::Kind::kSequence) {
      top.node.items.push_back(std::move(node));
    } else if (!top.key) {
      top.key = std::move(node);
    } else {
      top.node.entries.emplace_back(std::move(*top.key), std::move(node));
      top.key.reset();
    }
  }

  // yaml-cpp 0.7 accepts a quoted scalar left open at the end of the text
  // when a line break follows the quote; check that the quote starting at
  // `pos` (if one does) is closed.
  bool QuoteClosed(size_t pos) const {
    if (pos >= text_.size()) return true;
    const char quote = text_[pos];
    if (quote != '"' && quote != '\'') return true;
    for (size_t i = pos + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;  // An escape: the next character is not the end.
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;  // '' is a quote inside a single-quoted value.
        } else {
          return true;
        }
      }
    }
    return false;
  }

  std::string_view text_;
  std::vector<Frame> stack_;
  YamlNode root_;
  std::optional<YamlError> error_;
  YamlMark document_mark_;
};

// Only notes that a document started (the second one, which is refused).
class DocumentProbe : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (!seen) mark_ = ToMark(mark);
    seen = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  bool seen = false;
  YamlMark mark() const { return mark_; }

 private:
  YamlMark mark_;
};

// yaml-cpp's terse messages, with what usually causes them.
std::string WithHint(const std::string& message) {
  struct Hint {
    const char* message;
    const char* hint;
  };
  static constexpr Hint kHints[] = {
      {"illegal map value",
       "a value containing \": \" must be quoted, or the indentation is off"},
      {"end of sequence flow not found", "a '[' without its ']'"},
      {"end of map flow not found", "a '{' without its '}'"},
      {"end of map not found", "check the indentation"},
      {"end of sequence not found", "check the indentation"},
      {"illegal EOF in scalar", "a quoted value without its closing quote"},
  };
  for (const Hint& h : kHints) {
    if (message == h.message) return message + " (" + h.hint + ")";
  }
  return message;
}

// yaml-cpp's message for a tab in the indentation depends on where it is;
// say what the problem is when a line up to the error's starts with one.
std::string TabHint(std::string_view text, int error_line) {
  int line = 1;
  bool at_start = true;
  for (char c : text) {
    if (error_line > 0 && line > error_line) break;
    if (c == '\n') {
      ++line;
      at_start = true;
    } else if (at_start && c == '\t') {
      return " (line " + std::to_string(line) +
             " is indented with a tab; YAML indents with spaces only)";
    } else if (c != ' ') {
      at_start = false;
    }
  }
  return "";
}

}  // namespace

YamlParse ParseYaml(std::string_view text) {
  YamlParse out;
  std::istringstream in{std::string(text)};
  TreeBuilder builder(text);
  try {
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(builder)) return out;  // Empty.
    if (builder.error()) {
      out.ok = false;
      out.error = *builder.error();
      return out;
    }
    DocumentProbe probe;
    parser.HandleNextDocument(probe);
    if (probe.seen) {
      out.ok = false;
      out.error = YamlError{
          probe.mark(),
          "a second YAML document; a crawl file holds exactly one (remove "
          "the '---' or '...' line, or check the indentation)",
          {}};
      return out;
    }
  } catch (const TooDeep& e) {
    out.ok = false;
    out.error = e.error;
    return out;
  } catch (const YAML::DeepRecursion& e) {
    // Its message is "bad file"; say what it means.
    out.ok = false;
    out.error = YamlError{ToMark(e.mark), DepthMessage(), builder.KeyPath()};
    return out;
  } catch (const YAML::Exception& e) {
    out.ok = false;
    const YamlMark mark = ToMark(e.mark);
    const std::string tab = TabHint(text, mark.line);
    std::string message = tab.empty() ? WithHint(e.msg) : e.msg + tab;
    out.error = YamlError{mark, std::move(message), builder.KeyPath()};
    return out;
  } catch (const std::exception& e) {
    out.ok = false;
    out.error = YamlError{YamlMark{}, e.what(), builder.KeyPath()};
    return out;
  }
  out.root = builder.TakeRoot();
  return out;
}

}  // namespace crawler::config
