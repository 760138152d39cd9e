// HTML link extraction: parses one HTML document with gumbo-parser and returns
// what a crawler needs from it (the title, the <base href>, and the raw href
// values of <a> and <area> elements in document order).
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
  // At most this many hrefs are returned; HtmlDocument::links_truncated is set
  // when the document has more.
  size_t max_links = 20000;
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
  // True when the document had more than HtmlOptions::max_links hrefs and
  // only the first max_links were kept.
  bool links_truncated = false;
};

// Parses `body` as an HTML document (expected UTF-8; invalid UTF-8 and NUL
// bytes are tolerated) and extracts the title, base href and link hrefs.
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

}  // namespace crawler::html

#endif  // CRAWLER_HTML_HTML_EXTRACTOR_H_
