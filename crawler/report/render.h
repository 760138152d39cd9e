// RenderReport: the crawl report as one self-contained HTML page.
//
// The page needs nothing but itself: no script, no stylesheet, font or image
// from elsewhere; its charts are inline SVG elements drawn by the browser's
// own layout. Sections, in order (ids in brackets; docs/operations.md):
//   summary [summary], pages per second over time [pages-per-second],
//   status codes [status-codes], content types [content-types], depth
//   histogram [depths], top hosts [top-hosts], slowest pages
//   [slowest-pages], errors with counts and examples [errors].
// Each chart is an <svg class="chart" data-chart="<section id>"> whose marks
// are <rect class="bar"> elements (and, for pages per second, a
// <path class="line"> and a <path class="area">); a section without data
// shows a sentence instead of a chart (<p class="empty">).
//
// Every string of ReportData is treated as hostile: it is HTML-escaped
// (& < > " ' become character references), invalid UTF-8 and control
// characters become U+FFFD, and a URL becomes a link only when it starts
// with http:// or https://, inside an escaped, double-quoted attribute.
//
// Pure: no I/O. Thread-safety: a pure function.
#ifndef CRAWLER_REPORT_RENDER_H_
#define CRAWLER_REPORT_RENDER_H_

#include <string>
#include <string_view>

#include "crawler/report/report_data.h"

namespace crawler::report {

std::string RenderReport(const ReportData& data);

// `s` escaped for HTML text and double- or single-quoted attribute values,
// as valid UTF-8 (see above).
std::string HtmlEscape(std::string_view s);

}  // namespace crawler::report

#endif  // CRAWLER_REPORT_RENDER_H_
