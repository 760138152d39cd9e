// Minimal JSON text helpers for the crawler's JSON-lines output.
//
// Strings from the network (titles, URLs, error texts) may hold any bytes;
// AppendJsonString always produces valid UTF-8 JSON: control characters are
// escaped and each invalid UTF-8 sequence becomes U+FFFD.
//
// Thread-safety: pure functions.
#ifndef CRAWLER_OUTPUT_JSON_H_
#define CRAWLER_OUTPUT_JSON_H_

#include <string>
#include <string_view>

namespace crawler::output {

// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string* out, std::string_view s);

// Appends `s` unquoted, each invalid UTF-8 byte replaced by U+FFFD (as
// AppendJsonString does), control characters kept: for other text formats.
void AppendValidUtf8(std::string* out, std::string_view s);

// Hides the password of every "scheme://user:password@host" in `s` (URLs and
// messages that quote them): "http://ann:***@host/". Fault matrix S7: a
// secret given in a seed never reaches a record or a log.
std::string RedactUserinfo(std::string_view s);

}  // namespace crawler::output

#endif  // CRAWLER_OUTPUT_JSON_H_
