// The properties checked by the libFuzzer targets in fuzz/ and replayed over
// the committed corpora by tests/fuzz/corpus_test.cc. Each check runs one
// pure parser of the crawler on `data` (arbitrary bytes) and returns an empty
// string when every property holds, else a description of the violated one.
// Crashes, hangs and sanitizer reports are found by the caller's build (the
// fuzzers run under ASan+UBSan; the regression test runs in every CI config).
//
// Thread-safety: the checks are pure functions and keep no state.
#ifndef FUZZ_FUZZ_CHECKS_H_
#define FUZZ_FUZZ_CHECKS_H_

#include <string>
#include <string_view>

namespace crawler::fuzz {

// robots.txt (crawler/robots): RobotsPolicy::Parse of the input (up to the
// last NUL byte, if any) for the token "crawler", then IsAllowed on the path
// after that NUL, on every rule value of the input and on fixed paths.
// Properties: "/robots.txt" is always allowed (RFC 9309 2.2.2); the verdicts,
// the crawl-delay and the rule count do not depend on the case of the product
// token; IsAllowed never fails on any path.
std::string CheckRobots(std::string_view data);

// URLs (crawler/url): NormalizeUrl (plain, with strip_query_params, and with
// sort_query too), SplitUrl, CleanHref and UrlResolver::Resolve against a
// fixed base (and, when the input holds a NUL, against the part before it
// as base). Properties: a normalized or resolved
// URL is http(s), no longer than the limit, and a fixed point of NormalizeUrl
// (normalize(normalize(u)) == normalize(u)); SplitUrl of it succeeds with the
// same scheme; Resolve gives what ResolveWithoutFastPathForTesting (libcurl
// for every reference) gives.
std::string CheckUrl(std::string_view data);

// HTML (crawler/html): ExtractHtml with small limits, IsFollowableHref on
// every href, ParseXRobotsTag on the first line. Properties: at most
// max_links links and hrefs (links_truncated when capped); every link and href
// non-empty and trimmed of ASCII whitespace; the title is valid UTF-8 and
// trimmed; the result is the same with HtmlOptions::compact_text off.
std::string CheckHtml(std::string_view data);

// Sitemaps (crawler/sitemap): ParseSitemap with small caps. Properties: at
// most max_urls entries; urls empty for an index and sitemaps empty
// otherwise; truncated exactly when truncation_reason is set; every entry
// non-empty and trimmed.
std::string CheckSitemap(std::string_view data);

// IPC (crawler/ipc): ipc::Decode of the input as a FetchTask and as a
// FetchResult. Properties: never crashes; when Decode succeeds,
// Decode(Encode(m)) == m field by field and Encode(m) is a fixed point
// (Encode(Decode(Encode(m))) == Encode(m)); the input itself round-trips
// byte for byte when its varints are canonical (checked as: re-encoding is
// never longer than the input).
std::string CheckIpc(std::string_view data);

// Retry-After (crawler/coordinator/retry_after.h): RetryAfterSeconds and
// ParseHttpDate of the input at a fixed "now" (2026-01-01 00:00:00 UTC).
// Properties: a value is within [0, max]; a smaller cap gives min(value,
// cap); spaces and tabs around the input change nothing; a value that
// depends on "now" comes from an HTTP-date, and equals the seconds to that
// date clamped to [0, max]; a parsed date formats (FormatHttpDate) to an
// IMF-fixdate that parses back to the same instant.
std::string CheckRetryAfter(std::string_view data);

// Cron expressions (crawler/schedule/cron.h): CronExpression::Parse of the
// input, and for an accepted one Next() from fixed instants in UTC and in a
// zone 5:30 east. Properties: Parse of the trimmed text and of the text with
// blanks around it gives the same fields; Next is after its start, a whole
// minute (fixed zones have no gaps), a time that Matches() in that zone,
// and the first one: no minute in between matches (checked when the two
// are at most two days apart); Next of that instant is later still.
std::string CheckCron(std::string_view data);

// WARC files (crawler/warc): WarcReader over the input (records of at most
// 64 KiB), then for each record whose block reads as an HTTP message
// (ParseHttpHead) its payload (ForEachPayloadPiece: chunked framing
// removed) and DecodeContent of that payload (64 KiB cap), as `crawler warc
// cat` does. Properties: records come in file order, each member within
// the input; a block is exactly its Content-Length long; a failure is
// DataLoss or ResourceExhausted naming an offset within the input, and the
// next call fails the same way; the payload pieces lie in the body, in
// order, and are no longer than it; a decoded payload is within the cap,
// and a refused one fails with InvalidArgument, DataLoss or
// ResourceExhausted.
std::string CheckWarc(std::string_view data);

}  // namespace crawler::fuzz

#endif  // FUZZ_FUZZ_CHECKS_H_
