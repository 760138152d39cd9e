#include "crawler/cli/warc_command.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "crawler/base/status.h"
#include "crawler/cli/exit_codes.h"
#include "crawler/warc/cdxj.h"
#include "crawler/warc/content_decoding.h"
#include "crawler/warc/http_message.h"
#include "crawler/warc/warc_reader.h"

namespace crawler::cli {
namespace {

// The largest body `warc cat` decodes.
constexpr size_t kMaxDecodedBytes = size_t{4} << 30;

// A file mapped read-only for the reader (which is pure over bytes).
class MappedFile {
 public:
  static StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return NotFoundError("cannot read '" + path +
                           "': " + std::strerror(errno));
    }
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return NotFoundError("cannot read '" + path + "': not a regular file");
    }
    std::unique_ptr<MappedFile> f(new MappedFile);
    f->size_ = static_cast<size_t>(st.st_size);
    if (f->size_ > 0) {
      void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return NotFoundError("cannot read '" + path +
                             "': " + std::strerror(err));
      }
      f->data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return f;
  }
  ~MappedFile() {
    if (data_ != nullptr) {
      ::munmap(const_cast<char*>(data_), size_);
    }
  }
  std::string_view bytes() const {
    return {data_ == nullptr ? "" : data_, size_};
  }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

std::string_view Or(std::string_view v, std::string_view fallback) {
  return v.empty() ? fallback : v;
}

// WARC 1.0 writers sometimes wrote the URI in angle brackets.
std::string_view Unbracket(std::string_view uri) {
  if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>') {
    return uri.substr(1, uri.size() - 2);
  }
  return uri;
}

int Ls(const std::vector<std::string>& files, std::FILE* out, std::FILE* err) {
  int code = kExitOk;
  for (const std::string& path : files) {
    StatusOr<std::unique_ptr<MappedFile>> file = MappedFile::Open(path);
    if (!file.ok()) {
      std::fprintf(err, "crawler: warc ls: %s\n",
                   file.status().message().c_str());
      code = kExitFailure;
      continue;
    }
    warc::WarcReader reader((*file)->bytes());
    warc::ReadRecord r;
    while (true) {
      StatusOr<bool> next = reader.Next(&r);
      if (!next.ok()) {
        std::fprintf(err, "crawler: warc ls: %s: %s\n", path.c_str(),
                     next.status().message().c_str());
        code = kExitFailure;
        break;
      }
      if (!*next) break;
      if (files.size() > 1) std::fprintf(out, "%s\t", path.c_str());
      const std::string_view type = Or(r.header.Get("WARC-Type"), "-");
      const std::string_view date = Or(r.header.Get("WARC-Date"), "-");
      const std::string_view uri =
          Or(Unbracket(r.header.Get("WARC-Target-URI")), "-");
      std::fprintf(out, "%llu\t%.*s\t%.*s\t%zu\t%.*s\n",
                   static_cast<unsigned long long>(r.offset),
                   static_cast<int>(type.size()), type.data(),
                   static_cast<int>(date.size()), date.data(), r.block.size(),
                   static_cast<int>(uri.size()), uri.data());
    }
  }
  return code;
}

int Cdxj(const std::vector<std::string>& files, std::FILE* out,
         std::FILE* err) {
  int code = kExitOk;
  std::vector<std::string> lines;
  for (const std::string& path : files) {
    StatusOr<std::unique_ptr<MappedFile>> file = MappedFile::Open(path);
    if (!file.ok()) {
      std::fprintf(err, "crawler: warc cdxj: %s\n",
                   file.status().message().c_str());
      code = kExitFailure;
      continue;
    }
    const size_t slash = path.rfind('/');
    const std::string name =
        slash == std::string::npos ? path : path.substr(slash + 1);
    warc::WarcReader reader((*file)->bytes());
    warc::ReadRecord r;
    while (true) {
      StatusOr<bool> next = reader.Next(&r);
      if (!next.ok()) {
        std::fprintf(err, "crawler: warc cdxj: %s: %s\n", path.c_str(),
                     next.status().message().c_str());
        code = kExitFailure;
        break;
      }
      if (!*next) break;
      StatusOr<std::string> line = warc::CdxjLine(r, name);
      if (!line.ok()) {
        std::fprintf(err, "crawler: warc cdxj: %s: at offset %llu: %s\n",
                     path.c_str(), static_cast<unsigned long long>(r.offset),
                     line.status().message().c_str());
        code = kExitFailure;
        continue;
      }
      if (!line->empty()) lines.push_back(std::move(*line));
    }
  }
  std::sort(lines.begin(), lines.end());
  for (const std::string& line : lines) {
    std::fwrite(line.data(), 1, line.size(), out);
    std::fputc('\n', out);
  }
  if (std::fflush(out) != 0) {
    std::fprintf(err, "crawler: warc cdxj: cannot write: %s\n",
                 std::strerror(errno));
    return kExitFailure;
  }
  return code;
}

int Cat(const std::string& path, const std::string& uri, bool decode,
        std::FILE* out, std::FILE* err) {
  StatusOr<std::unique_ptr<MappedFile>> file = MappedFile::Open(path);
  if (!file.ok()) {
    std::fprintf(err, "crawler: warc cat: %s\n",
                 file.status().message().c_str());
    return kExitFailure;
  }
  warc::WarcReader reader((*file)->bytes());
  std::optional<warc::ReadRecord> found;
  // A revisit record for `uri` (a re-crawl's 304), when there is no
  // response record: said in the error.
  std::string revisit_profile;
  bool revisit = false;
  warc::ReadRecord r;
  int code = kExitOk;
  while (true) {
    StatusOr<bool> next = reader.Next(&r);
    if (!next.ok()) {
      std::fprintf(err, "crawler: warc cat: %s: %s\n", path.c_str(),
                   next.status().message().c_str());
      code = kExitFailure;
      break;
    }
    if (!*next) break;
    if (Unbracket(r.header.Get("WARC-Target-URI")) != uri) continue;
    if (r.header.Get("WARC-Type") == "response") {
      found = std::move(r);
      r = warc::ReadRecord();
    } else if (r.header.Get("WARC-Type") == "revisit") {
      revisit = true;
      revisit_profile = std::string(r.header.Get("WARC-Profile"));
    }
  }
  if (!found.has_value()) {
    if (revisit) {
      std::fprintf(
          err,
          "crawler: warc cat: %s: no response record for %s, only "
          "a revisit record (%s): the body is in the WARC file of "
          "an earlier crawl that fetched it whole\n",
          path.c_str(), uri.c_str(),
          revisit_profile.empty() ? "no profile" : revisit_profile.c_str());
    } else {
      std::fprintf(err, "crawler: warc cat: %s: no response record for %s\n",
                   path.c_str(), uri.c_str());
    }
    return kExitFailure;
  }
  StatusOr<warc::HttpHead> head = warc::ParseHttpHead(found->block);
  if (!head.ok()) {
    std::fprintf(err,
                 "crawler: warc cat: %s: the response at offset %llu: %s\n",
                 path.c_str(), static_cast<unsigned long long>(found->offset),
                 head.status().message().c_str());
    return kExitFailure;
  }
  std::string payload;
  Status dechunked = warc::ForEachPayloadPiece(
      *head, std::string_view(found->block).substr(head->size),
      [&](std::string_view p) { payload.append(p); });
  const std::string_view truncated = found->header.Get("WARC-Truncated");
  if (!truncated.empty()) {
    std::fprintf(err,
                 "crawler: warc cat: %s: the response at offset %llu is "
                 "truncated (WARC-Truncated: %.*s); printing what it holds\n",
                 path.c_str(), static_cast<unsigned long long>(found->offset),
                 static_cast<int>(truncated.size()), truncated.data());
  } else if (!dechunked.ok()) {
    std::fprintf(err,
                 "crawler: warc cat: %s: the response at offset %llu: %s\n",
                 path.c_str(), static_cast<unsigned long long>(found->offset),
                 dechunked.message().c_str());
    code = kExitFailure;
  }
  const std::string encoding = head->Get("Content-Encoding");
  if (decode && !encoding.empty()) {
    StatusOr<std::string> decoded =
        warc::DecodeContent(payload, encoding, kMaxDecodedBytes);
    if (!decoded.ok()) {
      std::fprintf(err,
                   "crawler: warc cat: %s: cannot decode the response at "
                   "offset %llu: %s (--no-decode prints it as stored)\n",
                   path.c_str(), static_cast<unsigned long long>(found->offset),
                   decoded.status().message().c_str());
      return kExitFailure;
    }
    payload = std::move(*decoded);
  }
  if (std::fwrite(payload.data(), 1, payload.size(), out) != payload.size() ||
      std::fflush(out) != 0) {
    std::fprintf(err, "crawler: warc cat: cannot write the body: %s\n",
                 std::strerror(errno));
    return kExitFailure;
  }
  return code;
}

int Usage(std::FILE* err, const std::string& message) {
  std::fprintf(err, "crawler: warc: %s (see crawler warc --help)\n",
               message.c_str());
  return kExitUsage;
}

}  // namespace

const char* WarcUsage() {
  return R"(Usage: crawler warc ls FILE...
       crawler warc cat [--no-decode] FILE URI
       crawler warc cdxj FILE... > index.cdxj

Reads WARC files (.warc.gz with a gzip member per record or for the whole
file, or plain .warc), such as those `crawler crawl --warc PREFIX` writes.

  ls    one line per record, tab-separated: offset (of its gzip member),
        WARC-Type, WARC-Date, Content-Length, WARC-Target-URI ('-' if none);
        with several files, each line starts with the file name
  cat   the body of the last response record for URI, de-chunked and
        decoded (Content-Encoding gzip, deflate, br or zstd)
        --no-decode   keep the content coding (the bytes that
                      WARC-Payload-Digest covers)
  cdxj  a CDXJ index of the response records, sorted for replay tools:
        SURT key, 14-digit timestamp, then JSON with url, mime, status,
        digest, length and offset (of the gzip member) and filename (the
        file's base name)

A truncated or corrupt file is reported with the offset of the broken
record (the records before it are listed). Files still being written end
in .open; one left by a crashed worker is read up to its last whole record.

Exit status: 0 success, 1 a file is truncated, corrupt or unreadable, or
cat found no response for URI, 2 usage error.
)";
}

int RunWarcCommand(const std::vector<std::string>& args, std::FILE* out,
                   std::FILE* err) {
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::fputs(WarcUsage(), out);
      return kExitOk;
    }
  }
  if (args.empty()) return Usage(err, "missing subcommand: ls, cat or cdxj");
  const std::string& sub = args[0];
  std::vector<std::string> rest;
  bool decode = true;
  for (size_t i = 1; i < args.size(); ++i) {
    if (sub == "cat" && args[i] == "--no-decode") {
      decode = false;
    } else if (args[i] == "--") {
      rest.insert(rest.end(), args.begin() + i + 1, args.end());
      break;
    } else if (args[i].size() > 1 && args[i][0] == '-') {
      return Usage(err, "unknown option '" + args[i] + "'");
    } else {
      rest.push_back(args[i]);
    }
  }
  if (sub == "ls") {
    if (rest.empty()) return Usage(err, "ls needs at least one FILE");
    return Ls(rest, out, err);
  }
  if (sub == "cat") {
    if (rest.size() != 2) return Usage(err, "cat needs a FILE and a URI");
    return Cat(rest[0], rest[1], decode, out, err);
  }
  if (sub == "cdxj") {
    if (rest.empty()) return Usage(err, "cdxj needs at least one FILE");
    return Cdxj(rest, out, err);
  }
  return Usage(err, "unknown subcommand '" + sub + "' (ls, cat, cdxj)");
}

}  // namespace crawler::cli
