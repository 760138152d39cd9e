#include "crawler/mp/pipe.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "crawler/mp/process.h"
#include "crawler/mp/wire.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler::mp {
namespace {

using namespace std::chrono_literals;

// A parent and a child talking both ways over one Pipe.
TEST_CASE("Pipe is duplex between parent and child") {
  auto ends = Pipe();
  REQUIRE(ends.ok());
  Connection& parent = ends->first;
  int child_fd = ends->second.fd();
  int parent_fd = parent.fd();
  Process child([child_fd, parent_fd] {
    close(parent_fd);
    Connection c(child_fd);
    std::string m;
    while (c.Recv(&m).ok()) {
      if (m == "bye") return 0;
      if (!c.Send("echo: " + m).ok()) return 2;
    }
    return 1;
  });
  REQUIRE_OK(child.Start());
  ends->second.Close();
  for (int i = 0; i < 100; ++i) {
    REQUIRE_OK(parent.Send("hello " + std::to_string(i)));
    std::string reply;
    REQUIRE_OK(parent.Recv(&reply, 5000));
    CHECK(reply == "echo: hello " + std::to_string(i));
  }
  REQUIRE_OK(parent.Send("bye"));
  std::string m;
  CHECK(parent.Recv(&m, 5000).code() == Code::kClosed);  // Child exited.
  CHECK_OK(child.Join());
  CHECK(child.exit_code() == 0);
}

TEST_CASE("Poll and Recv honour timeouts without consuming anything") {
  auto ends = Pipe();
  REQUIRE(ends.ok());
  CHECK_FALSE(ends->first.Poll(0));
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(ends->first.Poll(100));
  CHECK(std::chrono::steady_clock::now() - t0 >= 90ms);
  std::string m;
  CHECK(ends->first.Recv(&m, 50).code() == Code::kDeadlineExceeded);
  REQUIRE_OK(ends->second.Send("x"));
  CHECK(ends->first.Poll(1000));
  REQUIRE_OK(ends->first.Recv(&m, 0));
  CHECK(m == "x");
  REQUIRE_OK(ends->second.Send(""));  // Empty frames are frames too.
  REQUIRE_OK(ends->first.Recv(&m, 1000));
  CHECK(m.empty());
}

TEST_CASE("A 16 MiB message crosses a Pipe intact") {
  auto ends = Pipe();
  REQUIRE(ends.ok());
  std::string big(16 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131);
  int fd = ends->second.fd();
  Process sender([fd, &big] {
    Connection c(dup(fd));
    return c.Send(big).ok() ? 0 : 1;
  });
  REQUIRE_OK(sender.Start());
  std::string got;
  REQUIRE_OK(ends->first.Recv(&got, 10000));
  CHECK(got.size() == big.size());
  CHECK(got == big);
  CHECK_OK(sender.Join());
}

TEST_CASE("A peer killed mid-message gives DataLoss, a closed peer Closed") {
  auto ends = Pipe();
  REQUIRE(ends.ok());
  // Write a frame header promising 1000 bytes, then only 10, then die.
  int fd = ends->second.fd();
  Process liar([fd] {
    unsigned char header[4] = {0xe8, 0x03, 0, 0};
    (void)!write(fd, header, 4);
    (void)!write(fd, "0123456789", 10);
    raise(SIGKILL);
    return 0;
  });
  REQUIRE_OK(liar.Start());
  ends->second.Close();
  std::string m;
  Status s = ends->first.Recv(&m, 5000);
  CHECK(s.code() == Code::kDataLoss);
  CHECK_OK(liar.Join());

  auto pair2 = Pipe();
  REQUIRE(pair2.ok());
  pair2->second.Close();
  CHECK(pair2->first.Recv(&m, 1000).code() == Code::kClosed);
  CHECK(pair2->first.Send("x").code() == Code::kClosed);  // No SIGPIPE.
}

TEST_CASE("Wire encoding round-trips and rejects corrupt input") {
  Encoder e(7);
  e.U64(0)
      .U64(300)
      .U64(UINT64_MAX)
      .I64(-5)
      .I64(INT64_MIN)
      .Bool(true)
      .Double(2.5)
      .Bytes("hé\0llo");
  std::string data = e.Take();
  Decoder d(data);
  REQUIRE_OK(d.Header(7));
  uint64_t a, b, c;
  int64_t x, y;
  bool t;
  double f;
  std::string str;
  REQUIRE_OK(d.U64(&a));
  REQUIRE_OK(d.U64(&b));
  REQUIRE_OK(d.U64(&c));
  REQUIRE_OK(d.I64(&x));
  REQUIRE_OK(d.I64(&y));
  REQUIRE_OK(d.Bool(&t));
  REQUIRE_OK(d.Double(&f));
  REQUIRE_OK(d.Bytes(&str));
  CHECK_OK(d.Done());
  CHECK(a == 0);
  CHECK(b == 300);
  CHECK(c == UINT64_MAX);
  CHECK(x == -5);
  CHECK(y == INT64_MIN);
  CHECK(t);
  CHECK(f == 2.5);
  CHECK(str == std::string("hé\0llo"));

  Decoder wrong_type(data);
  CHECK(wrong_type.Header(8).code() == Code::kDataLoss);
  std::string bad_version = data;
  bad_version[0] = 99;
  Decoder v(bad_version);
  CHECK(v.Header(7).code() == Code::kDataLoss);
  // Every truncation of the message fails cleanly.
  for (size_t n = 0; n < data.size(); ++n) {
    Decoder trunc(std::string_view(data).substr(0, n));
    Status s = trunc.Header(7);
    uint64_t u;
    int64_t i;
    bool bb;
    double dd;
    std::string ss;
    if (s.ok()) s = trunc.U64(&u);
    if (s.ok()) s = trunc.U64(&u);
    if (s.ok()) s = trunc.U64(&u);
    if (s.ok()) s = trunc.I64(&i);
    if (s.ok()) s = trunc.I64(&i);
    if (s.ok()) s = trunc.Bool(&bb);
    if (s.ok()) s = trunc.Double(&dd);
    if (s.ok()) s = trunc.Bytes(&ss);
    CHECK(s.code() == Code::kDataLoss);
  }
}

}  // namespace
}  // namespace crawler::mp
