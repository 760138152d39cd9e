// Crawl files: a crawl described in YAML, loaded and validated against the
// key table (key_table.h) before anything is fetched.
//
//   seeds:
//     urls: [https://example.com/]
//   limits:
//     max_depth: 3
//   politeness:
//     delay: 0.5
//
// The top level is a mapping of groups (seeds, scope, limits, politeness,
// robots, fetch, workers, output, logging), each a mapping of keys; every
// key, its type, range and default is in key_table.cc and in the generated
// seeds/reference.yaml. Keys the file does not name keep the value they had
// in `defaults`. docs/config.md describes the format for users.
//
// Loading checks everything it can without fetching and reports every
// problem it finds, not only the first, each located and explained
// (ConfigError::ToString):
//   crawl.yaml:4:14: politeness.delay: expected a number of seconds from 0
//     to 86400, got `fast`
//   crawl.yaml:7:3: limits.max_pgaes: unknown key `max_pgaes`, did you mean
//     `max_pages`?
// Checked: the size (kMaxCrawlFileBytes), YAML syntax (one error, with
// yaml-cpp's position; tags, aliases and nesting deeper than kMaxYamlDepth
// refused, yaml_tree.h), the shape (mappings where groups are, lists where
// lists are, the fields of list entries such as fetch.auth's), unknown keys
// (with the nearest valid key), duplicate keys, types, ranges, enum values,
// ${NAME} substitution (env_substitution.h; applied to every value, never
// to keys), each key's extra check (URLs, RE2 patterns, domains, User-Agent,
// resolve and address rules, readable seed and CA files, request headers,
// proxy, authentication, record fields, the metrics address), the
// environment variables that keys holding secrets name (set, non-empty,
// well-formed; their values never appear in a message), keys that need
// another (fetch.noproxy needs fetch.proxy), and that the file names at
// least one seed. Relative paths of files the crawl reads (seeds.files,
// fetch.ca_cert) are resolved against the crawl file's directory; the paths
// of files it writes (output.path, output.report, output.warc,
// logging.file) are not: they are relative to the working directory, like
// `-o`, `--report`, `--warc` and `--log-file`.
//
// Thread-safety: the functions are safe to call concurrently; they read the
// files named and call `env`, nothing else.
#ifndef CRAWLER_CONFIG_CRAWL_FILE_H_
#define CRAWLER_CONFIG_CRAWL_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/config/crawl_config.h"
#include "crawler/config/env_substitution.h"

namespace crawler::config {

// One problem in a crawl file.
struct ConfigError {
  std::string file;
  // 1-based; 0 when the problem has no position (the file cannot be read).
  int line = 0;
  int column = 0;
  // Dotted key path ("politeness.delay", "scope.include[1]"); "" when the
  // problem is not about one key (a YAML syntax error before any key).
  std::string key;
  // What is wrong and what was expected.
  std::string message;

  // "file:line:column: key: message", leaving out what is empty or 0.
  std::string ToString() const;
};

// The outcome of loading a crawl file.
struct LoadedCrawlFile {
  // `defaults` with every key the file sets applied. Meaningful only when
  // errors is empty.
  CrawlConfig config;
  // Every problem found, in file order (by line and column; at most
  // kMaxErrors, the last of them then saying how many more there were).
  std::vector<ConfigError> errors;
  // The dotted paths of the keys the file set, in file order.
  std::vector<std::string> keys_set;

  bool ok() const { return errors.empty(); }
  // OK, or InvalidArgument whose message is the errors, one per line.
  Status ToStatus() const;
};

// More errors than this are summarized in one final message.
inline constexpr int kMaxErrors = 50;
// Crawl files larger than this (1 MiB) are refused, with one error saying
// so, before they are parsed.
inline constexpr size_t kMaxCrawlFileBytes = 1 << 20;

// Reads and loads the crawl file at `path`. An unreadable or oversized file
// is one error naming it (at most kMaxCrawlFileBytes + 1 bytes are read).
LoadedCrawlFile LoadCrawlFile(const std::string& path,
                              const CrawlConfig& defaults,
                              const EnvLookup& env = ProcessEnvironment());

// Loads crawl-file `text`; `path` is used in messages and to resolve
// relative file paths.
LoadedCrawlFile LoadCrawlText(std::string_view text, const std::string& path,
                              const CrawlConfig& defaults,
                              const EnvLookup& env = ProcessEnvironment());

// The valid key nearest to `word` among `candidates` by edit distance
// (insertions, deletions, substitutions and swaps of neighbours each count
// 1), or "" when none is close: within 1 for words of up to 4 characters, 2
// up to 8, 3 beyond. Ties go to the earlier candidate.
std::string NearestKey(std::string_view word,
                       const std::vector<std::string>& candidates);

}  // namespace crawler::config

#endif  // CRAWLER_CONFIG_CRAWL_FILE_H_
