// CompactMarkup: a copy of an HTML document with the text taken out, for a
// parser that only needs its elements and attributes.
//
// A crawler reads links, <base>, <link rel=canonical>, <meta> robots and the
// <title> from a page, never its body text; on typical pages text is most of
// the bytes (83 % on bench/site's pages), and gumbo spends its time per input
// character. CompactMarkup keeps every token that can change the element tree
// built from the document by the HTML parsing algorithm (WHATWG HTML 13.2),
// and shrinks the rest:
//   - tags, DOCTYPEs and bogus comments are copied byte for byte;
//   - a comment becomes the empty comment "<!---->";
//   - a run of character data becomes at most two characters: its first
//     character when that is ASCII whitespace, then "x" when the run holds any
//     other character. The tree builder only distinguishes whitespace from
//     other characters (insertion modes "initial" to "after after body",
//     foster parenting in tables, the <pre> leading newline), so this builds
//     the same elements; runs holding '&' (a character reference may decode to
//     whitespace) are copied whole;
//   - the content of the raw text elements script, style, xmp, iframe,
//     noembed, noframes and textarea is dropped (it is never markup), while
//     <title>'s is kept for the caller.
// When the document holds something whose tokenization depends on the tree
// builder's state in a way a linear scan cannot follow, the function declines
// and the caller parses the original: foreign content (<svg>, <math>),
// <select>, <frameset> and <template> (where raw-text start tags can be
// ignored: "in select", "in frameset", "in column group" inside a
// template), a NUL
// byte, and a <script> whose data holds "<!--" (escaped script states).
//
// The guarantee (checked by tests/html and the html fuzzer, which compare
// ExtractHtml's result with and without compaction): extracting from the
// compacted copy gives the same title, base href, links, hrefs, canonical and
// robots directives as from the original. Element text other than <title>'s
// is not preserved.
//
// Thread-safety: a pure function of its input.
#ifndef CRAWLER_HTML_MARKUP_COMPACTOR_H_
#define CRAWLER_HTML_MARKUP_COMPACTOR_H_

#include <string>
#include <string_view>

namespace crawler::html {

// Writes the compacted copy of `html` to *out (replacing its contents) and
// returns true, or returns false (leaving *out unspecified) when the document
// needs the full parse, see above. Never fails otherwise; linear in the size
// of the input.
bool CompactMarkup(std::string_view html, std::string* out);

}  // namespace crawler::html

#endif  // CRAWLER_HTML_MARKUP_COMPACTOR_H_
