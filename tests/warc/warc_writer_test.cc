// WarcWriter and WarcReader together: every record type written and read
// back, one gzip member per record (WARC 1.1 Annex A), file names, ".open"
// until closed, rotation, a crashed writer's file, truncated and corrupt
// files reported with the offset of the broken record, write failures.
#include "crawler/warc/warc_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/testing/test_util.h"
#include "crawler/warc/digest.h"
#include "crawler/warc/gzip_member.h"
#include "crawler/warc/warc_files.h"
#include "crawler/warc/warc_reader.h"

namespace crawler::warc {
namespace {

// Files in memory, with failures on demand.
class FakeFiles : public WarcFiles {
 public:
  std::map<std::string, std::string> files;
  // Append fails once a file would pass this many bytes.
  size_t disk_left = SIZE_MAX;
  bool fail_rename = false;

  class File : public AppendFile {
   public:
    File(FakeFiles* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
    Status Append(std::string_view data) override {
      std::string& f = fs_->files[path_];
      if (data.size() > fs_->disk_left) {
        f.append(data.substr(0, fs_->disk_left));  // A short write.
        fs_->disk_left = 0;
        return Status(Code::kUnavailable,
                      "cannot write '" + path_ + "': No space left on device");
      }
      fs_->disk_left -= data.size();
      f.append(data);
      return Status::Ok();
    }
    Status Close() override { return Status::Ok(); }

   private:
    FakeFiles* fs_;
    std::string path_;
  };

  bool Exists(const std::string& path) override { return files.count(path); }
  StatusOr<std::unique_ptr<AppendFile>> Create(
      const std::string& path) override {
    if (files.count(path)) return Status(Code::kUnavailable, "exists");
    files[path];
    return std::unique_ptr<AppendFile>(new File(this, path));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (fail_rename) return Status(Code::kUnavailable, "cannot rename");
    files[to] = std::move(files[from]);
    files.erase(from);
    return Status::Ok();
  }
};

WarcOptions Options(uint64_t max = kDefaultMaxFileBytes) {
  WarcOptions o;
  o.prefix = "out/crawl";
  o.max_file_bytes = max;
  o.info = {{"software", "crawler/test"}, {"format", "WARC File Format 1.1"}};
  return o;
}

std::unique_ptr<WarcWriter> MakeWriter(const WarcOptions& o, FakeFiles* fs,
                                       const FakeClock* clock) {
  auto w = WarcWriter::Create(o, fs, clock, 4242);
  REQUIRE_OK(w.status());
  return std::move(*w);
}

WarcWriter::Record MakeRecord(const std::string& type, const std::string& id,
                              std::string_view block,
                              const std::string& uri = "http://a.test/") {
  WarcWriter::Record r;
  r.header.Add("WARC-Type", type);
  r.header.Add("WARC-Record-ID", id);
  r.header.Add("WARC-Date", "2026-01-01T00:00:00.000000Z");
  r.header.Add("WARC-Target-URI", uri);
  r.header.Add("WARC-Block-Digest", Sha1Digest(block));
  r.block = {block};
  return r;
}

std::vector<ReadRecord> ReadAll(std::string_view file,
                                Status* error = nullptr) {
  WarcReader reader(file);
  std::vector<ReadRecord> out;
  while (true) {
    ReadRecord r;
    StatusOr<bool> next = reader.Next(&r);
    if (!next.ok()) {
      if (error != nullptr) *error = next.status();
      return out;
    }
    if (!*next) break;
    out.push_back(std::move(r));
  }
  if (error != nullptr) *error = Status::Ok();
  return out;
}

TEST_SUITE("WarcWriter") {
  TEST_CASE("every record type round-trips: fields, blocks, digests") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(), &fs, &clock);
    const std::string http =
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    const std::string binary("\0\x1f\x8b\r\n\r\nWARC/1.1\xff", 12);
    const std::vector<std::string> types = {
        "request", "response",   "resource",     "metadata",
        "revisit", "conversion", "continuation", "x-future-type"};
    std::vector<std::string> blocks;
    for (size_t i = 0; i < types.size(); ++i) {
      blocks.push_back(i % 2 == 0 ? http : binary + std::to_string(i));
    }
    blocks[4].clear();  // A revisit without a block.
    for (size_t i = 0; i < types.size(); ++i) {
      REQUIRE_OK(w->Write({MakeRecord(types[i], w->NewRecordId(), blocks[i])}));
    }
    CHECK(w->open_path() == "out/crawl-20260101010000-00000-4242.warc.gz.open");
    REQUIRE_OK(w->Close());
    CHECK(w->open_path().empty());
    REQUIRE(fs.files.size() == 1);
    const std::string& name = fs.files.begin()->first;
    CHECK(name == "out/crawl-20260101010000-00000-4242.warc.gz");
    CHECK(w->finished_files() == std::vector<std::string>{name});

    Status error;
    std::vector<ReadRecord> rs = ReadAll(fs.files.begin()->second, &error);
    REQUIRE_OK(error);
    REQUIRE(rs.size() == types.size() + 1);
    // The warcinfo record first (WARC 1.1 section 6.2).
    const ReadRecord& info = rs[0];
    CHECK(info.version == "WARC/1.1");
    CHECK(info.offset == 0);
    CHECK(info.header.Get("WARC-Type") == "warcinfo");
    CHECK(info.header.Get("Content-Type") == "application/warc-fields");
    CHECK(info.header.Get("WARC-Filename") ==
          "crawl-20260101010000-00000-4242.warc.gz");
    CHECK(info.header.Get("WARC-Date") == "2026-01-01T01:00:00.000000Z");
    CHECK(info.block ==
          "software: crawler/test\r\nformat: WARC File Format 1.1\r\n");
    CHECK(info.header.Get("WARC-Block-Digest") == Sha1Digest(info.block));
    CHECK(!info.header.Has("WARC-Warcinfo-ID"));
    uint64_t offset = info.stored_length;
    for (size_t i = 0; i < types.size(); ++i) {
      const ReadRecord& r = rs[i + 1];
      CAPTURE(types[i]);
      CHECK(r.header.Get("WARC-Type") == types[i]);
      CHECK(r.block == blocks[i]);
      CHECK(r.header.Get("Content-Length") == std::to_string(blocks[i].size()));
      CHECK(r.header.Get("WARC-Warcinfo-ID") ==
            info.header.Get("WARC-Record-ID"));
      // Digest recomputed from what was read.
      CHECK(r.header.Get("WARC-Block-Digest") == Sha1Digest(r.block));
      // Members follow each other.
      CHECK(r.offset == offset);
      offset += r.stored_length;
    }
    CHECK(offset == fs.files.begin()->second.size());
  }

  TEST_CASE("WARC 1.1 Annex A: each record is a gzip member of its own") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(), &fs, &clock);
    const std::string a(5000, 'a');
    const std::string b = "short";
    REQUIRE_OK(w->Write({MakeRecord("request", w->NewRecordId(), b),
                         MakeRecord("response", w->NewRecordId(), a)}));
    REQUIRE_OK(w->Close());
    const std::string& file = fs.files.begin()->second;
    std::vector<ReadRecord> rs = ReadAll(file);
    REQUIRE(rs.size() == 3);
    for (const ReadRecord& r : rs) {
      // The member at the offset inflates alone to exactly this record.
      const std::string_view member =
          std::string_view(file).substr(r.offset, r.stored_length);
      CHECK(LooksGzipped(member));
      StatusOr<InflatedMember> m = InflateMember(member, 1 << 20);
      REQUIRE_OK(m.status());
      CHECK(m->compressed_size == r.stored_length);
      std::vector<ReadRecord> alone = ReadAll(member);
      REQUIRE(alone.size() == 1);
      CHECK(alone[0].block == r.block);
    }
  }

  TEST_CASE("level 0: stored members, one per record, read back") {
    FakeFiles fs;
    FakeClock clock;
    WarcOptions o = Options();
    o.compression_level = 0;
    auto w = MakeWriter(o, &fs, &clock);
    const std::string block(20000, 'q');
    REQUIRE_OK(w->Write({MakeRecord("resource", w->NewRecordId(), block)}));
    REQUIRE_OK(w->Close());
    const std::string& file = fs.files.begin()->second;
    CHECK(file.size() > block.size());  // Not compressed.
    Status error;
    std::vector<ReadRecord> rs = ReadAll(file, &error);
    REQUIRE_OK(error);
    REQUIRE(rs.size() == 2);
    CHECK(rs[1].block == block);
    CHECK(rs[1].offset + rs[1].stored_length == file.size());
  }

  TEST_CASE("compress = false: that record stored at a compressing level") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(), &fs, &clock);  // Level 1: compresses.
    const std::string block(20000, 'q');
    WarcWriter::Record stored = MakeRecord("response", w->NewRecordId(), block);
    stored.compress = false;
    std::vector<RecordLocation> at;
    REQUIRE_OK(w->Write(
        {MakeRecord("request", w->NewRecordId(), block), stored}, &at));
    REQUIRE_OK(w->Close());
    REQUIRE(at.size() == 2);
    const std::string& file = fs.files.begin()->second;
    // The first deflate block after the 10-byte gzip header: BTYPE (bits 1
    // and 2 of its first byte) 00 is stored (RFC 1951 section 3.2.3).
    auto btype = [&](const RecordLocation& l) {
      return (static_cast<unsigned char>(file[l.offset + 10]) >> 1) & 3;
    };
    CHECK(btype(at[0]) != 0);
    CHECK(at[0].length < 1000);  // 20,000 'q's compress.
    CHECK(btype(at[1]) == 0);
    CHECK(at[1].length > block.size());
    Status error;
    std::vector<ReadRecord> rs = ReadAll(file, &error);
    REQUIRE_OK(error);
    REQUIRE(rs.size() == 3);
    CHECK(rs[1].block == block);
    CHECK(rs[2].block == block);
  }

  TEST_CASE("nothing written, no file") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(), &fs, &clock);
    REQUIRE_OK(w->Close());
    CHECK(fs.files.empty());
  }

  TEST_CASE("rotation: a new file before one would pass max_file_bytes") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(20000), &fs, &clock);
    // Incompressible blocks of about 3 KB: several per file.
    std::string noise;
    uint32_t x = 12345;
    for (int i = 0; i < 3000; ++i) {
      x = x * 1103515245 + 12345;
      noise.push_back(static_cast<char>(x >> 24));
    }
    for (int i = 0; i < 30; ++i) {
      if (i == 10) clock.Advance(std::chrono::seconds(1));
      REQUIRE_OK(w->Write({MakeRecord("resource", w->NewRecordId(), noise,
                                      "http://a.test/" + std::to_string(i))}));
    }
    REQUIRE_OK(w->Close());
    REQUIRE(fs.files.size() >= 4);
    std::vector<std::string> names;
    std::set<std::string> uris;
    for (const auto& [name, bytes] : fs.files) {
      names.push_back(name);
      CHECK(bytes.size() <= 20000);
      CHECK(name.find(".open") == std::string::npos);
      Status error;
      std::vector<ReadRecord> rs = ReadAll(bytes, &error);
      REQUIRE_OK(error);
      REQUIRE(rs.size() >= 2);
      CHECK(rs[0].header.Get("WARC-Type") == "warcinfo");
      const size_t slash = name.rfind('/');
      CHECK(rs[0].header.Get("WARC-Filename") == name.substr(slash + 1));
      for (size_t i = 1; i < rs.size(); ++i) {
        CHECK(rs[i].header.Get("WARC-Warcinfo-ID") ==
              rs[0].header.Get("WARC-Record-ID"));
        uris.insert(std::string(rs[i].header.Get("WARC-Target-URI")));
      }
    }
    CHECK(uris.size() == 30);
    // Names sort in the order the files were written.
    CHECK(w->finished_files() == names);
    const std::regex pattern(
        "out/crawl-2026010101000[01]-000[0-9][0-9]-4242\\.warc\\.gz");
    for (const std::string& n : names) CHECK(std::regex_match(n, pattern));
  }

  TEST_CASE("a group bigger than max_file_bytes still gets a file") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(kMinMaxFileBytes), &fs, &clock);
    std::string noise;
    for (int i = 0; i < 5000; ++i) noise.push_back(static_cast<char>(i * 7919));
    REQUIRE_OK(w->Write({MakeRecord("resource", w->NewRecordId(), noise)}));
    REQUIRE_OK(w->Write({MakeRecord("resource", w->NewRecordId(), noise)}));
    REQUIRE_OK(w->Close());
    CHECK(fs.files.size() == 2);
  }

  TEST_CASE("a name already taken is never reused") {
    FakeFiles fs;
    FakeClock clock;
    fs.files["out/crawl-20260101010000-00000-4242.warc.gz"] = "old";
    fs.files["out/crawl-20260101010000-00001-4242.warc.gz.open"] = "old";
    auto w = MakeWriter(Options(), &fs, &clock);
    REQUIRE_OK(w->Write({MakeRecord("resource", w->NewRecordId(), "x")}));
    CHECK(w->open_path() == "out/crawl-20260101010000-00002-4242.warc.gz.open");
  }

  TEST_CASE("a writer that dies leaves .open, readable to its last member") {
    FakeFiles fs;
    FakeClock clock;
    std::string path;
    {
      auto w = MakeWriter(Options(), &fs, &clock);
      for (int i = 0; i < 5; ++i) {
        REQUIRE_OK(w->Write({MakeRecord("resource", w->NewRecordId(),
                                        std::string(1000 + i, 'z'))}));
      }
      path = w->open_path();
    }  // Destroyed without Close(): as a crash.
    REQUIRE(fs.files.count(path));
    CHECK(path.substr(path.size() - 5) == ".open");
    const std::string whole = fs.files[path];
    std::vector<ReadRecord> all = ReadAll(whole);
    REQUIRE(all.size() == 6);
    // A crash in the middle of the last write: the file is cut inside it.
    const uint64_t last = all.back().offset;
    for (uint64_t cut : {last + 1, last + all.back().stored_length / 2,
                         last + all.back().stored_length - 1}) {
      CAPTURE(cut);
      Status error;
      std::vector<ReadRecord> rs = ReadAll(whole.substr(0, cut), &error);
      CHECK(rs.size() == 5);
      CHECK(error.code() == Code::kDataLoss);
      CHECK(error.message() ==
            "at offset " + std::to_string(last) +
                ": truncated gzip member (the file ends inside it)");
    }
  }

  TEST_CASE("a corrupt member is reported with its offset; never read past") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(), &fs, &clock);
    for (int i = 0; i < 4; ++i) {
      REQUIRE_OK(w->Write({MakeRecord("resource", w->NewRecordId(),
                                      std::string(3000, 'a' + i))}));
    }
    REQUIRE_OK(w->Close());
    std::string file = fs.files.begin()->second;
    std::vector<ReadRecord> all = ReadAll(file);
    REQUIRE(all.size() == 5);
    const ReadRecord& third = all[3];
    file[third.offset + third.stored_length / 2] ^= 0x5a;
    WarcReader reader(file);
    ReadRecord r;
    int read = 0;
    StatusOr<bool> next = true;
    while ((next = reader.Next(&r)).ok() && *next) ++read;
    CHECK(read == 3);
    REQUIRE(!next.ok());
    CHECK(next.status().code() == Code::kDataLoss);
    CHECK(next.status().message().rfind(
              "at offset " + std::to_string(third.offset) + ": ", 0) == 0);
    CHECK(reader.offset() == third.offset);
    // Every later call says the same.
    CHECK(reader.Next(&r).status().message() == next.status().message());
    // Garbage instead of a member.
    Status error;
    ReadAll(file.substr(0, all[1].offset) + "garbage", &error);
    CHECK(error.message() == "at offset " + std::to_string(all[1].offset) +
                                 ": neither a gzip member nor a WARC record "
                                 "(corrupt)");
  }

  TEST_CASE("a write failure breaks the writer; its file stays .open") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(), &fs, &clock);
    REQUIRE_OK(w->Write({MakeRecord("resource", w->NewRecordId(), "one")}));
    const std::string path = w->open_path();
    fs.disk_left = 10;
    Status s = w->Write({MakeRecord("resource", w->NewRecordId(), "two")});
    CHECK(s.code() == Code::kUnavailable);
    CHECK(s.message().find("No space left on device") != std::string::npos);
    CHECK(s.message().rfind("warc: ", 0) == 0);
    fs.disk_left = SIZE_MAX;
    CHECK(w->Write({MakeRecord("resource", w->NewRecordId(), "three")})
              .message() == s.message());
    CHECK(w->Close().message() == s.message());
    CHECK(fs.files.count(path) == 1);
    // Readable up to the torn member.
    Status error;
    CHECK(ReadAll(fs.files[path], &error).size() == 2);
    CHECK(error.code() == Code::kDataLoss);
  }

  TEST_CASE("record ids: version 4 UUIDs, no repeats") {
    FakeFiles fs;
    FakeClock clock;
    auto w = MakeWriter(Options(), &fs, &clock);
    const std::regex uuid(
        "<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
        "[0-9a-f]{12}>");
    std::set<std::string> seen;
    for (int i = 0; i < 20000; ++i) {
      std::string id = w->NewRecordId();
      if (i < 100) CHECK(std::regex_match(id, uuid));
      seen.insert(std::move(id));
    }
    CHECK(seen.size() == 20000);
  }

  TEST_CASE("options are checked") {
    FakeFiles fs;
    FakeClock clock;
    WarcOptions o = Options();
    o.prefix = "";
    CHECK(WarcWriter::Create(o, &fs, &clock, 1).status().code() ==
          Code::kInvalidArgument);
    o = Options(100);
    CHECK(WarcWriter::Create(o, &fs, &clock, 1).status().code() ==
          Code::kInvalidArgument);
    o = Options();
    o.prefix = "dir/";
    CHECK(WarcWriter::Create(o, &fs, &clock, 1).status().code() ==
          Code::kInvalidArgument);
  }

  TEST_CASE("real files: .open while written, renamed when closed") {
    const std::string dir = testing::TempDir() + "/warc_writer_test";
    ::mkdir(dir.c_str(), 0755);
    WarcOptions o = Options();
    o.prefix = dir + "/real";
    auto files = NewPosixWarcFiles();
    SystemClock clock;
    auto w = WarcWriter::Create(o, files.get(), &clock, ::getpid());
    REQUIRE_OK(w.status());
    REQUIRE_OK((*w)->Write({MakeRecord("resource", (*w)->NewRecordId(), "x")}));
    const std::string open = (*w)->open_path();
    struct stat st;
    CHECK(::stat(open.c_str(), &st) == 0);
    REQUIRE_OK((*w)->Close());
    CHECK(::stat(open.c_str(), &st) != 0);
    const std::string done = (*w)->finished_files().at(0);
    std::ifstream in(done, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    Status error;
    CHECK(ReadAll(bytes.str(), &error).size() == 2);
    CHECK_OK(error);
    ::unlink(done.c_str());
  }
}

TEST_SUITE("WarcReader") {
  const char* kPlain =
      "WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"
      "WARC/1.0\r\nWARC-Type: metadata\r\nContent-Length: 0\r\n\r\n\r\n\r\n";

  TEST_CASE("an uncompressed .warc") {
    Status error;
    std::vector<ReadRecord> rs = ReadAll(kPlain, &error);
    REQUIRE_OK(error);
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].offset == 0);
    CHECK(rs[0].block == "abc");
    CHECK(rs[1].offset == rs[0].stored_length);
    CHECK(rs[1].header.Get("WARC-Type") == "metadata");
  }

  TEST_CASE("a whole file gzipped as one member") {
    auto gz = GzipCompressor::Create(6);
    REQUIRE_OK(gz.status());
    std::string file;
    REQUIRE_OK((*gz)->Compress({kPlain}, &file));
    Status error;
    std::vector<ReadRecord> rs = ReadAll(file, &error);
    REQUIRE_OK(error);
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].offset == 0);
    CHECK(rs[1].offset == 0);  // Both in the member at 0.
    CHECK(rs[1].stored_length == file.size());
  }

  TEST_CASE("truncated and malformed plain records") {
    const std::string plain = kPlain;
    Status error;
    ReadAll(plain.substr(0, plain.size() - 2), &error);
    CHECK(error.message() == "at offset " + std::to_string(54 + 5) +
                                 ": the record ends before its closing CRLF "
                                 "CRLF (truncated)");
    ReadAll(plain.substr(0, 53), &error);
    CHECK(error.message() ==
          "at offset 0: the record block is shorter than its Content-Length 3 "
          "(truncated)");
    ReadAll(std::string("WARC/1.0\r\nContent-Length: 1\r\n\r\nxyz"), &error);
    CHECK(error.message() ==
          "at offset 0: no CRLF CRLF after the record block (corrupt)");
    ReadAll(std::string("WARC/1.0\r\nContent-Length: 1\r\n"), &error);
    CHECK(error.code() == Code::kDataLoss);
    CHECK(ReadAll("").empty());
  }

  TEST_CASE("a record over max_record_bytes") {
    WarcReaderOptions o;
    o.max_record_bytes = 2;
    WarcReader reader(kPlain, o);
    ReadRecord r;
    CHECK(reader.Next(&r).status().code() == Code::kResourceExhausted);
  }
}

}  // namespace
}  // namespace crawler::warc
