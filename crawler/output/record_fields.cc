#include "crawler/output/record_fields.h"

namespace crawler::output {
namespace {

std::string ValidNames(RecordKind kind) {
  std::string out;
  for (Field f : AllFields(kind)) {
    if (!out.empty()) out += ", ";
    out += FieldName(f);
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string_view FieldName(Field field) {
  switch (field) {
    case Field::kUrl:
      return "url";
    case Field::kFinalUrl:
      return "final_url";
    case Field::kStatus:
      return "status";
    case Field::kContentType:
      return "content_type";
    case Field::kBytes:
      return "bytes";
    case Field::kTitle:
      return "title";
    case Field::kLinks:
      return "links";
    case Field::kElapsedMs:
      return "elapsed_ms";
    case Field::kError:
      return "error";
    case Field::kDepth:
      return "depth";
    case Field::kReferrer:
      return "referrer";
    case Field::kLocation:
      return "location";
    case Field::kCanonical:
      return "canonical";
    case Field::kNoindex:
      return "noindex";
    case Field::kChange:
      return "change";
  }
  return "";
}

const std::vector<Field>& AllFields(RecordKind kind) {
  static const std::vector<Field> kFetch = {
      Field::kUrl,         Field::kFinalUrl,  Field::kStatus,
      Field::kContentType, Field::kBytes,     Field::kTitle,
      Field::kLinks,       Field::kElapsedMs, Field::kError};
  static const std::vector<Field> kCrawl = [] {
    std::vector<Field> all = kFetch;
    all.insert(all.end(), {Field::kDepth, Field::kReferrer, Field::kLocation,
                           Field::kCanonical, Field::kNoindex, Field::kChange});
    return all;
  }();
  return kind == RecordKind::kCrawl ? kCrawl : kFetch;
}

StatusOr<std::vector<Field>> ResolveFields(
    const std::vector<std::string>& names, RecordKind kind) {
  if (names.empty()) return AllFields(kind);
  std::vector<Field> out;
  for (const std::string& name : names) {
    bool found = false;
    for (Field f : AllFields(RecordKind::kCrawl)) {
      if (FieldName(f) != name) continue;
      found = true;
      bool allowed = false;
      for (Field g : AllFields(kind)) allowed = allowed || g == f;
      if (!allowed) {
        return InvalidArgumentError(
            "field '" + name +
            "' is only in crawl records (fields: " + ValidNames(kind) + ")");
      }
      for (Field g : out) {
        if (g == f) {
          return InvalidArgumentError("field '" + name + "' is given twice");
        }
      }
      out.push_back(f);
    }
    if (!found) {
      return InvalidArgumentError("unknown field '" + name +
                                  "' (fields: " + ValidNames(kind) + ")");
    }
  }
  return out;
}

StatusOr<std::vector<std::string>> SplitFieldList(std::string_view list) {
  std::vector<std::string> names;
  size_t start = 0;
  while (true) {
    const size_t comma = list.find(',', start);
    std::string_view name = Trim(list.substr(
        start, comma == std::string_view::npos ? comma : comma - start));
    if (name.empty()) {
      return InvalidArgumentError(
          "expects field names separated by commas, e.g. url,status,title; "
          "got '" +
          std::string(list) + "'");
    }
    names.emplace_back(name);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return names;
}

}  // namespace crawler::output
