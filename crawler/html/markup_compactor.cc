#include "crawler/html/markup_compactor.h"

#include <cstring>

namespace crawler::html {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// ASCII whitespace as the HTML tokenizer sees it (tab, LF, FF, CR, space;
// not VT).
bool IsWs(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

// Scans a start or end tag whose name begins at `i` (just after "<" or
// "</") with the tokenizer's tag and attribute states (WHATWG HTML 13.2.5.8
// to 13.2.5.40): a '>' ends the tag unless it is inside a quoted attribute
// value. Returns the index one past that '>', or kNpos when the input ends
// inside the tag. *name is the tag name as written.
size_t ScanTag(std::string_view s, size_t i, std::string_view* name) {
  const size_t n = s.size();
  size_t p = i;
  while (p < n && !IsWs(s[p]) && s[p] != '/' && s[p] != '>') ++p;
  *name = s.substr(i, p - i);
  enum State {
    kBeforeAttrName,
    kAttrName,
    kAfterAttrName,
    kBeforeValue,
    kDoubleQuoted,
    kSingleQuoted,
    kUnquoted,
    kAfterQuoted,
    kSelfClosing,
  };
  State st = kBeforeAttrName;
  for (; p < n; ++p) {
    const char c = s[p];
    switch (st) {
      case kBeforeAttrName:
        if (IsWs(c)) break;
        if (c == '/') {
          st = kSelfClosing;
        } else if (c == '>') {
          return p + 1;
        } else {
          st = kAttrName;  // '=' here starts a name, like any character.
        }
        break;
      case kAttrName:
        if (IsWs(c)) {
          st = kAfterAttrName;
        } else if (c == '/') {
          st = kSelfClosing;
        } else if (c == '>') {
          return p + 1;
        } else if (c == '=') {
          st = kBeforeValue;
        }
        break;
      case kAfterAttrName:
        if (IsWs(c)) break;
        if (c == '/') {
          st = kSelfClosing;
        } else if (c == '=') {
          st = kBeforeValue;
        } else if (c == '>') {
          return p + 1;
        } else {
          st = kAttrName;
        }
        break;
      case kBeforeValue:
        if (IsWs(c)) break;
        if (c == '"') {
          st = kDoubleQuoted;
        } else if (c == '\'') {
          st = kSingleQuoted;
        } else if (c == '>') {
          return p + 1;
        } else {
          st = kUnquoted;
        }
        break;
      case kDoubleQuoted:
        if (c == '"') st = kAfterQuoted;
        break;
      case kSingleQuoted:
        if (c == '\'') st = kAfterQuoted;
        break;
      case kUnquoted:
        if (IsWs(c)) {
          st = kBeforeAttrName;
        } else if (c == '>') {
          return p + 1;
        }
        break;
      case kAfterQuoted:
        if (IsWs(c)) {
          st = kBeforeAttrName;
        } else if (c == '/') {
          st = kSelfClosing;
        } else if (c == '>') {
          return p + 1;
        } else {
          st = kAttrName;
        }
        break;
      case kSelfClosing:
        if (c == '>') return p + 1;
        st = kBeforeAttrName;
        if (IsWs(c)) break;
        if (c == '/') {
          st = kSelfClosing;
        } else {
          st = kAttrName;
        }
        break;
    }
  }
  return kNpos;
}

// Index of the "</" of the first end tag named `lower` (case-insensitive)
// at or after `from` that the raw text and RCDATA states accept: the name
// followed by whitespace, '/' or '>' (13.2.5.11 and following). kNpos if none.
size_t FindEndTag(std::string_view s, size_t from, std::string_view lower) {
  const size_t n = s.size();
  while (true) {
    const size_t lt = s.find("</", from);
    if (lt == kNpos) return kNpos;
    const size_t after = lt + 2 + lower.size();
    if (after < n && EqualsLower(s.substr(lt + 2, lower.size()), lower) &&
        (IsWs(s[after]) || s[after] == '/' || s[after] == '>')) {
      return lt;
    }
    from = lt + 1;
  }
}

// A run of character data: see the header.
void AppendText(std::string_view t, std::string* out) {
  if (t.empty()) return;
  if (t.find('&') != kNpos) {
    out->append(t);
    return;
  }
  if (IsWs(t.front())) out->push_back(t.front());
  for (const char c : t) {
    if (!IsWs(c)) {
      out->push_back('x');
      return;
    }
  }
}

// Whether the '<' at `lt` starts markup rather than being a character: a tag
// or end tag open ('<' + letter, "</" + anything), "<!" or "<?".
bool StartsMarkup(std::string_view s, size_t lt) {
  if (lt + 1 >= s.size()) return false;
  const char c = s[lt + 1];
  if (IsAlpha(c) || c == '!' || c == '?') return true;
  return c == '/' && lt + 2 < s.size();  // "</" at the very end is text.
}

// One past the first '>' at or after `from`, or the end of the input.
size_t PastGt(std::string_view s, size_t from) {
  const size_t gt = s.find('>', from);
  return gt == kNpos ? s.size() : gt + 1;
}

}  // namespace

bool CompactMarkup(std::string_view s, std::string* out) {
  out->clear();
  if (std::memchr(s.data(), '\0', s.size()) != nullptr) return false;
  out->reserve(s.size() / 3 + 64);
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Character data up to the next '<' that starts markup.
    size_t lt = s.find('<', i);
    while (lt != kNpos && !StartsMarkup(s, lt)) lt = s.find('<', lt + 1);
    if (lt == kNpos) {
      AppendText(s.substr(i), out);
      break;
    }
    AppendText(s.substr(i, lt - i), out);
    i = lt;
    const char c1 = s[i + 1];
    if (c1 == '!') {
      if (s.compare(i + 2, 2, "--") == 0) {
        // Comment (13.2.5.43 to 13.2.5.52): ends at "-->" or "--!>", or
        // at once for "<!-->" and "<!--->".
        const size_t body = i + 4;
        size_t end;
        if (s.compare(body, 1, ">") == 0) {
          end = body + 1;
        } else if (s.compare(body, 2, "->") == 0) {
          end = body + 2;
        } else {
          const size_t a = s.find("-->", body);
          const size_t b = s.find("--!>", body);
          if (a == kNpos && b == kNpos) {
            end = n;
          } else if (b == kNpos || (a != kNpos && a < b)) {
            end = a + 3;
          } else {
            end = b + 4;
          }
        }
        out->append("<!---->");
        i = end;
      } else {
        // DOCTYPE or bogus comment: both end at the first '>'.
        const size_t end = PastGt(s, i + 2);
        out->append(s.substr(i, end - i));
        i = end;
      }
      continue;
    }
    if (c1 == '?') {
      const size_t end = PastGt(s, i + 2);
      out->append(s.substr(i, end - i));
      i = end;
      continue;
    }
    if (c1 == '/') {
      if (!IsAlpha(s[i + 2])) {
        // "</>" (ignored) or a bogus comment up to '>'.
        const size_t end = PastGt(s, i + 2);
        out->append(s.substr(i, end - i));
        i = end;
        continue;
      }
      std::string_view name;
      const size_t end = ScanTag(s, i + 2, &name);
      if (end == kNpos) {
        out->append(s.substr(i));
        return true;
      }
      out->append(s.substr(i, end - i));
      i = end;
      continue;
    }
    // A start tag.
    std::string_view name;
    const size_t end = ScanTag(s, i + 1, &name);
    if (end == kNpos) {
      out->append(s.substr(i));  // The tokenizer drops a tag cut by EOF.
      return true;
    }
    out->append(s.substr(i, end - i));
    i = end;
    if (name.size() < 3 || name.size() > 9) continue;
    char lower_buf[9];
    for (size_t k = 0; k < name.size(); ++k) lower_buf[k] = Lower(name[k]);
    const std::string_view lower(lower_buf, name.size());
    if (lower == "svg" || lower == "math" || lower == "select" ||
        lower == "frameset" || lower == "template") {
      return false;
    }
    if (lower == "plaintext") {
      out->append(s.substr(i));  // Everything after it is text.
      return true;
    }
    const bool title = lower == "title";
    if (!title && lower != "script" && lower != "style" && lower != "xmp" &&
        lower != "iframe" && lower != "noembed" && lower != "noframes" &&
        lower != "textarea") {
      continue;
    }
    const size_t close = FindEndTag(s, i, lower);
    const std::string_view content =
        s.substr(i, close == kNpos ? kNpos : close - i);
    if (lower == "script" && content.find("<!--") != kNpos) return false;
    if (title) out->append(content);
    if (close == kNpos) return true;
    i = close;  // The end tag is copied by the next round.
  }
  return true;
}

}  // namespace crawler::html
