// The crawl-file key table: the one list of every key a crawl file may set.
//
// Each entry names a key by its dotted path ("politeness.delay"), its type
// and range, its default (read from the option structs, so it is the
// engine's), the `crawler crawl` flag that sets the same option, a help text,
// any extra check, and how to store a value. Everything about keys is derived
// from this table: the loader and validator (crawl_file.h), the reference
// file seeds/reference.yaml and the README's key list (reference.h). They
// cannot drift apart, and tests fail when a generated file is stale.
//
// Adding a key is one entry in MakeKeys() (key_table.cc):
//
//   Seconds("fetch.timeout", 0.001, 86400, "--timeout",
//           "Time limit for one whole transfer.",
//           [](auto& c) -> auto& { return c.fetch.total_timeout_ms; }),
//
// - Put it in its group (the part before the dot; new groups go in
//   MakeGroups(), in the order the reference shows them). Names are
//   lower_snake_case, like the flag without its dashes where there is one.
// - Pick the builder for the value's type: Bool, Int, Number, Seconds (a
//   double field holds seconds, an int64_t field milliseconds), Bytes,
//   String, Path (a file the crawl reads: relative to the crawl file's
//   directory; a file the crawl writes is a String, relative to the working
//   directory like the flag's), Enum, StringList or PathList. The builder
//   gives the type check, the range check, the message and the default's
//   spelling. A value that maps onto the option in a way of its own (an
//   enum, an optional) gets its own `set` and `get` (see scope.mode); a list
//   of mappings (fetch.auth) is a kMappingList with `fields`.
// - The last argument returns the field, for a const and a non-const
//   CrawlConfig alike: `[](auto& c) -> auto& { return c.FIELD; }`. If the
//   option lives in a struct CrawlConfig does not hold yet, add it to
//   CrawlConfig (crawl_config.h) and to the CLI's conversions
//   (crawler/cli/run_command.cc).
// - Values that need more than a type and a range get `.WithCheck(fn)`:
//   fn(value) returns OK or InvalidArgument saying what is wrong. Call the
//   owning package's own parser or validator (scope::Scope::Create for a
//   regular expression, fetch::ParseResolveRule, ...), never a copy of it.
//   A whole list gets `list_check` (a count, duplicates).
// - Secrets never appear in a crawl file. A key whose value is a secret
//   names the environment variable that holds it (`env_name`, like the
//   flag, which takes the variable's name too); its `get` never shows the
//   secret. Any other value may use ${NAME} (env_substitution.h).
// - Then regenerate the two generated texts (`crawler validate
//   --print-reference > seeds/reference.yaml` and the README section from
//   `crawler validate --print-markdown`, between its markers).
//
// Thread-safety: the table is built once, on first use, and then only read.
#ifndef CRAWLER_CONFIG_KEY_TABLE_H_
#define CRAWLER_CONFIG_KEY_TABLE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/config/crawl_config.h"

namespace crawler::config {

// How a key's value is written and checked.
enum class ValueType {
  kBool,         // true or false.
  kInt,          // A decimal integer in [min, max].
  kNumber,       // A decimal number in [min, max].
  kSeconds,      // A decimal number of seconds in [min, max].
  kBytes,        // An integer byte count, optional suffix K, M or G (1024s).
  kString,       // Any text.
  kPath,         // A file path; relative ones are taken from the crawl file's
                 // directory.
  kEnum,         // One of `choices` (or another spelling `check` accepts).
  kStringList,   // A list of texts.
  kPathList,     // A list of file paths (as kPath).
  kMappingList,  // A list of mappings, each with every one of `fields`.
};

// A value that passed its type, range and extra checks, as the setter gets
// it. Only the member for the key's type is meaningful.
struct KeyValue {
  bool boolean = false;           // kBool.
  int64_t integer = 0;            // kInt, kBytes.
  double number = 0;              // kNumber, kSeconds.
  std::string text;               // kString, kPath (resolved), kEnum.
  std::vector<std::string> list;  // kStringList, kPathList (resolved).
  // kMappingList: one entry per item, the values of `fields` in their order
  // (an env_name field's is the variable's value).
  std::vector<std::vector<std::string>> records;
};

// One field of the items of a kMappingList key. Every field is required.
struct FieldSpec {
  std::string name;
  // What a value must look like ("basic or bearer").
  std::string expected;
  // The value names an environment variable holding a secret (as
  // KeySpec::env_name).
  bool env_name = false;
  // Extra check of the value, given the values of the item's fields before
  // this one ("" for one that failed its own check). Null: none.
  std::function<Status(const std::string& value,
                       const std::vector<std::string>& before)>
      check;
};

struct KeySpec {
  // "group.name".
  std::string path;
  ValueType type = ValueType::kString;
  // Inclusive bounds for kInt, kNumber, kSeconds and kBytes.
  double min = 0;
  double max = 0;
  // kEnum: the accepted values, as the messages and the reference list
  // them. A `check` (the owning package's parser) may accept other
  // spellings too, as the flag does ("json" for "jsonl").
  std::vector<std::string> choices;
  // The `crawler crawl` flag that sets the same option ("--delay"), or a
  // description when it is not a single flag ("URL arguments").
  std::string flag;
  // What the key does, in a sentence or two (reference file and README).
  std::string help;
  // The reference file shows this YAML instead of the default when the
  // default alone would not make a valid file (seeds.urls).
  std::string example;
  // When the default is computed rather than a value ("fetch.timeout +
  // 10"), or is no value at all ("off"): the reference shows this and
  // comments the key out.
  std::string default_note;
  // What a value must look like, when the type alone says too little ("a
  // list of RE2 regular expressions"); "" to let Expected() derive it.
  std::string expected;
  // Extra check of one text value (each item of a list), after ${NAME}
  // substitution and path resolution. Null: none.
  std::function<Status(const std::string& value)> check;
  // kString: the value is the name of an environment variable ("" for
  // none) whose value is the option's, a secret (fetch.proxy_user_env). The
  // loader reads the variable (unset or empty is an error); `check` and
  // `set` get its value, which no message shows, and `get` shows "***".
  bool env_name = false;
  // kMappingList: the fields of each item, in the order they are checked.
  std::vector<FieldSpec> fields;
  // Extra check of a whole list (kStringList, kPathList, kMappingList) once
  // every item passed its own: a count, duplicates. Null: none.
  std::function<Status(const KeyValue& value)> list_check;
  // Another key's path: a value of this key other than "" or [] needs a
  // value other than "" or [] there ("fetch.noproxy" needs "fetch.proxy").
  std::string needs;
  // Stores a checked value.
  std::function<void(const KeyValue& value, CrawlConfig& config)> set;
  // The key's value in `config`, as YAML ("1", "true", "16M", "\"x\"",
  // "[]"); "" when default_note applies.
  std::function<std::string(const CrawlConfig& config)> get;

  // Returns a copy with `fn` as the extra check, and `expected` (if not
  // empty) as what a value must look like.
  KeySpec WithCheck(std::function<Status(const std::string&)> fn,
                    std::string expected = "") const;
};

// A group of keys: the part of a path before the dot.
struct GroupSpec {
  std::string name;
  // A sentence for the reference file and the README.
  std::string help;
};

// The groups, in the order the reference file shows them.
const std::vector<GroupSpec>& Groups();
// Every key, grouped and in reference order.
const std::vector<KeySpec>& Keys();
// The key with this dotted path, or null.
const KeySpec* FindKey(std::string_view path);

// What a value of `spec` must look like, for messages and the README:
// "an integer from 1 to 256", "true or false", "one of host, domain, any",
// "a list of strings", "a list of {origin, scheme, credentials_env}
// mappings".
std::string Expected(const KeySpec& spec);

// Spellings shared with the reference file: a number as short as it can be
// written exactly (0.5, 30, 1e+06); a byte count with the largest exact
// suffix (16M); a string double-quoted with YAML escapes.
std::string FormatNumber(double value);
std::string FormatBytes(int64_t value);
std::string QuoteYaml(std::string_view text);

}  // namespace crawler::config

#endif  // CRAWLER_CONFIG_KEY_TABLE_H_
