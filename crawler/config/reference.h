// The generated documentation of crawl-file keys, both made from the key
// table (key_table.h) so that they cannot drift from what the loader
// accepts:
//   - ReferenceYaml: seeds/reference.yaml, a crawl file that sets every key
//     to its default (itself valid), each with a comment;
//   - KeysMarkdown: the README's table of keys.
// `crawler validate --print-reference` and `--print-markdown` print them;
// tests compare them with the committed files.
//
// Thread-safety: pure functions.
#ifndef CRAWLER_CONFIG_REFERENCE_H_
#define CRAWLER_CONFIG_REFERENCE_H_

#include <string>

#include "crawler/config/crawl_config.h"

namespace crawler::config {

// The reference crawl file, with the values of `defaults` (the ones a crawl
// starts from: the CLI passes its own).
std::string ReferenceYaml(const CrawlConfig& defaults);

// A Markdown table: key, value, default, flag, meaning; one row per key.
std::string KeysMarkdown(const CrawlConfig& defaults);

}  // namespace crawler::config

#endif  // CRAWLER_CONFIG_REFERENCE_H_
