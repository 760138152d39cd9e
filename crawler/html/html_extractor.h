// HTML link extraction: parses one HTML document with gumbo-parser and returns
// what a crawler needs from it: the title, the <base href>, every crawlable
// reference (a/area href, <link rel=alternate|next|prev> href, frame and
// iframe src) in document order with its rel=nofollow flag, the
// <link rel=canonical> href and the <meta name=robots> noindex/nofollow
// directives. ParseXRobotsTag reads the same directives from the X-Robots-Tag
// HTTP header. One iterative walk over the gumbo tree collects everything.
//
// Before gumbo sees the bytes, a cheap linear pre-scan estimates the element
// nesting depth and refuses documents nested deeper than
// HtmlOptions::max_depth: gumbo 0.10.1 has no depth guard, its parse time grows
// quadratically with the depth of the open-element stack (a 50,000-deep page
// takes seconds), and gumbo_destroy_output recurses once per level.
//
// Everything here is a pure function of its arguments: no I/O, no global
// state. Thread-safety: all functions may be called concurrently from any
// number of threads.
#ifndef CRAWLER_HTML_HTML_EXTRACTOR_H_
#define CRAWLER_HTML_HTML_EXTRACTOR_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::html {

struct HtmlOptions {
  // Bodies larger than this are not parsed (ResourceExhausted).
  size_t max_input_bytes = 8 << 20;
  // Limit on the element nesting depth estimated by the pre-scan; deeper
  // documents are refused (ResourceExhausted) before gumbo sees them.
  int max_depth = 1000;
  // Elements with more attributes than this are refused (ResourceExhausted)
  // by the pre-scan: gumbo's duplicate-attribute check is quadratic (100,000
  // attributes on one tag take ~30 s).
  size_t max_attributes = 1000;
  // At most this many hrefs, and at most this many links, are returned;
  // HtmlDocument::links_truncated is set when the document has more.
  size_t max_links = 20000;
  // The crawler's robots product token (e.g. "crawler"). When not empty,
  // <meta name=TOKEN content=...> (name compared case-insensitively) is obeyed
  // like <meta name=robots>. Empty: only name=robots is read.
  std::string robots_token;
  // Parse a compacted copy of the document (CompactMarkup in
  // markup_compactor.h: body text and comments shrunk, raw text element
  // content dropped) instead of the whole of it, when the document allows.
  // The extracted document is the same either way (tests and the html fuzzer
  // compare the two); on text-heavy pages it is several times cheaper. False
  // parses the original, as a reference and for benchmarks.
  bool compact_text = true;
};

// What a crawlable reference in a document is.
enum class LinkKind {
  kAnchor,  // <a href>, <area href>.
  kLink,    // <link href> whose rel has alternate, next or prev.
  kFrame,   // <frame src>, <iframe src>.
};

// One crawlable reference, as found in the document.
struct Link {
  // The raw attribute value, character references decoded, leading and
  // trailing ASCII whitespace trimmed, never empty. Whitespace inside (a
  // newline in a wrapped href) is kept: resolving and validating the URL is
  // the caller's job (see IsFollowableHref and crawler::url::UrlResolver).
  std::string url;
  LinkKind kind = LinkKind::kAnchor;
  // The element's rel has the token "nofollow" (any case; a, area and link
  // only, always false for frames). The document-wide
  // HtmlDocument::meta_nofollow is not folded in: callers combine the two.
  bool nofollow = false;
};

struct HtmlDocument {
  // Text of the first HTML <title>, runs of ASCII whitespace collapsed to one
  // space, trimmed; always valid UTF-8 (invalid sequences become U+FFFD).
  // Empty if the document has no title.
  std::string title;
  // The href of the first <base> element that has one, ASCII whitespace
  // trimmed; empty if none. Not resolved or validated.
  std::string base_href;
  // Raw href attribute values of <a> and <area> elements, in document order,
  // leading/trailing ASCII whitespace stripped, empty values dropped.
  // Character references are decoded; nothing is resolved or validated (see
  // IsFollowableHref and crawler::url::UrlResolver). Links inside <template>
  // contents are not included.
  std::vector<std::string> hrefs;
  // Every crawlable reference in document order: a and area href; link href
  // when rel has the token alternate, next or prev and neither stylesheet nor
  // icon (so "alternate stylesheet" and plain stylesheet, icon or canonical
  // links are not returned); frame and iframe src. rel is split on ASCII
  // whitespace and commas, tokens compared case-insensitively. Values are
  // trimmed as in hrefs, empty ones dropped. As for hrefs, references inside
  // <template> contents, SVG or MathML are not included, nor anything the
  // HTML parser treats as text (the content of <iframe> and <noframes>), nor
  // <frame> outside a <frameset> (the parser drops it).
  std::vector<Link> links;
  // True when the document had more than HtmlOptions::max_links hrefs or more
  // than max_links links, and only the first max_links of each were kept.
  // (Every href is also in links, so links reaches the cap first.)
  bool links_truncated = false;
  // The href of the first <link> whose rel has the token "canonical" and that
  // has a non-empty href, ASCII whitespace trimmed; empty if none. Not
  // resolved or validated.
  std::string canonical;
  // Set by a <meta name=robots content=...> (or name=HtmlOptions::
  // robots_token when set; names compared case-insensitively, ASCII
  // whitespace trimmed) whose content has the directive "noindex" or "none".
  // content is split on commas and ASCII whitespace, directives compared
  // case-insensitively; several such meta elements add up.
  bool meta_noindex = false;
  // Likewise for the directive "nofollow" or "none".
  bool meta_nofollow = false;
};

// The directives of an X-Robots-Tag header that a crawler acts on.
struct RobotsDirectives {
  bool noindex = false;
  bool nofollow = false;
};

// Parses `body` as an HTML document (expected UTF-8; invalid UTF-8 and NUL
// bytes are tolerated) and extracts the title, base href, hrefs, links,
// canonical and meta robots directives (see HtmlDocument).
// Malformed markup is not an error: it is repaired the way browsers do.
// Errors (both ResourceExhausted, tag kPermanent, nothing is parsed):
//   - body larger than options.max_input_bytes;
//   - estimated nesting depth above options.max_depth:
//     "HTML nesting depth exceeds 1000 (limit html max_depth)";
//   - a tag with more than options.max_attributes attributes:
//     "HTML element has more than 1000 attributes (limit html
//     max_attributes)".
StatusOr<HtmlDocument> ExtractHtml(std::string_view body,
                                   const HtmlOptions& options = {});

// True when `href` (as found in HtmlDocument::hrefs) is a link a crawler
// could follow: not empty or all ASCII whitespace, not fragment-only ("#x"),
// and either without a scheme (relative path, "/x", "?q", "//host/x") or with
// scheme http or https in any case. javascript:, mailto:, data:, tel:, ftp:
// and every other scheme are not followable. Tabs and newlines inside the
// scheme are ignored, as browsers do ("java\nscript:" is javascript:).
// Cheap: no allocation and no URL parse; a true result does not mean the URL
// is valid (resolving it may still fail).
bool IsFollowableHref(std::string_view href);

// Reads the X-Robots-Tag HTTP header value `header_value`: comma-separated
// directives (compared case-insensitively; "none" is noindex plus nofollow,
// unknown ones such as "noarchive" or "max-snippet: 20" are ignored), each
// optionally prefixed by a user agent ("googlebot: noindex"). A prefix applies
// to its directive and to the ones after it up to the next prefix, as in
// "otherbot: noindex, nofollow". Directives without a prefix always apply;
// prefixed ones only when the prefix equals `product_token` ignoring case
// (never when product_token is empty). A prefix is a name of letters, digits,
// '-' and '_' before a ':' that is not itself a directive name, so
// "unavailable_after: 25 Jun 2010 15:00:00 PST" is a directive, not an agent.
// For several header lines, call once per line and OR the results; joining
// them with ", " also works, except that an unprefixed line after a prefixed
// one then falls in that prefix's scope. Pure and cheap: no allocation.
RobotsDirectives ParseXRobotsTag(std::string_view header_value,
                                 std::string_view product_token);

}  // namespace crawler::html

#endif  // CRAWLER_HTML_HTML_EXTRACTOR_H_
