// Sitemap parsing (sitemaps.org protocol 0.9): turns the bytes of a fetched
// sitemap into the URLs it lists. Three formats are read:
//   - an XML <urlset>: the <loc> of each <url> entry (Sitemap::urls);
//   - an XML <sitemapindex>: the <loc> of each <sitemap> entry
//     (Sitemap::sitemaps), which the caller fetches and parses in turn;
//   - a plain-text sitemap: one URL per line (Sitemap::urls).
// Any of them may be gzip-compressed (a ".xml.gz" file): the gzip magic bytes
// 1f 8b are what counts, not the Content-Type or the file name.
//
// The input comes from the network and is treated as hostile:
//   - Decompression counts decompressed bytes and stops at
//     SitemapOptions::max_decompressed_bytes, so a gzip bomb costs at most
//     that much memory and the time to inflate it. Concatenated gzip members
//     are read as one stream (RFC 1952); at most two nested gzip layers (a
//     ".xml.gz" gzipped again by a server) are undone, a third is an error.
//   - XML is parsed with expat (libexpat1-dev), which never does I/O itself:
//     no external entity or DTD is ever loaded (no external entity handler is
//     installed, parameter entity parsing is off), and a document that
//     declares any entity (<!ENTITY ...> in its internal DTD subset) is
//     refused, so XXE ("file:///etc/passwd") cannot be read and "billion
//     laughs" cannot expand. A DOCTYPE without entity declarations is
//     tolerated. Only the five predefined entities (&amp; &lt; &gt; &quot;
//     &apos;) and character references are decoded.
//   - Element names are matched on their local part, so the sitemaps.org
//     namespace may be declared, declared under a prefix, or absent. Only
//     <loc> children of <url> (in <urlset>) and of <sitemap> (in
//     <sitemapindex>) count: an <image:loc> deeper inside an entry is not a
//     page URL.
//
// URLs are returned as found, trimmed of leading and trailing whitespace
// (space, tab, CR, LF), empty ones skipped. Nothing is resolved, validated or
// deduplicated: per the protocol they should be absolute, and checking them
// (crawler/url NormalizeUrl), applying scope, robots.txt and the SSRF rules,
// and detecting index loops are the caller's job.
//
// Everything here is a pure function of its arguments: no I/O, no global
// state. Thread-safety: ParseSitemap may be called concurrently from any
// number of threads.
#ifndef CRAWLER_SITEMAP_SITEMAP_H_
#define CRAWLER_SITEMAP_SITEMAP_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::sitemap {

struct SitemapOptions {
  // Documents are read up to this many bytes after decompression (and plain
  // bodies up to this many bytes); the rest is ignored and the result marked
  // truncated. sitemaps.org: 50 MB uncompressed. A gzip body is inflated
  // into a buffer that never grows past this (plus one byte); peak memory of
  // a parse is at most a few times this (buffer growth, a second gzip layer)
  // plus the URLs returned. Plain bodies are not copied.
  size_t max_decompressed_bytes = 50 << 20;
  // At most this many URLs (or, in an index, sitemaps) are returned; more
  // mark the result truncated. sitemaps.org: 50,000 URLs per file.
  size_t max_urls = 50000;
};

struct Sitemap {
  // What the document was: an XML <urlset>, an XML <sitemapindex>, or a
  // plain-text list of URLs.
  enum class Kind { kUrlSet, kIndex, kText } kind = Kind::kUrlSet;
  // <url><loc> values (kUrlSet), or one URL per line (kText), in document
  // order. Empty for kIndex.
  std::vector<std::string> urls;
  // <sitemap><loc> values (kIndex), in document order. Empty otherwise.
  std::vector<std::string> sitemaps;
  // True when the document was not read to its end and more entries may
  // exist than returned: max_urls reached, max_decompressed_bytes reached
  // (the document was cut), the gzip data ended early or was corrupt, or the
  // XML broke after at least one entry had been read (the entries before the
  // error are kept; see ParseSitemap).
  bool truncated = false;
  // Why truncated is set, for logs, e.g. "sitemap: more than 50000 URLs
  // (limit max_urls)" or "sitemap: XML error at line 7: mismatched tag".
  // Empty when truncated is false.
  std::string truncation_reason;
};

// Parses `body`, a sitemap as fetched (see the file comment for the formats).
// How the format is told: after gzip is undone and a UTF-8 byte order mark
// and leading whitespace are skipped, a document starting with '<' (or a
// UTF-16 byte order mark) is XML, anything else a plain-text sitemap. In a
// plain-text sitemap each line (LF or CRLF) is one URL, trimmed of
// whitespace; blank lines are skipped; a last line cut by the size cap is
// dropped. Other lines are kept as found, even if they are not URLs.
//
// Broken input: when the XML breaks after at least one entry was read, or the
// document was cut by the size cap, the entries read so far are returned with
// truncated = true and the error in truncation_reason (a crawler is better
// served by the first 40,000 URLs of a sitemap cut short than by none).
// Otherwise it is an error, never a crash:
//   - InvalidArgument (tag kPermanent):
//     "sitemap: empty document" (empty or whitespace only);
//     "sitemap: XML error at line 3: mismatched tag";
//     "sitemap: root element is <html>, expected <urlset> or <sitemapindex>";
//     "sitemap: entity declarations are refused (DTD entity 'xxe' at line
//     2)" — always an error, whatever was read before;
//     "sitemap: binary data, not XML or text (control byte 0x00 at offset
//     12)" for a non-XML body with control bytes other than tab, LF, VT, FF
//     and CR.
//   - DataLoss: "sitemap: gzip data is truncated ..." or "sitemap: gzip data
//     is corrupt ..." when nothing usable could be read from it;
//     "sitemap: more than 2 nested gzip layers".
// A body (or decompressed document) over the cap is not an error: it is read
// up to the cap and marked truncated.
StatusOr<Sitemap> ParseSitemap(std::string_view body,
                               const SitemapOptions& options = {});

}  // namespace crawler::sitemap

#endif  // CRAWLER_SITEMAP_SITEMAP_H_
