#include "crawler/html/html_extractor.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "crawler/html/markup_compactor.h"

namespace crawler::html {
namespace {

// ---------------------------------------------------------------------------
// Nesting-depth pre-scan.
//
// A single forward pass over the bytes that follows the HTML tokenizer closely
// enough to find tags (comments, doctype, quoted attribute values, raw-text
// elements such as <script> and <style>, CDATA in SVG/MathML) and keeps a
// stack of the elements it believes are open. The rules are chosen so that the
// estimate errs on the high side: an end tag only pops elements when the HTML
// tree builder would also pop them, and start tags whose handling is unclear
// are counted. Elements with optional end tags (<p>, <li>, <td>, <tr>,
// <option>, ...) close their predecessors as in browsers, so ordinary sloppy
// markup is not over-counted.
// ---------------------------------------------------------------------------

enum TagFlag : uint32_t {
  kVoid = 1u << 0,              // No content, never pushed (br, img, ...).
  kSpecial = 1u << 1,           // "Special" category of the HTML spec.
  kScopeBoundary = 1u << 2,     // Ends the default "has an element in scope".
  kRawText = 1u << 3,           // Content is text up to </name> (style, title).
  kScript = 1u << 4,            // Script data, with its escape states.
  kPlaintext = 1u << 5,         // The rest of the document is text.
  kIgnored = 1u << 6,           // Never pushed: html, head, body, frameset.
  kTableOnly = 1u << 7,         // Only inserted when a table is open.
  kClosesP = 1u << 8,           // Start tag closes an open <p>.
  kBreakout = 1u << 9,          // Start tag leaves SVG/MathML content.
  kSvgIntegration = 1u << 10,   // foreignObject, desc, title in SVG.
  kMathIntegration = 1u << 11,  // mi, mo, mn, ms, mtext, annotation-xml.
  kHeading = 1u << 12,          // h1..h6.
  kTableScope = 1u << 13,       // End tag uses "table scope" (table parts).
};

struct TagInfo {
  std::string_view name;
  uint32_t flags;
};

// Sorted by name (binary search). Names not listed are ordinary elements.
constexpr uint32_t kSp = kSpecial;
constexpr TagInfo kTags[] = {
    {"address", kSp | kClosesP},
    {"annotation-xml", kMathIntegration},
    {"applet", kSp | kScopeBoundary},
    {"area", kSp | kVoid},
    {"article", kSp | kClosesP},
    {"aside", kSp | kClosesP},
    {"b", kBreakout},
    {"base", kSp | kVoid},
    {"basefont", kSp | kVoid},
    {"bgsound", kSp | kVoid},
    {"big", kBreakout},
    {"blockquote", kSp | kClosesP | kBreakout},
    {"body", kSp | kIgnored | kBreakout},
    {"br", kSp | kVoid | kBreakout},
    {"button", kSp},
    {"caption", kSp | kScopeBoundary | kTableOnly | kTableScope},
    {"center", kSp | kClosesP | kBreakout},
    {"code", kBreakout},
    {"col", kSp | kVoid},
    {"colgroup", kSp | kTableOnly | kTableScope},
    {"dd", kSp | kBreakout},
    {"desc", kSvgIntegration},
    {"details", kSp | kClosesP},
    {"dialog", kSp | kClosesP},
    {"dir", kSp | kClosesP},
    {"div", kSp | kClosesP | kBreakout},
    {"dl", kSp | kClosesP | kBreakout},
    {"dt", kSp | kBreakout},
    {"em", kBreakout},
    {"embed", kSp | kVoid | kBreakout},
    {"fieldset", kSp | kClosesP},
    {"figcaption", kSp | kClosesP},
    {"figure", kSp | kClosesP},
    {"footer", kSp | kClosesP},
    {"foreignobject", kSvgIntegration},
    {"form", kSp | kClosesP},
    {"frame", kSp | kVoid},
    {"frameset", kSp | kIgnored},
    {"h1", kSp | kClosesP | kBreakout | kHeading},
    {"h2", kSp | kClosesP | kBreakout | kHeading},
    {"h3", kSp | kClosesP | kBreakout | kHeading},
    {"h4", kSp | kClosesP | kBreakout | kHeading},
    {"h5", kSp | kClosesP | kBreakout | kHeading},
    {"h6", kSp | kClosesP | kBreakout | kHeading},
    {"head", kSp | kIgnored | kBreakout},
    {"header", kSp | kClosesP},
    {"hgroup", kSp | kClosesP},
    {"hr", kSp | kVoid | kClosesP | kBreakout},
    {"html", kSp | kIgnored | kScopeBoundary},
    {"i", kBreakout},
    {"iframe", kSp | kRawText},
    {"image", kSp | kVoid},
    {"img", kSp | kVoid | kBreakout},
    {"input", kSp | kVoid},
    {"isindex", kSp | kVoid},
    {"keygen", kSp | kVoid},
    {"li", kSp | kBreakout},
    {"link", kSp | kVoid},
    {"listing", kSp | kClosesP | kBreakout},
    {"main", kSp | kClosesP},
    {"marquee", kSp | kScopeBoundary},
    {"menu", kSp | kClosesP | kBreakout},
    {"menuitem", kSp},
    {"meta", kSp | kVoid | kBreakout},
    {"mi", kMathIntegration},
    {"mn", kMathIntegration},
    {"mo", kMathIntegration},
    {"ms", kMathIntegration},
    {"mtext", kMathIntegration},
    {"nav", kSp | kClosesP},
    {"nobr", kBreakout},
    {"noembed", kSp | kRawText},
    {"noframes", kSp | kRawText},
    {"noscript", kSp},
    {"object", kSp | kScopeBoundary},
    {"ol", kSp | kClosesP | kBreakout},
    {"p", kSp | kClosesP | kBreakout},
    {"param", kSp | kVoid},
    {"plaintext", kSp | kClosesP | kPlaintext},
    {"pre", kSp | kClosesP | kBreakout},
    {"ruby", kBreakout},
    {"s", kBreakout},
    {"script", kSp | kScript},
    {"search", kSp | kClosesP},
    {"section", kSp | kClosesP},
    {"select", kSp},
    {"small", kBreakout},
    {"source", kSp | kVoid},
    {"span", kBreakout},
    {"strike", kBreakout},
    {"strong", kBreakout},
    {"style", kSp | kRawText},
    {"sub", kBreakout},
    {"summary", kSp | kClosesP},
    {"sup", kBreakout},
    {"table", kSp | kScopeBoundary | kBreakout | kTableScope},
    {"tbody", kSp | kTableOnly | kTableScope},
    {"td", kSp | kScopeBoundary | kTableOnly | kTableScope},
    {"template", kSp | kScopeBoundary},
    {"textarea", kSp | kRawText},
    {"tfoot", kSp | kTableOnly | kTableScope},
    {"th", kSp | kScopeBoundary | kTableOnly | kTableScope},
    {"thead", kSp | kTableOnly | kTableScope},
    {"title", kSp | kRawText | kSvgIntegration},
    {"tr", kSp | kTableOnly | kTableScope},
    {"track", kSp | kVoid},
    {"tt", kBreakout},
    {"u", kBreakout},
    {"ul", kSp | kClosesP | kBreakout},
    {"var", kBreakout},
    {"wbr", kSp | kVoid},
    {"xmp", kSp | kClosesP | kRawText},
};
constexpr int kNumTags = static_cast<int>(std::size(kTags));

constexpr bool TagsSorted() {
  for (int i = 1; i < kNumTags; ++i) {
    if (!(kTags[i - 1].name < kTags[i].name)) return false;
  }
  return true;
}
static_assert(TagsSorted(), "kTags must be sorted by name");

constexpr int TagId(std::string_view name) {
  for (int i = 0; i < kNumTags; ++i) {
    if (kTags[i].name == name) return i;
  }
  return -1;
}
constexpr int kTagP = TagId("p");
constexpr int kTagLi = TagId("li");
constexpr int kTagDd = TagId("dd");
constexpr int kTagDt = TagId("dt");
constexpr int kTagAddress = TagId("address");
constexpr int kTagDiv = TagId("div");
constexpr int kTagButton = TagId("button");
constexpr int kTagOl = TagId("ol");
constexpr int kTagUl = TagId("ul");
constexpr int kTagForm = TagId("form");
constexpr int kTagTable = TagId("table");
constexpr int kTagTemplate = TagId("template");
constexpr int kTagTbody = TagId("tbody");
constexpr int kTagThead = TagId("thead");
constexpr int kTagTfoot = TagId("tfoot");
constexpr int kTagTr = TagId("tr");
constexpr int kTagTd = TagId("td");
constexpr int kTagTh = TagId("th");
constexpr int kTagOption = TagId("option");  // Not in kTags: ordinary.
constexpr int kTagSelect = TagId("select");
constexpr int kTagSvg = TagId("svg");    // Not in kTags.
constexpr int kTagMath = TagId("math");  // Not in kTags.
constexpr int kTagFont = TagId("font");  // Not in kTags.
static_assert(kTagOption == -1 && kTagSvg == -1 && kTagMath == -1 &&
              kTagFont == -1);

inline bool IsAsciiWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}
inline bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

enum class Ns : uint8_t { kHtml, kSvg, kMath };

// One element the pre-scan believes is open.
struct OpenElement {
  std::string_view name;  // Points into the input; any case.
  int16_t id;             // Index in kTags, or -1.
  Ns ns;
  bool integration;  // HTML integration point (foreignObject, mi, ...).

  uint32_t flags() const { return id >= 0 ? kTags[id].flags : 0; }
  bool IsHtml(int tag_id) const { return ns == Ns::kHtml && id == tag_id; }
};

class DepthScanner {
 public:
  enum class Result { kOk, kTooDeep, kTooManyAttributes };

  DepthScanner(std::string_view in, size_t depth_limit, size_t max_attributes)
      : in_(in), limit_(depth_limit), max_attributes_(max_attributes) {
    stack_.reserve(64);
  }

  // Stops as soon as the open-element stack would exceed the depth limit or
  // a tag has too many attributes.
  Result Scan();

 private:
  // How far down the stack an end tag looks for its element. Beyond that the
  // end tag is ignored (over-counting), which keeps the scan linear.
  static constexpr size_t kMaxSearch = 128;

  static int Lookup(std::string_view name) {
    char buf[16];
    if (name.size() >= sizeof(buf)) return -1;
    for (size_t i = 0; i < name.size(); ++i) buf[i] = AsciiLower(name[i]);
    const std::string_view lower(buf, name.size());
    int lo = 0, hi = kNumTags;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (kTags[mid].name < lower) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return (lo < kNumTags && kTags[lo].name == lower) ? lo : -1;
  }

  bool SameName(const OpenElement& e, std::string_view name, int id) const {
    if (id >= 0 || e.id >= 0) return e.id == id;
    return EqualsIgnoreCase(e.name, name);
  }

  bool Push(OpenElement e) {
    if (e.IsHtml(kTagTable)) ++tables_;
    stack_.push_back(e);
    return stack_.size() <= limit_;
  }
  void PopTo(size_t new_size) {
    while (stack_.size() > new_size) {
      if (stack_.back().IsHtml(kTagTable)) --tables_;
      stack_.pop_back();
    }
  }
  // Index of the nearest open element for which `match` holds, searching
  // down from the top and giving up where `stop` holds; -1 if none.
  template <typename Match, typename Stop>
  long Find(Match match, Stop stop) const {
    const size_t n = stack_.size();
    for (size_t k = 0; k < n && k < kMaxSearch; ++k) {
      const OpenElement& e = stack_[n - 1 - k];
      if (match(e)) return static_cast<long>(n - 1 - k);
      if (stop(e)) return -1;
    }
    return -1;
  }
  template <typename Match, typename Stop>
  void CloseIfFound(Match match, Stop stop) {
    const long i = Find(match, stop);
    if (i >= 0) PopTo(static_cast<size_t>(i));
  }

  bool InForeign() const {
    return !stack_.empty() && stack_.back().ns != Ns::kHtml &&
           !stack_.back().integration;
  }

  // Skips a tag's attributes up to and including '>'. Returns false at end of
  // input (the tokenizer drops an unterminated tag). Sets *self_closing and,
  // if wanted, whether a color/face/size attribute was seen.
  bool SkipAttributes(bool* self_closing, bool* font_attr);
  bool StartTag(std::string_view name, bool self_closing, bool font_attr);
  void EndTag(std::string_view name);
  // Skips the contents of a raw-text element up to its end tag.
  void SkipRawText(std::string_view name);
  void SkipScriptData();
  // Finds "</name" + delimiter at or after pos_; npos if none.
  size_t FindEndTag(std::string_view name, size_t from) const;

  std::string_view in_;
  size_t limit_;
  size_t max_attributes_;
  size_t attributes_ = 0;  // Attribute count of the last tag scanned.
  size_t pos_ = 0;
  int tables_ = 0;
  std::vector<OpenElement> stack_;
};

bool DepthScanner::SkipAttributes(bool* self_closing, bool* font_attr) {
  const size_t n = in_.size();
  *self_closing = false;
  attributes_ = 0;
  while (pos_ < n) {
    char c = in_[pos_];
    if (IsAsciiWhitespace(c)) {
      ++pos_;
      continue;
    }
    if (c == '>') {
      ++pos_;
      return true;
    }
    if (c == '/') {
      ++pos_;
      if (pos_ < n && in_[pos_] == '>') {
        *self_closing = true;
        ++pos_;
        return true;
      }
      continue;
    }
    // Attribute name: up to whitespace, '/', '>' or '=' (not first).
    ++attributes_;
    const size_t name_start = pos_++;
    while (pos_ < n && !IsAsciiWhitespace(in_[pos_]) && in_[pos_] != '/' &&
           in_[pos_] != '>' && in_[pos_] != '=') {
      ++pos_;
    }
    if (font_attr != nullptr) {
      const std::string_view attr = in_.substr(name_start, pos_ - name_start);
      if (EqualsIgnoreCase(attr, "color") || EqualsIgnoreCase(attr, "face") ||
          EqualsIgnoreCase(attr, "size")) {
        *font_attr = true;
      }
    }
    size_t p = pos_;
    while (p < n && IsAsciiWhitespace(in_[p])) ++p;
    if (p >= n || in_[p] != '=') {
      pos_ = p;
      continue;
    }
    ++p;
    while (p < n && IsAsciiWhitespace(in_[p])) ++p;
    if (p < n && (in_[p] == '"' || in_[p] == '\'')) {
      const void* q = std::memchr(in_.data() + p + 1, in_[p], n - p - 1);
      if (q == nullptr) {
        pos_ = n;
        return false;
      }
      pos_ = static_cast<const char*>(q) - in_.data() + 1;
    } else {
      while (p < n && !IsAsciiWhitespace(in_[p]) && in_[p] != '>') ++p;
      pos_ = p;
    }
  }
  return false;
}

size_t DepthScanner::FindEndTag(std::string_view name, size_t from) const {
  const size_t n = in_.size();
  while (from < n) {
    const size_t lt = in_.find("</", from);
    if (lt == std::string_view::npos) return lt;
    const size_t end = lt + 2 + name.size();
    if (end < n && EqualsIgnoreCase(in_.substr(lt + 2, name.size()), name) &&
        (IsAsciiWhitespace(in_[end]) || in_[end] == '/' || in_[end] == '>')) {
      return lt;
    }
    from = lt + 2;
  }
  return std::string_view::npos;
}

void DepthScanner::SkipRawText(std::string_view name) {
  const size_t lt = FindEndTag(name, pos_);
  pos_ = lt == std::string_view::npos ? in_.size() : lt;
}

void DepthScanner::SkipScriptData() {
  // Script data, escaped ("<!--") and double-escaped ("<!--<script>")
  // states: only an end tag seen outside the double-escaped state ends it.
  const size_t n = in_.size();
  enum { kData, kEscaped, kDoubleEscaped } state = kData;
  size_t p = pos_;
  while (p < n) {
    if (in_[p] == '<') {
      if (state == kData && in_.compare(p, 4, "<!--") == 0) {
        state = kEscaped;
        p += 4;
        continue;
      }
      const bool end_tag = p + 1 < n && in_[p + 1] == '/';
      const size_t name_at = p + (end_tag ? 2 : 1);
      const size_t delim = name_at + 6;
      if (delim < n && EqualsIgnoreCase(in_.substr(name_at, 6), "script") &&
          (IsAsciiWhitespace(in_[delim]) || in_[delim] == '/' ||
           in_[delim] == '>')) {
        if (end_tag && state != kDoubleEscaped) {
          pos_ = p;
          return;
        }
        if (end_tag && state == kDoubleEscaped) state = kEscaped;
        if (!end_tag && state == kEscaped) state = kDoubleEscaped;
        p = delim;
        continue;
      }
    } else if (in_[p] == '-' && state != kData &&
               in_.compare(p, 3, "-->") == 0) {
      state = kData;
      p += 3;
      continue;
    }
    ++p;
  }
  pos_ = n;
}

bool DepthScanner::StartTag(std::string_view name, bool self_closing,
                            bool font_attr) {
  const int id = Lookup(name);
  const uint32_t flags = id >= 0 ? kTags[id].flags : 0;
  const bool is_svg = id < 0 && EqualsIgnoreCase(name, "svg");
  const bool is_math = id < 0 && EqualsIgnoreCase(name, "math");
  const bool is_font = id < 0 && EqualsIgnoreCase(name, "font");

  if (InForeign() && ((flags & kBreakout) != 0 || (is_font && font_attr))) {
    // Pop back to an HTML element or integration point, then treat as HTML.
    while (InForeign()) PopTo(stack_.size() - 1);
  }
  if (InForeign() || is_svg || is_math) {
    if (self_closing) return true;  // Acknowledged in foreign content.
    const Ns ns =
        InForeign() ? stack_.back().ns : (is_svg ? Ns::kSvg : Ns::kMath);
    const bool integration =
        (ns == Ns::kSvg && (flags & kSvgIntegration) != 0) ||
        (ns == Ns::kMath && (flags & kMathIntegration) != 0);
    return Push({name, static_cast<int16_t>(id), ns, integration});
  }

  // HTML element. "/>" is ignored on HTML elements: <div/> opens a div.
  if ((flags & (kIgnored | kVoid)) != 0) {
    if ((flags & kClosesP) != 0) {  // <hr>
      CloseIfFound(
          [](const OpenElement& e) { return e.IsHtml(kTagP); },
          [](const OpenElement& e) {
            return e.IsHtml(kTagButton) ||
                   (e.ns == Ns::kHtml && (e.flags() & kScopeBoundary) != 0) ||
                   e.integration;
          });
    }
    return true;
  }
  if ((flags & kTableOnly) != 0 && tables_ == 0) return true;  // Ignored.

  if ((flags & kClosesP) != 0) {
    CloseIfFound(
        [](const OpenElement& e) { return e.IsHtml(kTagP); },
        [](const OpenElement& e) {
          return e.IsHtml(kTagButton) ||
                 (e.ns == Ns::kHtml && (e.flags() & kScopeBoundary) != 0) ||
                 e.integration;
        });
  }
  if ((flags & kHeading) != 0 && !stack_.empty() &&
      stack_.back().ns == Ns::kHtml &&
      (stack_.back().flags() & kHeading) != 0) {
    PopTo(stack_.size() - 1);
  }
  if (id == kTagLi || id == kTagDd || id == kTagDt) {
    const bool li = id == kTagLi;
    CloseIfFound(
        [li](const OpenElement& e) {
          return li ? e.IsHtml(kTagLi) : (e.IsHtml(kTagDd) || e.IsHtml(kTagDt));
        },
        [](const OpenElement& e) {
          return ((e.flags() & kSpecial) != 0 || e.ns != Ns::kHtml) &&
                 !e.IsHtml(kTagAddress) && !e.IsHtml(kTagDiv) &&
                 !e.IsHtml(kTagP);
        });
  } else if (id == kTagTd || id == kTagTh) {
    CloseIfFound(
        [](const OpenElement& e) {
          return e.IsHtml(kTagTd) || e.IsHtml(kTagTh);
        },
        [](const OpenElement& e) {
          return e.IsHtml(kTagTr) || e.IsHtml(kTagTable) ||
                 e.IsHtml(kTagTemplate);
        });
  } else if (id == kTagTr) {
    CloseIfFound([](const OpenElement& e) { return e.IsHtml(kTagTr); },
                 [](const OpenElement& e) {
                   return e.IsHtml(kTagTable) || e.IsHtml(kTagTemplate) ||
                          e.IsHtml(kTagTbody) || e.IsHtml(kTagThead) ||
                          e.IsHtml(kTagTfoot);
                 });
  } else if (id == kTagTbody || id == kTagThead || id == kTagTfoot) {
    CloseIfFound(
        [](const OpenElement& e) {
          return e.IsHtml(kTagTbody) || e.IsHtml(kTagThead) ||
                 e.IsHtml(kTagTfoot);
        },
        [](const OpenElement& e) {
          return e.IsHtml(kTagTable) || e.IsHtml(kTagTemplate);
        });
  } else if (id < 0 && !stack_.empty() && stack_.back().ns == Ns::kHtml &&
             stack_.back().id < 0 &&
             EqualsIgnoreCase(stack_.back().name, "option") &&
             (EqualsIgnoreCase(name, "option") ||
              EqualsIgnoreCase(name, "optgroup"))) {
    PopTo(stack_.size() - 1);
  }

  if (!Push({name, static_cast<int16_t>(id), Ns::kHtml, false})) return false;

  if ((flags & kPlaintext) != 0) {
    pos_ = in_.size();
  } else if ((flags & kScript) != 0) {
    SkipScriptData();
  } else if ((flags & kRawText) != 0) {
    // Inside <select> (and not in a nested <template>) these start tags are
    // ignored, so the tokenizer does not switch to raw text; <textarea>
    // closes the select instead and is raw text.
    bool in_select = false;
    if (name.size() != 8 || !EqualsIgnoreCase(name, "textarea")) {
      in_select =
          Find([](const OpenElement& e) { return e.IsHtml(kTagSelect); },
               [](const OpenElement& e) {
                 return e.IsHtml(kTagTemplate) || e.ns != Ns::kHtml;
               }) >= 0;
    }
    if (!in_select) SkipRawText(name);
  }
  return true;
}

void DepthScanner::EndTag(std::string_view name) {
  const int id = Lookup(name);
  const uint32_t flags = id >= 0 ? kTags[id].flags : 0;
  if ((flags & (kIgnored | kVoid)) != 0) return;
  if (id == kTagForm) {
    // </form> removes only the form element from the stack; only count it
    // as closed when nothing is open inside it.
    if (!stack_.empty() && stack_.back().IsHtml(kTagForm)) {
      PopTo(stack_.size() - 1);
    }
    return;
  }
  if ((flags & kSpecial) != 0) {
    const bool table_scope = (flags & kTableScope) != 0;
    const bool heading = (flags & kHeading) != 0;
    CloseIfFound(
        [&](const OpenElement& e) {
          if (heading) return e.ns == Ns::kHtml && (e.flags() & kHeading) != 0;
          return SameName(e, name, id);
        },
        [&](const OpenElement& e) {
          if (table_scope) {
            return e.IsHtml(kTagTable) || e.IsHtml(kTagTemplate);
          }
          if (e.integration) return true;
          if (e.ns != Ns::kHtml) return false;
          if ((e.flags() & kScopeBoundary) != 0) return true;
          if (id == kTagP && e.id == kTagButton) return true;
          if (id == kTagLi && (e.id == kTagOl || e.id == kTagUl)) return true;
          return false;
        });
    return;
  }
  // Any other end tag: pop to the nearest element with this name unless a
  // special element (or integration point) is open above it.
  CloseIfFound([&](const OpenElement& e) { return SameName(e, name, id); },
               [](const OpenElement& e) {
                 return e.integration ||
                        (e.ns == Ns::kHtml && (e.flags() & kSpecial) != 0);
               });
}

DepthScanner::Result DepthScanner::Scan() {
  const size_t n = in_.size();
  const char* const data = in_.data();
  while (pos_ < n) {
    const void* lt = std::memchr(data + pos_, '<', n - pos_);
    if (lt == nullptr) break;
    pos_ = static_cast<const char*>(lt) - data + 1;
    if (pos_ >= n) break;
    const char c = in_[pos_];
    if (c == '!') {
      if (in_.compare(pos_, 3, "!--") == 0) {
        // Comment: ends at "-->", "--!>", or right away for "<!-->".
        size_t p = pos_ + 3;
        if (p < n && in_[p] == '>') {
          pos_ = p + 1;
          continue;
        }
        if (in_.compare(p, 2, "->") == 0) {
          pos_ = p + 2;
          continue;
        }
        size_t end = n;
        while (true) {
          const size_t dash = in_.find("--", p);
          if (dash == std::string_view::npos) break;
          if (in_.compare(dash + 2, 1, ">") == 0) {
            end = dash + 3;
            break;
          }
          if (in_.compare(dash + 2, 2, "!>") == 0) {
            end = dash + 4;
            break;
          }
          p = dash + 1;
        }
        pos_ = end;
        continue;
      }
      if (InForeign() && in_.compare(pos_, 8, "![CDATA[") == 0) {
        const size_t end = in_.find("]]>", pos_ + 8);
        pos_ = end == std::string_view::npos ? n : end + 3;
        continue;
      }
      // Doctype or bogus comment: up to the next '>'.
      const size_t gt = in_.find('>', pos_);
      pos_ = gt == std::string_view::npos ? n : gt + 1;
      continue;
    }
    if (c == '?') {
      const size_t gt = in_.find('>', pos_);
      pos_ = gt == std::string_view::npos ? n : gt + 1;
      continue;
    }
    const bool end_tag = c == '/';
    const size_t name_start = pos_ + (end_tag ? 1 : 0);
    if (name_start >= n) break;
    if (!IsAsciiAlpha(in_[name_start])) {
      if (end_tag) {
        if (in_[name_start] == '>') {
          pos_ = name_start + 1;  // "</>" is dropped.
        } else {
          const size_t gt = in_.find('>', name_start);  // Bogus comment.
          pos_ = gt == std::string_view::npos ? n : gt + 1;
        }
      }
      continue;  // "<" followed by anything else is text.
    }
    size_t p = name_start + 1;
    while (p < n && !IsAsciiWhitespace(in_[p]) && in_[p] != '/' &&
           in_[p] != '>') {
      ++p;
    }
    const std::string_view name = in_.substr(name_start, p - name_start);
    pos_ = p;
    bool self_closing = false;
    bool font_attr = false;
    const bool want_font = !end_tag && InForeign() && name.size() == 4 &&
                           EqualsIgnoreCase(name, "font");
    if (!SkipAttributes(&self_closing, want_font ? &font_attr : nullptr)) {
      break;  // Unterminated tag at end of input: dropped.
    }
    if (attributes_ > max_attributes_) return Result::kTooManyAttributes;
    if (end_tag) {
      EndTag(name);
    } else if (!StartTag(name, self_closing, font_attr)) {
      return Result::kTooDeep;
    }
  }
  return Result::kOk;
}

// ---------------------------------------------------------------------------
// Extraction from the gumbo tree.
// ---------------------------------------------------------------------------

// Memory for one gumbo parse. gumbo makes a great many small allocations and
// frees them all when the tree is destroyed; serving them from a bump arena
// turns each malloc/free pair into a pointer increment (malloc and free were
// about 8 % of a worker's CPU on the benchmark site), and destroying the tree
// into releasing a few blocks: no walk over the tree at all, so no recursion
// on deep documents either. Past kMaxArenaBytes (a hostile document) it falls
// back to malloc, tracked so that those blocks are still freed one by one.
class ParseArena {
 public:
  ParseArena() = default;
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;
  ~ParseArena() {
    for (char* b : blocks_) std::free(b);
    for (void* p : fallback_) std::free(p);
  }

  static void* Allocate(void* self, size_t n) {
    return static_cast<ParseArena*>(self)->Alloc(n);
  }
  static void Deallocate(void* self, void* p) {
    auto* arena = static_cast<ParseArena*>(self);
    if (arena->fallback_.empty() || p == nullptr) return;  // Arena memory.
    if (arena->fallback_.erase(p) != 0) std::free(p);
  }

 private:
  static constexpr size_t kAlign = alignof(std::max_align_t);
  static constexpr size_t kFirstBlock = 64 << 10;
  static constexpr size_t kMaxBlock = 4 << 20;
  static constexpr size_t kMaxArenaBytes = size_t{256} << 20;

  void* Alloc(size_t n) {
    n = (n + kAlign - 1) & ~(kAlign - 1);
    if (n <= left_) {
      void* p = cur_;
      cur_ += n;
      left_ -= n;
      return p;
    }
    if (total_ + n > kMaxArenaBytes) {
      void* p = std::malloc(n == 0 ? 1 : n);
      if (p == nullptr) std::abort();  // As gumbo's own malloc use would.
      fallback_.insert(p);
      return p;
    }
    size_t block = std::max(next_block_, n);
    next_block_ = std::min(next_block_ * 2, kMaxBlock);
    char* b = static_cast<char*>(std::malloc(block));
    if (b == nullptr) std::abort();
    blocks_.push_back(b);
    total_ += block;
    cur_ = b + n;
    left_ = block - n;
    return b;
  }

  std::vector<char*> blocks_;
  std::unordered_set<void*> fallback_;
  char* cur_ = nullptr;
  size_t left_ = 0;
  size_t total_ = 0;
  size_t next_block_ = kFirstBlock;
};

std::string_view TrimAsciiWhitespace(std::string_view s) {
  while (!s.empty() && IsAsciiWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

// Length of the valid UTF-8 sequence at s[i], or 0 if it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // No surrogates.
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return len;
}

// Appends `text` to *out, collapsing ASCII whitespace runs into one space
// (*pending_space carries a run across calls) and replacing invalid UTF-8
// with U+FFFD.
void AppendCollapsed(std::string_view text, std::string* out,
                     bool* pending_space) {
  for (size_t i = 0; i < text.size();) {
    if (IsAsciiWhitespace(text[i])) {
      *pending_space = true;
      ++i;
      continue;
    }
    if (*pending_space && !out->empty()) out->push_back(' ');
    *pending_space = false;
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out->append("\xEF\xBF\xBD");
      ++i;
    } else {
      out->append(text.data() + i, len);
      i += len;
    }
  }
}

// Calls f(token) for each token of `list` separated by ASCII whitespace or
// commas, without allocating.
template <typename F>
void ForEachToken(std::string_view list, F f) {
  size_t i = 0;
  const size_t n = list.size();
  while (i < n) {
    while (i < n && (IsAsciiWhitespace(list[i]) || list[i] == ',')) ++i;
    const size_t start = i;
    while (i < n && !IsAsciiWhitespace(list[i]) && list[i] != ',') ++i;
    if (i > start) f(list.substr(start, i - start));
  }
}

// Tokens of a rel attribute that the extractor acts on.
enum RelFlag : uint32_t {
  kRelNofollow = 1u << 0,
  kRelAlternate = 1u << 1,
  kRelNext = 1u << 2,
  kRelPrev = 1u << 3,
  kRelCanonical = 1u << 4,
  kRelStylesheet = 1u << 5,
  kRelIcon = 1u << 6,
};

uint32_t ParseRel(std::string_view rel) {
  uint32_t flags = 0;
  ForEachToken(rel, [&flags](std::string_view t) {
    if (EqualsIgnoreCase(t, "nofollow")) {
      flags |= kRelNofollow;
    } else if (EqualsIgnoreCase(t, "alternate")) {
      flags |= kRelAlternate;
    } else if (EqualsIgnoreCase(t, "next")) {
      flags |= kRelNext;
    } else if (EqualsIgnoreCase(t, "prev")) {
      flags |= kRelPrev;
    } else if (EqualsIgnoreCase(t, "canonical")) {
      flags |= kRelCanonical;
    } else if (EqualsIgnoreCase(t, "stylesheet")) {
      flags |= kRelStylesheet;
    } else if (EqualsIgnoreCase(t, "icon")) {
      flags |= kRelIcon;
    }
  });
  return flags;
}

// Applies the robots directives in `list` (split on commas and ASCII
// whitespace; "max-snippet:20" is read as its name, "max-snippet") to *out.
void ApplyRobotsDirectives(std::string_view list, RobotsDirectives* out) {
  ForEachToken(list, [out](std::string_view t) {
    t = t.substr(0, t.find(':'));
    if (EqualsIgnoreCase(t, "noindex")) {
      out->noindex = true;
    } else if (EqualsIgnoreCase(t, "nofollow")) {
      out->nofollow = true;
    } else if (EqualsIgnoreCase(t, "none")) {
      out->noindex = true;
      out->nofollow = true;
    }
  });
}

// Robots directive names (Google's list plus a few retired ones). A name
// before a ':' in X-Robots-Tag is a user agent only when it is not one of
// these, so "max-snippet: 20" and "unavailable_after: ..." stay directives.
constexpr std::string_view kRobotsDirectiveNames[] = {
    "all",
    "indexifembedded",
    "max-image-preview",
    "max-snippet",
    "max-video-preview",
    "noarchive",
    "nocache",
    "nofollow",
    "noimageindex",
    "noindex",
    "none",
    "noodp",
    "nosnippet",
    "notranslate",
    "noydir",
    "unavailable_after",
};

bool IsUserAgentPrefix(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!IsAsciiAlpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_') {
      return false;
    }
  }
  for (const std::string_view d : kRobotsDirectiveNames) {
    if (EqualsIgnoreCase(name, d)) return false;
  }
  return true;
}

// Compares a NUL-terminated gumbo attribute name with `lower`, a lower-case
// literal, ignoring ASCII case; no strlen, no allocation.
bool NameIs(const char* name, std::string_view lower) {
  for (const char c : lower) {
    if (AsciiLower(*name) != c) return false;  // Also stops at the NUL.
    ++name;
  }
  return *name == '\0';
}

// The attribute values the extractor reads from one element; nullptr when
// absent. gumbo keeps only the first of duplicate attributes.
struct Attributes {
  const char* href = nullptr;
  const char* src = nullptr;
  const char* rel = nullptr;
  const char* name = nullptr;
  const char* content = nullptr;
};

// One pass over the element's attributes.
Attributes ReadAttributes(const GumboElement& el) {
  Attributes a;
  for (unsigned i = 0; i < el.attributes.length; ++i) {
    const auto* attr =
        static_cast<const GumboAttribute*>(el.attributes.data[i]);
    const char* n = attr->name;
    const char** slot = nullptr;
    switch (AsciiLower(n[0])) {
      case 'h':
        if (NameIs(n, "href")) slot = &a.href;
        break;
      case 's':
        if (NameIs(n, "src")) slot = &a.src;
        break;
      case 'r':
        if (NameIs(n, "rel")) slot = &a.rel;
        break;
      case 'n':
        if (NameIs(n, "name")) slot = &a.name;
        break;
      case 'c':
        if (NameIs(n, "content")) slot = &a.content;
        break;
      default:
        break;
    }
    if (slot != nullptr && *slot == nullptr) *slot = attr->value;
  }
  return a;
}

// Appends a reference to doc->links (and, for anchors, to doc->hrefs), each
// capped at options.max_links.
void AddLink(std::string_view url, LinkKind kind, bool nofollow,
             const HtmlOptions& options, HtmlDocument* doc) {
  if (kind == LinkKind::kAnchor) {
    if (doc->hrefs.size() >= options.max_links) {
      doc->links_truncated = true;
    } else {
      doc->hrefs.emplace_back(url);
    }
  }
  if (doc->links.size() >= options.max_links) {
    doc->links_truncated = true;
  } else {
    doc->links.push_back(Link{std::string(url), kind, nofollow});
  }
}

void ExtractFromTree(const GumboNode* document, const HtmlOptions& options,
                     HtmlDocument* doc) {
  bool have_title = false;
  bool have_base = false;
  bool have_canonical = false;
  std::vector<const GumboNode*> stack;
  stack.reserve(256);
  stack.push_back(document);
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    const GumboVector* children;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else if (node->type == GUMBO_NODE_ELEMENT) {
      const GumboElement& el = node->v.element;
      children = &el.children;
      if (el.tag_namespace != GUMBO_NAMESPACE_SVG &&
          el.tag_namespace != GUMBO_NAMESPACE_MATHML) {
        switch (el.tag) {
          case GUMBO_TAG_A:
          case GUMBO_TAG_AREA: {
            const Attributes a = ReadAttributes(el);
            if (a.href == nullptr) break;
            const std::string_view v = TrimAsciiWhitespace(a.href);
            if (v.empty()) break;
            const bool nofollow =
                a.rel != nullptr && (ParseRel(a.rel) & kRelNofollow) != 0;
            AddLink(v, LinkKind::kAnchor, nofollow, options, doc);
            break;
          }
          case GUMBO_TAG_LINK: {
            const Attributes a = ReadAttributes(el);
            if (a.href == nullptr || a.rel == nullptr) break;
            const std::string_view v = TrimAsciiWhitespace(a.href);
            if (v.empty()) break;
            const uint32_t rel = ParseRel(a.rel);
            if ((rel & kRelCanonical) != 0 && !have_canonical) {
              have_canonical = true;
              doc->canonical = std::string(v);
            }
            if ((rel & (kRelAlternate | kRelNext | kRelPrev)) != 0 &&
                (rel & (kRelStylesheet | kRelIcon)) == 0) {
              AddLink(v, LinkKind::kLink, (rel & kRelNofollow) != 0, options,
                      doc);
            }
            break;
          }
          case GUMBO_TAG_FRAME:
          case GUMBO_TAG_IFRAME: {
            const Attributes a = ReadAttributes(el);
            if (a.src == nullptr) break;
            const std::string_view v = TrimAsciiWhitespace(a.src);
            if (!v.empty()) AddLink(v, LinkKind::kFrame, false, options, doc);
            break;
          }
          case GUMBO_TAG_META: {
            const Attributes a = ReadAttributes(el);
            if (a.name == nullptr || a.content == nullptr) break;
            const std::string_view name = TrimAsciiWhitespace(a.name);
            if (!EqualsIgnoreCase(name, "robots") &&
                (options.robots_token.empty() ||
                 !EqualsIgnoreCase(name, options.robots_token))) {
              break;
            }
            RobotsDirectives d{doc->meta_noindex, doc->meta_nofollow};
            ApplyRobotsDirectives(a.content, &d);
            doc->meta_noindex = d.noindex;
            doc->meta_nofollow = d.nofollow;
            break;
          }
          case GUMBO_TAG_BASE:
            if (!have_base) {
              const Attributes a = ReadAttributes(el);
              if (a.href != nullptr) {
                have_base = true;
                doc->base_href = std::string(TrimAsciiWhitespace(a.href));
              }
            }
            break;
          case GUMBO_TAG_TITLE:
            if (!have_title) {
              have_title = true;
              bool pending_space = false;
              for (unsigned i = 0; i < el.children.length; ++i) {
                const auto* child =
                    static_cast<const GumboNode*>(el.children.data[i]);
                if (child->type == GUMBO_NODE_TEXT ||
                    child->type == GUMBO_NODE_WHITESPACE ||
                    child->type == GUMBO_NODE_CDATA) {
                  AppendCollapsed(child->v.text.text, &doc->title,
                                  &pending_space);
                }
              }
            }
            continue;  // Title children are text; nothing else to find.
          default:
            break;
        }
      }
    } else {
      // Text, comments, and <template> contents (inert: not followed).
      continue;
    }
    // Push children in reverse so they pop in document order.
    for (unsigned i = children->length; i > 0; --i) {
      const auto* child = static_cast<const GumboNode*>(children->data[i - 1]);
      if (child->type == GUMBO_NODE_ELEMENT) stack.push_back(child);
    }
  }
}

}  // namespace

StatusOr<HtmlDocument> ExtractHtml(std::string_view body,
                                   const HtmlOptions& options) {
  if (body.size() > options.max_input_bytes) {
    return ResourceExhaustedError(
               "HTML body of " + std::to_string(body.size()) +
               " bytes exceeds " + std::to_string(options.max_input_bytes) +
               " (limit html max_input_bytes)")
        .WithTag(Tag::kPermanent);
  }
  // The pre-scan and gumbo read the same input: the compacted copy when
  // compaction applies (same tags and attributes, far fewer bytes).
  std::string compacted;
  std::string_view input = body;
  if (options.compact_text && CompactMarkup(body, &compacted)) {
    input = compacted;
  }
  const size_t depth_limit =
      static_cast<size_t>(std::max(options.max_depth, 0));
  DepthScanner scanner(input, depth_limit, options.max_attributes);
  switch (scanner.Scan()) {
    case DepthScanner::Result::kOk:
      break;
    case DepthScanner::Result::kTooDeep:
      return ResourceExhaustedError("HTML nesting depth exceeds " +
                                    std::to_string(options.max_depth) +
                                    " (limit html max_depth)")
          .WithTag(Tag::kPermanent);
    case DepthScanner::Result::kTooManyAttributes:
      return ResourceExhaustedError("HTML element has more than " +
                                    std::to_string(options.max_attributes) +
                                    " attributes (limit html max_attributes)")
          .WithTag(Tag::kPermanent);
  }

  // max_errors = 0: gumbo stops recording parse errors (we never read them),
  // which saves an allocation per error; parsing itself is unchanged.
  GumboOptions gumbo_options = kGumboDefaultOptions;
  gumbo_options.max_errors = 0;
  ParseArena arena;
  gumbo_options.allocator = &ParseArena::Allocate;
  gumbo_options.deallocator = &ParseArena::Deallocate;
  gumbo_options.userdata = &arena;
  // The tree lives in the arena: it is released with the arena, without
  // gumbo_destroy_output.
  const GumboOutput* output =
      gumbo_parse_with_options(&gumbo_options, input.data(), input.size());
  HtmlDocument doc;
  if (output == nullptr) return doc;  // Not expected; nothing to extract.
  ExtractFromTree(output->document, options, &doc);
  return doc;
}

bool IsFollowableHref(std::string_view href) {
  href = TrimAsciiWhitespace(href);
  if (href.empty() || href.front() == '#') return false;
  // Scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":", ignoring tabs
  // and newlines the way browsers strip them from URLs.
  char scheme[6];  // Long enough to hold "https" plus one more character.
  size_t len = 0;
  for (const char c : href) {
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c == ':') {
      if (len == 0) return true;  // ":x" is a relative path.
      const std::string_view s(scheme, std::min(len, sizeof(scheme)));
      return s == "http" || s == "https";
    }
    const bool alpha = IsAsciiAlpha(c);
    if (len == 0 && !alpha) return true;  // No scheme: relative.
    if (!alpha && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
      return true;  // '/', '?', '#', ... before any ':': relative.
    }
    if (len < sizeof(scheme)) scheme[len] = AsciiLower(c);
    ++len;
  }
  return true;  // No ':' at all: relative.
}

RobotsDirectives ParseXRobotsTag(std::string_view header_value,
                                 std::string_view product_token) {
  RobotsDirectives out;
  bool applies = true;  // Unprefixed directives apply to every crawler.
  size_t pos = 0;
  while (pos <= header_value.size()) {
    size_t comma = header_value.find(',', pos);
    if (comma == std::string_view::npos) comma = header_value.size();
    std::string_view item = header_value.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t colon = item.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view agent = TrimAsciiWhitespace(item.substr(0, colon));
      if (IsUserAgentPrefix(agent)) {
        applies =
            !product_token.empty() && EqualsIgnoreCase(agent, product_token);
        item.remove_prefix(colon + 1);
      }
    }
    if (applies) ApplyRobotsDirectives(item, &out);
  }
  return out;
}

}  // namespace crawler::html
