// `crawler warc`: reads WARC files with the project's own reader
// (crawler/warc), to look into what `--warc` wrote and to check that it can
// be read back.
//
//   crawler warc ls FILE...
//       One line per record, tab-separated: offset (of its gzip member),
//       WARC-Type, WARC-Date, Content-Length, WARC-Target-URI ("-" when the
//       record has none). With several files each line starts with the file
//       name, as grep does.
//   crawler warc cat [--no-decode] FILE URI
//       The body of the last 'response' record for URI in FILE, de-chunked
//       and decoded (Content-Encoding gzip, deflate, br, zstd) as the
//       server meant it; --no-decode keeps the content coding (the payload
//       WARC-Payload-Digest covers). A truncated record (WARC-Truncated)
//       prints what it holds and says so on `err`.
//   crawler warc cdxj FILE...
//       A CDXJ index of the response records of the files, one line each,
//       sorted (crawler/warc/cdxj.h); "filename" is each file's base name.
//
// Exit codes:
//   0  every record was read (ls, cdxj) / the body was printed (cat);
//   1  a file is truncated or corrupt: `ls` and `cdxj` print the records
//      before the broken one and name the file and the broken record's
//      offset on `err`; a file cannot be read; `cat` found no response for URI,
//      or its body cannot be decoded;
//   2  usage error.
// `--help` (or `-h`) prints the usage to `out` and returns 0.
//
// Thread-safety: no shared state; writes only to `out` and `err`.
#ifndef CRAWLER_CLI_WARC_COMMAND_H_
#define CRAWLER_CLI_WARC_COMMAND_H_

#include <cstdio>
#include <string>
#include <vector>

namespace crawler::cli {

// Runs `crawler warc ...`; `args` are the words after "warc".
int RunWarcCommand(const std::vector<std::string>& args, std::FILE* out,
                   std::FILE* err);

// The text of `crawler warc --help`.
const char* WarcUsage();

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_WARC_COMMAND_H_
