#include "tests/metrics/prometheus_text.h"

#include <cmath>
#include <cstdlib>
#include <set>

namespace crawler::testing {
namespace {

bool IsNameStart(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon && c == ':');
}
bool IsNameChar(char c, bool colon) {
  return IsNameStart(c, colon) || (c >= '0' && c <= '9');
}

bool ValidName(std::string_view s, bool colon) {
  if (s.empty() || !IsNameStart(s[0], colon)) return false;
  for (char c : s) {
    if (!IsNameChar(c, colon)) return false;
  }
  return true;
}

bool ParseNumber(std::string_view s, double* v) {
  if (s == "+Inf" || s == "Inf") {
    *v = INFINITY;
    return true;
  }
  if (s == "-Inf") {
    *v = -INFINITY;
    return true;
  }
  if (s == "NaN") {
    *v = NAN;
    return true;
  }
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  if (i != s.size()) return false;
  *v = std::strtod(std::string(s).c_str(), nullptr);
  return true;
}

std::string Base(const std::string& name, const std::string& suffix) {
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return name.substr(0, name.size() - suffix.size());
  }
  return "";
}

}  // namespace

double PromText::Value(const std::string& name,
                       const std::map<std::string, std::string>& labels) const {
  for (const PromFamily& f : families) {
    for (const PromSample& s : f.samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
  }
  return NAN;
}

double PromText::Sum(const std::string& name) const {
  double sum = 0;
  for (const PromFamily& f : families) {
    for (const PromSample& s : f.samples) {
      if (s.name == name) sum += s.value;
    }
  }
  return sum;
}

const PromFamily* PromText::Family(const std::string& name) const {
  for (const PromFamily& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

StatusOr<PromText> ParsePromText(std::string_view body) {
  PromText text;
  std::map<std::string, size_t> index;  // Family name -> families index.
  std::set<std::string> had_help, had_type;
  std::set<std::string> closed;  // Families whose samples ended.
  std::string open;              // The family whose samples come now.
  std::set<std::string> sample_keys;
  if (body.empty() || body.back() != '\n') {
    return InvalidArgumentError("the body does not end with a line feed");
  }
  size_t line_no = 0;
  size_t pos = 0;
  auto family_of = [&](const std::string& name) -> PromFamily& {
    auto it = index.find(name);
    if (it == index.end()) {
      it = index.emplace(name, text.families.size()).first;
      text.families.push_back({name, "", "", {}});
    }
    return text.families[it->second];
  };
  while (pos < body.size()) {
    const size_t nl = body.find('\n', pos);
    const std::string line(body.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    auto fail = [&](const std::string& why) {
      return InvalidArgumentError("line " + std::to_string(line_no) + " '" +
                                  line + "': " + why);
    };
    if (line.empty()) return fail("blank line");
    if (line[0] == '#') {
      const bool help = line.rfind("# HELP ", 0) == 0;
      const bool type = line.rfind("# TYPE ", 0) == 0;
      if (!help && !type) continue;  // A comment.
      const std::string rest = line.substr(7);
      const size_t space = rest.find(' ');
      const std::string name = rest.substr(0, space);
      const std::string arg =
          space == std::string::npos ? "" : rest.substr(space + 1);
      if (!ValidName(name, true)) return fail("bad metric name");
      if (closed.count(name) || open == name) {
        if (!family_of(name).samples.empty()) {
          return fail("HELP/TYPE after the family's samples");
        }
      }
      PromFamily& f = family_of(name);
      if (help) {
        if (!had_help.insert(name).second) return fail("second HELP");
        for (size_t i = 0; i < arg.size(); ++i) {
          if (arg[i] == '\\') {
            if (i + 1 >= arg.size() ||
                (arg[i + 1] != '\\' && arg[i + 1] != 'n')) {
              return fail("bad escape in HELP");
            }
            ++i;
          }
        }
        f.help = arg;
      } else {
        if (!had_type.insert(name).second) return fail("second TYPE");
        if (arg != "counter" && arg != "gauge" && arg != "histogram" &&
            arg != "summary" && arg != "untyped") {
          return fail("unknown type");
        }
        if (arg == "counter" && Base(name, "_total").empty()) {
          return fail("a counter's name must end in _total");
        }
        f.type = arg;
      }
      if (!open.empty() && open != name) {
        closed.insert(open);
        open.clear();
      }
      continue;
    }
    // A sample.
    size_t i = 0;
    while (i < line.size() && IsNameChar(line[i], true)) ++i;
    PromSample sample;
    sample.name = line.substr(0, i);
    if (!ValidName(sample.name, true)) return fail("bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        size_t start = i;
        while (i < line.size() && IsNameChar(line[i], false)) ++i;
        const std::string label = line.substr(start, i - start);
        if (!ValidName(label, false)) return fail("bad label name");
        if (label.rfind("__", 0) == 0) return fail("reserved label name");
        if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
          return fail("expected =\" after a label name");
        }
        i += 2;
        std::string value;
        while (true) {
          if (i >= line.size()) return fail("unterminated label value");
          const char c = line[i++];
          if (c == '"') break;
          if (c == '\\') {
            if (i >= line.size()) return fail("bad escape");
            const char e = line[i++];
            if (e == '\\')
              value += '\\';
            else if (e == '"')
              value += '"';
            else if (e == 'n')
              value += '\n';
            else
              return fail("bad escape in a label value");
          } else {
            value += c;
          }
        }
        if (!sample.labels.emplace(label, value).second) {
          return fail("label twice");
        }
        if (i < line.size() && line[i] == ',') {
          ++i;
          continue;
        }
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        return fail("expected , or } after a label");
      }
    }
    if (i >= line.size() || line[i] != ' ')
      return fail("expected a space before the value");
    ++i;
    const std::string rest = line.substr(i);
    const size_t space = rest.find(' ');
    if (!ParseNumber(rest.substr(0, space), &sample.value))
      return fail("bad value");
    if (space != std::string::npos) {
      const std::string ts = rest.substr(space + 1);
      if (ts.empty()) return fail("trailing space");
      for (size_t k = 0; k < ts.size(); ++k) {
        if (!((ts[k] >= '0' && ts[k] <= '9') || (k == 0 && ts[k] == '-'))) {
          return fail("bad timestamp");
        }
      }
    }
    // Which family?
    std::string family = sample.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string base = Base(sample.name, suffix);
      if (!base.empty() && index.count(base) &&
          (text.families[index[base]].type == "histogram" ||
           text.families[index[base]].type == "summary")) {
        family = base;
      }
    }
    if (!index.count(family) || !had_type.count(family) ||
        !had_help.count(family)) {
      return fail("sample without HELP and TYPE before it");
    }
    PromFamily& f = text.families[index[family]];
    if (f.type == "histogram" && family == sample.name) {
      return fail("a histogram has only _bucket, _sum and _count samples");
    }
    if (f.type == "histogram" && Base(sample.name, "_bucket") == family &&
        !sample.labels.count("le")) {
      return fail("a bucket without le");
    }
    if (closed.count(family))
      return fail("the family's samples are not contiguous");
    if (!open.empty() && open != family) closed.insert(open);
    open = family;
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels) key += "\x01" + k + "=" + v;
    if (!sample_keys.insert(key).second) return fail("duplicate sample");
    f.samples.push_back(std::move(sample));
  }
  // Histogram rules.
  for (const PromFamily& f : text.families) {
    if (f.type != "histogram") continue;
    // Per label set without le.
    std::map<std::map<std::string, std::string>,
             std::vector<std::pair<double, double>>>
        buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const PromSample& s : f.samples) {
      auto labels = s.labels;
      if (s.name == f.name + "_bucket") {
        double le = 0;
        if (!ParseNumber(labels["le"], &le) || std::isnan(le)) {
          return InvalidArgumentError(f.name + ": bad le '" + labels["le"] +
                                      "'");
        }
        labels.erase("le");
        buckets[labels].push_back({le, s.value});
      } else if (s.name == f.name + "_count") {
        counts[labels] = s.value;
      }
    }
    if (buckets.empty()) return InvalidArgumentError(f.name + ": no buckets");
    for (const auto& [labels, list] : buckets) {
      for (size_t k = 1; k < list.size(); ++k) {
        if (!(list[k].first > list[k - 1].first)) {
          return InvalidArgumentError(f.name + ": le bounds not increasing");
        }
        if (list[k].second < list[k - 1].second) {
          return InvalidArgumentError(f.name + ": bucket counts decrease");
        }
      }
      if (!std::isinf(list.back().first)) {
        return InvalidArgumentError(f.name + ": no +Inf bucket");
      }
      if (!counts.count(labels) || counts[labels] != list.back().second) {
        return InvalidArgumentError(f.name + ": +Inf bucket != _count");
      }
    }
  }
  for (const PromFamily& f : text.families) {
    if (f.type.empty() || !had_help.count(f.name)) {
      return InvalidArgumentError(f.name + ": HELP or TYPE missing");
    }
  }
  return text;
}

}  // namespace crawler::testing
