#include "crawler/output/record_format.h"

#include <cstdint>

#include "crawler/output/json.h"

namespace crawler::output {
namespace {

// One field's value in a record, before it is written in a format.
struct Value {
  enum Kind { kNull, kText, kUrlish, kSigned, kUnsigned, kBool };
  Kind kind = kNull;
  std::string_view text;  // kText, kUrlish (may quote a URL: redacted).
  int64_t number = 0;     // kSigned.
  uint64_t unsigned_number = 0;
  bool flag = false;
};

Value Null() { return {}; }
Value Text(std::string_view s, Value::Kind kind = Value::kText) {
  Value v;
  v.kind = kind;
  v.text = s;
  return v;
}
Value Urlish(std::string_view s) { return Text(s, Value::kUrlish); }
Value UrlishOrNull(const std::string& s) {
  return s.empty() ? Null() : Urlish(s);
}
Value Signed(int64_t n) {
  Value v;
  v.kind = Value::kSigned;
  v.number = n;
  return v;
}
Value Unsigned(uint64_t n) {
  Value v;
  v.kind = Value::kUnsigned;
  v.unsigned_number = n;
  return v;
}
Value Bool(bool b) {
  Value v;
  v.kind = Value::kBool;
  v.flag = b;
  return v;
}

// The value of `field` in a record (the null rules of docs/output.md).
Value FieldValue(Field field, const ipc::FetchResult& r,
                 const CrawlContext* crawl) {
  const bool answered = r.status != 0;
  switch (field) {
    case Field::kUrl:
      return Urlish(r.url);
    case Field::kFinalUrl:
      return answered ? Urlish(r.final_url) : Null();
    case Field::kStatus:
      return answered ? Signed(r.status) : Null();
    case Field::kContentType:
      return answered && !r.content_type.empty() ? Text(r.content_type)
                                                 : Null();
    case Field::kBytes:
      return Unsigned(r.bytes);
    case Field::kTitle:
      return r.parsed ? Text(r.title) : Null();
    case Field::kLinks:
      return r.parsed ? Signed(r.links) : Null();
    case Field::kElapsedMs:
      return Signed(r.elapsed_ms);
    case Field::kError:
      return UrlishOrNull(r.error);
    case Field::kDepth:
      return crawl != nullptr ? Signed(crawl->depth) : Null();
    case Field::kReferrer:
      return crawl != nullptr ? UrlishOrNull(crawl->referrer) : Null();
    case Field::kLocation:
      return crawl != nullptr ? UrlishOrNull(r.location) : Null();
    case Field::kCanonical:
      return crawl != nullptr ? UrlishOrNull(r.canonical) : Null();
    case Field::kNoindex:
      return crawl != nullptr ? Bool(r.noindex) : Null();
    case Field::kChange:
      return crawl != nullptr && !crawl->change.empty() ? Text(crawl->change)
                                                        : Null();
  }
  return Null();
}

// A string field that may quote a URL: passwords in userinfo are hidden.
// Returns the text to write; `scratch` holds it when it had to change.
std::string_view Redacted(const Value& v, std::string* scratch) {
  if (v.kind != Value::kUrlish || v.text.find('@') == std::string_view::npos) {
    return v.text;
  }
  *scratch = RedactUserinfo(v.text);
  return *scratch;
}

void AppendNumber(std::string* out, const Value& v) {
  out->append(v.kind == Value::kSigned ? std::to_string(v.number)
                                       : std::to_string(v.unsigned_number));
}

// The fields to write for one record.
const std::vector<Field>& FieldsFor(const std::vector<Field>& chosen,
                                    const CrawlContext* crawl) {
  if (!chosen.empty()) return chosen;
  return AllFields(crawl != nullptr ? RecordKind::kCrawl : RecordKind::kFetch);
}

class JsonLinesFormat : public RecordFormat {
 public:
  explicit JsonLinesFormat(std::vector<Field> fields)
      : fields_(std::move(fields)) {}

  std::string Header() const override { return ""; }

  void Append(std::string* out, const ipc::FetchResult& r,
              const CrawlContext* crawl) const override {
    std::string scratch;
    out->push_back('{');
    bool first = true;
    for (Field f : FieldsFor(fields_, crawl)) {
      if (!first) out->push_back(',');
      first = false;
      out->push_back('"');
      out->append(FieldName(f));
      out->append("\":");
      const Value v = FieldValue(f, r, crawl);
      switch (v.kind) {
        case Value::kNull:
          out->append("null");
          break;
        case Value::kText:
        case Value::kUrlish:
          AppendJsonString(out, Redacted(v, &scratch));
          break;
        case Value::kSigned:
        case Value::kUnsigned:
          AppendNumber(out, v);
          break;
        case Value::kBool:
          out->append(v.flag ? "true" : "false");
          break;
      }
    }
    out->append("}\n");
  }

 private:
  std::vector<Field> fields_;
};

class CsvFormat : public RecordFormat {
 public:
  explicit CsvFormat(std::vector<Field> fields) : fields_(std::move(fields)) {}

  std::string Header() const override {
    std::string out;
    for (Field f : FieldsFor(fields_, nullptr)) {
      if (!out.empty()) out.push_back(',');
      out.append(FieldName(f));
    }
    out.append("\r\n");
    return out;
  }

  void Append(std::string* out, const ipc::FetchResult& r,
              const CrawlContext* crawl) const override {
    std::string scratch;
    bool first = true;
    // Without chosen fields, the header has the fetch fields: keep to them.
    for (Field f : FieldsFor(fields_, nullptr)) {
      if (!first) out->push_back(',');
      first = false;
      const Value v = FieldValue(f, r, crawl);
      switch (v.kind) {
        case Value::kNull:
          break;
        case Value::kText:
        case Value::kUrlish:
          AppendCsvField(out, Redacted(v, &scratch));
          break;
        case Value::kSigned:
        case Value::kUnsigned:
          AppendNumber(out, v);
          break;
        case Value::kBool:
          out->append(v.flag ? "true" : "false");
          break;
      }
    }
    out->append("\r\n");
  }

 private:
  std::vector<Field> fields_;
};

}  // namespace

void AppendCsvField(std::string* out, std::string_view s) {
  const bool quote =
      s.empty() || s.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    AppendValidUtf8(out, s);
    return;
  }
  out->push_back('"');
  size_t start = 0;
  while (true) {
    const size_t q = s.find('"', start);
    AppendValidUtf8(out, s.substr(start, q == std::string_view::npos
                                             ? std::string_view::npos
                                             : q - start + 1));
    if (q == std::string_view::npos) break;
    out->push_back('"');  // A quote inside is doubled.
    start = q + 1;
  }
  out->push_back('"');
}

std::unique_ptr<RecordFormat> NewRecordFormat(OutputFormat format,
                                              std::vector<Field> fields) {
  if (format == OutputFormat::kCsv) {
    return std::make_unique<CsvFormat>(std::move(fields));
  }
  return std::make_unique<JsonLinesFormat>(std::move(fields));
}

std::string FormatRecord(const ipc::FetchResult& result,
                         const CrawlContext* crawl) {
  static const JsonLinesFormat kAllFields({});
  std::string out;
  out.reserve(256 + result.url.size() + result.final_url.size() +
              result.title.size() + result.error.size());
  kAllFields.Append(&out, result, crawl);
  return out;
}

}  // namespace crawler::output
