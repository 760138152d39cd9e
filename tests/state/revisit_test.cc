// The revisit policy: classification of answers and the adaptive interval.
#include "crawler/state/revisit.h"

#include <doctest/doctest.h>

namespace crawler::state {
namespace {

Observation Ok(const std::string& hash, int status = 200) {
  Observation o;
  o.status = status;
  o.content_hash = hash;
  return o;
}

TEST_CASE("a first answer with content is new, at the initial interval") {
  RevisitOptions opt;
  Verdict v = Judge(nullptr, Ok("sha1:A"), opt);
  CHECK(v.change == Change::kNew);
  CHECK(ChangeName(v.change) == "new");
  CHECK(v.interval_s == opt.initial_interval_s);
  CHECK(v.next_due_s == opt.initial_interval_s);
  CHECK(v.next.ok_status == 200);
  CHECK(v.next.content_hash == "sha1:A");
}

TEST_CASE("same hash is unchanged and backs off; another hash is changed") {
  RevisitOptions opt;
  Previous p;
  p.ok_status = 200;
  p.content_hash = "sha1:A";
  p.interval_s = 10000;
  Verdict same = Judge(&p, Ok("sha1:A"), opt);
  CHECK(same.change == Change::kUnchanged);
  CHECK(same.interval_s == doctest::Approx(14000));
  Verdict other = Judge(&p, Ok("sha1:B"), opt);
  CHECK(other.change == Change::kChanged);
  CHECK(other.interval_s == doctest::Approx(8000));
  CHECK(other.next.content_hash == "sha1:B");
}

TEST_CASE("304 is unchanged, keeps the hash and takes new validators") {
  RevisitOptions opt;
  Previous p;
  p.ok_status = 200;
  p.content_hash = "sha1:A";
  p.etag = "\"v1\"";
  p.last_modified = "Tue, 01 Dec 2026 00:00:00 GMT";
  p.interval_s = 7200;
  Observation o;
  o.status = 304;
  o.etag = "\"v2\"";
  Verdict v = Judge(&p, o, opt);
  CHECK(v.change == Change::kUnchanged);
  CHECK(v.next.content_hash == "sha1:A");
  CHECK(v.next.ok_status == 200);
  CHECK(v.next.etag == "\"v2\"");
  CHECK(v.next.last_modified == p.last_modified);
}

TEST_CASE("404 and 410 after content are gone; before content, nothing") {
  RevisitOptions opt;
  Previous p;
  p.ok_status = 200;
  p.content_hash = "sha1:A";
  for (int status : {404, 410}) {
    Verdict v = Judge(&p, Ok("", status), opt);
    CHECK(v.change == Change::kGone);
    CHECK(v.next.ok_status == 0);
    CHECK(v.next.content_hash.empty());
    CHECK(v.interval_s == opt.max_interval_s);
  }
  CHECK(Judge(nullptr, Ok("", 404), opt).change == Change::kNone);
  // Gone, then back: new again.
  Verdict gone = Judge(&p, Ok("", 404), opt);
  CHECK(Judge(&gone.next, Ok("sha1:A"), opt).change == Change::kNew);
}

TEST_CASE("failures are not judged, keep what was known, and come back soon") {
  RevisitOptions opt;
  Previous p;
  p.ok_status = 200;
  p.content_hash = "sha1:A";
  p.etag = "\"e\"";
  p.interval_s = 50000;
  Observation timeout;
  timeout.error = true;
  Verdict v = Judge(&p, timeout, opt);
  CHECK(v.change == Change::kNone);
  CHECK(v.next.content_hash == "sha1:A");
  CHECK(v.next.etag == "\"e\"");
  CHECK(v.interval_s == 50000);
  CHECK(v.next_due_s == opt.min_interval_s);
  Verdict server_error = Judge(&p, Ok("", 503), opt);
  CHECK(server_error.change == Change::kNone);
}

TEST_CASE("redirects compare their status") {
  RevisitOptions opt;
  Previous p;
  p.ok_status = 301;
  CHECK(Judge(&p, Ok("", 301), opt).change == Change::kUnchanged);
  CHECK(Judge(&p, Ok("", 302), opt).change == Change::kChanged);
  CHECK(Judge(&p, Ok("sha1:A", 200), opt).change == Change::kChanged);
}

TEST_CASE("the interval stays within its bounds") {
  RevisitOptions opt;
  opt.min_interval_s = 100;
  opt.initial_interval_s = 100;
  opt.max_interval_s = 150;
  Previous p;
  p.ok_status = 200;
  p.content_hash = "sha1:A";
  p.interval_s = 140;
  CHECK(Judge(&p, Ok("sha1:A"), opt).interval_s == 150);
  p.interval_s = 110;
  CHECK(Judge(&p, Ok("sha1:B"), opt).interval_s == 100);
}

TEST_CASE("options are checked") {
  CHECK(CheckRevisitOptions({}).empty());
  RevisitOptions bad;
  bad.min_interval_s = 0;
  CHECK(!CheckRevisitOptions(bad).empty());
  bad = {};
  bad.max_interval_s = 10;
  CHECK(CheckRevisitOptions(bad).find("maximum") != std::string::npos);
  bad = {};
  bad.initial_interval_s = 1;
  CHECK(CheckRevisitOptions(bad).find("initial") != std::string::npos);
  bad = {};
  bad.inc_rate = 1.5;
  CHECK(CheckRevisitOptions(bad).find("rates") != std::string::npos);
}

}  // namespace
}  // namespace crawler::state
