#include "crawler/report/render.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace crawler::report {
namespace {

// Chart geometry, in SVG user units (the charts scale to the page width).
constexpr int kWidth = 960;
constexpr int kLabelWidth = 330;  // Left column of horizontal bar charts.
constexpr int kValueWidth = 90;   // Right column: the value.
constexpr int kRowHeight = 24;
constexpr int kBarHeight = 16;
constexpr size_t kLabelChars = 48;  // Characters of a label drawn in a chart.

// Colours: one per status class, and one for every other bar.
constexpr const char* kBarColour = "#4c78a8";
constexpr const char* kLineColour = "#4c78a8";
constexpr const char* kAreaColour = "#c6d6e8";

const char* StatusColour(int status) {
  if (status >= 200 && status < 300) return "#59a14f";
  if (status >= 300 && status < 400) return "#76b7b2";
  if (status >= 400 && status < 500) return "#edc948";
  if (status >= 500 && status < 600) return "#e15759";
  return "#9c9c9c";  // No response, 1xx, other.
}

// Appends the UTF-8 sequence starting at s[i] (advancing i), or U+FFFD for
// an invalid sequence or a control character.
void AppendChar(std::string* out, std::string_view s, size_t* i) {
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  const unsigned char c = static_cast<unsigned char>(s[*i]);
  if (c < 0x80) {
    ++*i;
    switch (c) {
      case '&':
        out->append("&amp;");
        return;
      case '<':
        out->append("&lt;");
        return;
      case '>':
        out->append("&gt;");
        return;
      case '"':
        out->append("&quot;");
        return;
      case '\'':
        out->append("&#39;");
        return;
      case '\t':
      case '\n':
        out->push_back(static_cast<char>(c));
        return;
      default:
        if (c < 0x20 || c == 0x7F) {
          out->append(kReplacement);
        } else {
          out->push_back(static_cast<char>(c));
        }
        return;
    }
  }
  size_t len = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  }
  if (len == 0 || *i + len > s.size()) {
    out->append(kReplacement);
    ++*i;
    return;
  }
  for (size_t k = 1; k < len; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc & 0xC0) != 0x80) {
      out->append(kReplacement);
      ++*i;
      return;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
                        (len == 4 && cp < 0x10000);
  const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  // C1 controls (U+0080..U+009F) are replaced like C0 ones.
  if (overlong || surrogate || cp > 0x10FFFF || (cp >= 0x80 && cp < 0xA0)) {
    out->append(kReplacement);
    *i += overlong || surrogate || cp > 0x10FFFF ? 1 : len;
    return;
  }
  out->append(s.substr(*i, len));
  *i += len;
}

std::string Esc(std::string_view s) { return HtmlEscape(s); }

// At most `max` characters of `s` (a UTF-8 string), with an ellipsis when
// cut. Counts characters, not bytes, so the label fits its column.
std::string Shorten(std::string_view s, size_t max) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars == max) return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
    ++chars;
  }
  return std::string(s);
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// 1234567 -> "1,234,567".
std::string Count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Bytes(uint64_t n) {
  char buf[32];
  if (n < 1000) {
    std::snprintf(buf, sizeof buf, "%llu B",
                  static_cast<unsigned long long>(n));
  } else if (n < 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f kB", n / 1e3);
  } else if (n < 1000ull * 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f MB", n / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GB", n / 1e9);
  }
  return buf;
}

std::string Duration(double s) {
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%d min %02d s", static_cast<int>(s) / 60,
                  static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%d h %02d min", static_cast<int>(s) / 3600,
                  static_cast<int>(s) % 3600 / 60);
  }
  return buf;
}

// A round step (1, 2 or 5 times a power of ten) giving about `ticks` ticks
// from 0 to max.
double NiceStep(double max, int ticks) {
  if (!(max > 0)) return 1;
  const double raw = max / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  const double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * magnitude;
}

// A round time step (1, 2, 5, 10, 15 or 30 seconds or minutes, 1, 2, 3, 6
// or 12 hours, or whole days) giving at most about `ticks` ticks.
double TimeStep(double duration, int ticks) {
  static constexpr double kSteps[] = {
      0.1, 0.2, 0.5, 1,    2,    5,    10,    15,    30,    60,   120,
      300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
  const double raw = duration / ticks;
  for (double step : kSteps) {
    if (step >= raw) return step;
  }
  return std::ceil(raw / 86400) * 86400;
}

std::string TickLabel(double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%g", v);
  }
  return buf;
}

std::string SecondsLabel(double s) {
  if (s < 120 || std::fmod(s, 60) != 0) return TickLabel(s) + " s";
  if (s < 7200 || std::fmod(s, 3600) != 0) return TickLabel(s / 60) + " min";
  return TickLabel(s / 3600) + " h";
}

bool IsWebUrl(std::string_view s) {
  auto starts = [s](std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      char c = s[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  return starts("http://") || starts("https://");
}

// A link to `url` when it is an http(s) URL, else the escaped text.
std::string Link(std::string_view url) {
  if (!IsWebUrl(url)) return "<span class=\"url\">" + Esc(url) + "</span>";
  return "<a class=\"url\" href=\"" + Esc(url) +
         "\" rel=\"nofollow noopener noreferrer\">" + Esc(url) + "</a>";
}

struct Bar {
  std::string label;    // Drawn (shortened) in the label column.
  std::string tooltip;  // Full text, shown on hover.
  double value = 0;
  std::string value_text;
  std::string colour = kBarColour;
};

void OpenSvg(std::string* out, const std::string& id, int height,
             const std::string& description) {
  *out += "<svg class=\"chart\" data-chart=\"" + id + "\" viewBox=\"0 0 " +
          std::to_string(kWidth) + " " + std::to_string(height) +
          "\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" "
          "role=\"img\" aria-label=\"" +
          Esc(description) + "\">\n";
}

// One row per bar, the label on the left, the value after the bar.
void HorizontalBars(std::string* out, const std::string& id,
                    const std::string& description,
                    const std::vector<Bar>& bars) {
  double max = 0;
  for (const Bar& b : bars) max = std::max(max, b.value);
  const int height = static_cast<int>(bars.size()) * kRowHeight + 8;
  const double span = kWidth - kLabelWidth - kValueWidth;
  OpenSvg(out, id, height, description);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const int y = 4 + static_cast<int>(i) * kRowHeight;
    double w = max > 0 ? b.value / max * span : 0;
    if (b.value > 0) w = std::max(w, 2.0);  // Every non-zero bar is visible.
    *out += "<g class=\"row\"><title>" + Esc(b.tooltip) + "</title>";
    *out += "<text class=\"label\" x=\"" + std::to_string(kLabelWidth - 8) +
            "\" y=\"" + std::to_string(y + kBarHeight - 3) +
            "\" text-anchor=\"end\">" + Esc(Shorten(b.label, kLabelChars)) +
            "</text>";
    *out += "<rect class=\"bar\" x=\"" + std::to_string(kLabelWidth) +
            "\" y=\"" + std::to_string(y) + "\" width=\"" + Num(w) +
            "\" height=\"" + std::to_string(kBarHeight) + "\" fill=\"" +
            b.colour + "\"/>";
    *out += "<text class=\"value\" x=\"" + Num(kLabelWidth + w + 6) +
            "\" y=\"" + std::to_string(y + kBarHeight - 3) + "\">" +
            Esc(b.value_text) + "</text></g>\n";
  }
  *out += "</svg>\n";
}

void Empty(std::string* out, const std::string& sentence) {
  *out += "<p class=\"empty\">" + Esc(sentence) + "</p>\n";
}

void OpenSection(std::string* out, const std::string& id,
                 const std::string& heading, const std::string& note = "") {
  *out += "<section id=\"" + id + "\">\n<h2>" + Esc(heading) + "</h2>\n";
  if (!note.empty()) *out += "<p class=\"note\">" + Esc(note) + "</p>\n";
}

void Summary(std::string* out, const ReportData& d) {
  OpenSection(out, "summary", "Summary");
  auto card = [out](const std::string& name, const std::string& value) {
    *out += "<div class=\"card\"><dt>" + Esc(name) + "</dt><dd>" + Esc(value) +
            "</dd></div>";
  };
  *out += "<dl class=\"cards\">";
  card("pages fetched", Count(d.pages));
  card("ok", Count(d.ok));
  card("errors", Count(d.errors));
  card("dropped unfetched", Count(d.unfetched));
  card("body bytes", Bytes(d.bytes));
  card("duration", Duration(d.seconds));
  card("pages per second", Num(d.seconds > 0 ? d.pages / d.seconds : 0));
  card("URLs accepted", Count(d.seen));
  card("retries", Count(d.retries));
  card("robots.txt fetches", Count(d.robots_fetches));
  card("worker restarts", Count(d.worker_restarts));
  card("stopped", d.stop_reason.empty() ? "-" : d.stop_reason);
  *out += "</dl>\n";
  if (!d.seeds.empty()) {
    *out += "<p>Seeds";
    if (d.seed_count > d.seeds.size()) {
      *out += " (the first " + std::to_string(d.seeds.size()) + " of " +
              Count(d.seed_count) + ")";
    }
    *out += ":</p>\n<ul class=\"seeds\">";
    for (const std::string& s : d.seeds) *out += "<li>" + Link(s) + "</li>";
    *out += "</ul>\n";
  }
  *out += "</section>\n";
}

// With a crawl state: what changed since the state's last answers.
void Changes(std::string* out, const ReportData& d) {
  if (!d.changes) return;
  const state::ChangeCounts& c = *d.changes;
  OpenSection(out, "changes", "Changes",
              "Records judged against the crawl state's last answer for "
              "each URL (the records' change field).");
  auto card = [out](const std::string& name, uint64_t value) {
    *out += "<div class=\"card\"><dt>" + Esc(name) + "</dt><dd>" +
            Count(value) + "</dd></div>";
  };
  *out += "<dl class=\"cards\">";
  card("new", c.new_urls);
  card("changed", c.changed);
  card("unchanged", c.unchanged);
  card("gone", c.gone);
  card("of which vanished (no longer linked)", c.vanished);
  card("resumed from the last run", c.resumed);
  card("known, due again", c.due);
  card("known, not due", c.not_due);
  *out += "</dl>\n</section>\n";
}

void PagesPerSecond(std::string* out, const ReportData& d) {
  const double bucket = d.bucket_seconds > 0 ? d.bucket_seconds : 1;
  OpenSection(out, "pages-per-second", "Pages per second",
              "Fetched pages per second, averaged over " +
                  SecondsLabel(bucket) + " intervals from the start.");
  uint64_t total = 0;
  for (uint64_t n : d.pages_per_bucket) total += n;
  if (total == 0) {
    Empty(out, "No pages were fetched.");
    *out += "</section>\n";
    return;
  }
  const int height = 300;
  const int left = 70, right = 20, top = 12, bottom = 40;
  const double plot_w = kWidth - left - right;
  const double plot_h = height - top - bottom;
  const size_t n = d.pages_per_bucket.size();
  const double duration = n * bucket;
  double max_rate = 0;
  for (uint64_t c : d.pages_per_bucket)
    max_rate = std::max(max_rate, c / bucket);
  const double y_step = NiceStep(max_rate, 4);
  const double y_max = std::max(y_step, std::ceil(max_rate / y_step) * y_step);
  auto x_of = [&](double t) { return left + t / duration * plot_w; };
  auto y_of = [&](double rate) { return top + plot_h - rate / y_max * plot_h; };

  OpenSvg(out, "pages-per-second", height,
          "Pages per second over the crawl's " + Duration(d.seconds));
  // Grid and y axis labels.
  for (double v = 0; v <= y_max + y_step / 2; v += y_step) {
    const std::string y = Num(y_of(v));
    *out += "<line class=\"grid\" x1=\"" + std::to_string(left) + "\" x2=\"" +
            std::to_string(kWidth - right) + "\" y1=\"" + y + "\" y2=\"" + y +
            "\"/><text class=\"tick\" x=\"" + std::to_string(left - 8) +
            "\" y=\"" + Num(y_of(v) + 4) + "\" text-anchor=\"end\">" +
            TickLabel(v) + "</text>\n";
  }
  const double x_step = TimeStep(duration, 8);
  for (double t = 0; t <= duration + 1e-9; t += x_step) {
    *out += "<text class=\"tick\" x=\"" + Num(x_of(t)) + "\" y=\"" +
            std::to_string(height - bottom + 18) +
            "\" text-anchor=\"middle\">" + SecondsLabel(t) + "</text>\n";
  }
  // A step line: each bucket's rate across its interval.
  std::string line = "M" + Num(x_of(0)) + " " + Num(y_of(0));
  for (size_t i = 0; i < n; ++i) {
    const std::string y = Num(y_of(d.pages_per_bucket[i] / bucket));
    line += " L" + Num(x_of(i * bucket)) + " " + y + " L" +
            Num(x_of((i + 1) * bucket)) + " " + y;
  }
  line += " L" + Num(x_of(duration)) + " " + Num(y_of(0));
  *out += "<path class=\"area\" d=\"" + line + " Z\" fill=\"" + kAreaColour +
          "\" stroke=\"none\"/>\n";
  *out += "<path class=\"line\" d=\"" + line + "\" fill=\"none\" stroke=\"" +
          kLineColour + "\" stroke-width=\"2\"/>\n";
  *out += "<line class=\"axis\" x1=\"" + std::to_string(left) + "\" x2=\"" +
          std::to_string(kWidth - right) + "\" y1=\"" + Num(y_of(0)) +
          "\" y2=\"" + Num(y_of(0)) + "\"/>\n";
  *out += "</svg>\n</section>\n";
}

std::string StatusName(int status) {
  if (status == 0) return "no response";
  if (status < 0) return "other";
  return std::to_string(status);
}

void StatusCodes(std::string* out, const ReportData& d) {
  OpenSection(out, "status-codes", "Status codes",
              "Fetched URLs by HTTP status; \"no response\" is a fetch error "
              "(see Errors).");
  std::vector<Bar> bars;
  for (const StatusRow& row : d.statuses) {
    Bar b;
    b.label = StatusName(row.status);
    b.tooltip = b.label + ": " + Count(row.count);
    b.value = static_cast<double>(row.count);
    b.value_text = Count(row.count);
    b.colour = StatusColour(row.status);
    bars.push_back(std::move(b));
  }
  if (bars.empty()) {
    Empty(out, "No URL was fetched.");
  } else {
    HorizontalBars(out, "status-codes", "Fetched URLs by HTTP status", bars);
  }
  *out += "</section>\n";
}

void CountBars(std::string* out, const std::string& id,
               const std::string& heading, const std::string& note,
               const std::vector<CountRow>& rows, const std::string& empty) {
  OpenSection(out, id, heading, note);
  std::vector<Bar> bars;
  for (const CountRow& row : rows) {
    Bar b;
    b.label = row.label;
    b.tooltip = row.label + ": " + Count(row.count);
    b.value = static_cast<double>(row.count);
    b.value_text = Count(row.count);
    bars.push_back(std::move(b));
  }
  if (bars.empty()) {
    Empty(out, empty);
  } else {
    HorizontalBars(out, id, heading, bars);
  }
  *out += "</section>\n";
}

void Depths(std::string* out, const ReportData& d) {
  OpenSection(out, "depths", "Depth histogram",
              "Fetched URLs by depth (links followed from a seed).");
  uint64_t max = 0;
  for (uint64_t n : d.depths) max = std::max(max, n);
  if (max == 0) {
    Empty(out, "No URL was fetched.");
    *out += "</section>\n";
    return;
  }
  const int height = 260;
  const int left = 70, right = 20, top = 12, bottom = 40;
  const double plot_w = kWidth - left - right;
  const double plot_h = height - top - bottom;
  const size_t n = d.depths.size();
  const double slot = plot_w / n;
  const double bar_w = std::max(1.0, slot * 0.8);
  const double y_step = NiceStep(static_cast<double>(max), 4);
  const double y_max =
      std::max(y_step, std::ceil(static_cast<double>(max) / y_step) * y_step);
  OpenSvg(out, "depths", height, "Fetched URLs by depth");
  for (double v = 0; v <= y_max + y_step / 2; v += y_step) {
    const double y = top + plot_h - v / y_max * plot_h;
    *out += "<line class=\"grid\" x1=\"" + std::to_string(left) + "\" x2=\"" +
            std::to_string(kWidth - right) + "\" y1=\"" + Num(y) + "\" y2=\"" +
            Num(y) + "\"/><text class=\"tick\" x=\"" +
            std::to_string(left - 8) + "\" y=\"" + Num(y + 4) +
            "\" text-anchor=\"end\">" + TickLabel(v) + "</text>\n";
  }
  // Label every depth when they fit, else about 20 of them.
  const size_t label_every = std::max<size_t>(1, (n + 19) / 20);
  for (size_t i = 0; i < n; ++i) {
    const double h = d.depths[i] / y_max * plot_h;
    const double drawn = d.depths[i] > 0 ? std::max(h, 2.0) : 0;
    const double x = left + i * slot + (slot - bar_w) / 2;
    std::string label = std::to_string(i);
    if (d.depth_capped && i + 1 == n) label += "+";
    *out += "<g class=\"column\"><title>depth " + label + ": " +
            Count(d.depths[i]) + "</title><rect class=\"bar\" x=\"" + Num(x) +
            "\" y=\"" + Num(top + plot_h - drawn) + "\" width=\"" + Num(bar_w) +
            "\" height=\"" + Num(drawn) + "\" fill=\"" + kBarColour + "\"/>";
    if (i % label_every == 0 || i + 1 == n) {
      *out += "<text class=\"tick\" x=\"" + Num(x + bar_w / 2) + "\" y=\"" +
              std::to_string(height - bottom + 18) +
              "\" text-anchor=\"middle\">" + label + "</text>";
    }
    *out += "</g>\n";
  }
  *out += "</svg>\n</section>\n";
}

void Slowest(std::string* out, const ReportData& d) {
  OpenSection(out, "slowest-pages", "Slowest pages",
              "The slowest fetches (transfer time).");
  if (d.slowest.empty()) {
    Empty(out, "No URL was fetched.");
    *out += "</section>\n";
    return;
  }
  std::vector<Bar> bars;
  for (const SlowPage& p : d.slowest) {
    Bar b;
    b.label = p.url;
    b.tooltip =
        p.url + ": " +
        Count(static_cast<uint64_t>(std::max<int64_t>(0, p.elapsed_ms))) +
        " ms";
    b.value = static_cast<double>(std::max<int64_t>(0, p.elapsed_ms));
    b.value_text = Count(static_cast<uint64_t>(b.value)) + " ms";
    b.colour = StatusColour(p.status);
    bars.push_back(std::move(b));
  }
  HorizontalBars(out, "slowest-pages", "The slowest fetches", bars);
  *out +=
      "<table><thead><tr><th>ms</th><th>status</th><th>URL</th></tr>"
      "</thead><tbody>\n";
  for (const SlowPage& p : d.slowest) {
    std::string status = p.status != 0 ? std::to_string(p.status) : "-";
    if (!p.error_class.empty()) status += " " + p.error_class;
    *out += "<tr><td class=\"num\">" +
            Count(static_cast<uint64_t>(std::max<int64_t>(0, p.elapsed_ms))) +
            "</td><td>" + Esc(status) + "</td><td>" + Link(p.url) +
            "</td></tr>\n";
  }
  *out += "</tbody></table>\n</section>\n";
}

void Errors(std::string* out, const ReportData& d) {
  OpenSection(out, "errors", "Errors",
              "Records with an error, by class (docs/output.md), with the "
              "first examples of each.");
  if (d.errors_by_class.empty()) {
    Empty(out, "No errors.");
    *out += "</section>\n";
    return;
  }
  std::vector<Bar> bars;
  for (const ErrorRow& row : d.errors_by_class) {
    Bar b;
    b.label = row.error_class;
    b.tooltip = row.error_class + ": " + Count(row.count);
    b.value = static_cast<double>(row.count);
    b.value_text = Count(row.count);
    b.colour = "#e15759";
    bars.push_back(std::move(b));
  }
  HorizontalBars(out, "errors", "Records with an error, by class", bars);
  *out +=
      "<table><thead><tr><th>class</th><th>count</th><th>examples</th>"
      "</tr></thead><tbody>\n";
  for (const ErrorRow& row : d.errors_by_class) {
    *out += "<tr><td>" + Esc(row.error_class) + "</td><td class=\"num\">" +
            Count(row.count) + "</td><td><ul class=\"examples\">";
    for (const ErrorExample& e : row.examples) {
      *out += "<li>" + Link(e.url) + "<br><span class=\"message\">" +
              Esc(e.message) + "</span></li>";
    }
    *out += "</ul></td></tr>\n";
  }
  *out += "</tbody></table>\n</section>\n";
}

constexpr char kStyle[] = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1040px;padding:16px 24px;color:#222;background:#fff}
h1{font-size:1.6em;margin:.4em 0 .1em;overflow-wrap:anywhere}
h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta,.note{color:#555;font-size:.9em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:0}
.card{background:#f4f6f9;border-radius:6px;padding:8px 10px}
.card dt{font-size:.8em;color:#555}
.card dd{margin:0;font-size:1.25em;font-weight:600;overflow-wrap:anywhere}
svg.chart{display:block;max-width:100%;height:auto;font-size:13px}
svg.chart text{fill:#333}
svg.chart .tick{fill:#666;font-size:12px}
svg.chart .grid{stroke:#e5e5e5;stroke-width:1}
svg.chart .axis{stroke:#888;stroke-width:1}
table{border-collapse:collapse;width:100%;font-size:.9em;margin-top:8px}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eee;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
.url,.message{overflow-wrap:anywhere;word-break:break-all}
.message{color:#555}
ul.examples,ul.seeds{margin:0;padding-left:1.2em}
.empty{color:#777;font-style:italic}
footer{margin-top:2em;color:#888;font-size:.8em}
)";

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  size_t i = 0;
  while (i < s.size()) AppendChar(&out, s, &i);
  return out;
}

std::string RenderReport(const ReportData& d) {
  std::string out;
  out.reserve(64 << 10);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>" +
      Esc(d.title) + "</title>\n<style>" + kStyle +
      "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>" + Esc(d.title) + "</h1>\n<p class=\"meta\">";
  if (!d.generated_at.empty()) out += "Written " + Esc(d.generated_at) + ". ";
  out += "Stopped: " + Esc(d.stop_reason.empty() ? "-" : d.stop_reason) +
         ".</p>\n</header>\n<main>\n";
  Summary(&out, d);
  Changes(&out, d);
  PagesPerSecond(&out, d);
  StatusCodes(&out, d);
  CountBars(&out, "content-types", "Content types",
            "Answered URLs by media type (the Content-Type without its "
            "parameters).",
            d.content_types, "No URL was answered.");
  Depths(&out, d);
  std::string host_note = "Fetched URLs per origin, the busiest first.";
  if (d.hosts_approximate) {
    host_note +=
        " The crawl had more hosts than the report counts one by one: "
        "each count may be too high by at most " +
        Count(d.host_count_error) + ".";
  }
  CountBars(&out, "top-hosts", "Top hosts", host_note, d.top_hosts,
            "No URL was fetched.");
  Slowest(&out, d);
  Errors(&out, d);
  out +=
      "</main>\n<footer>crawler report: one self-contained file, charts "
      "drawn as inline SVG.</footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace crawler::report
