// TLS as on the real web (fault matrix rows N12 and S11): certificates are
// verified by default, FetchOptions::ca_cert_file (--ca-cert) trusts a
// private CA, FetchOptions::insecure (--insecure) accepts anything and says
// so, HTTP/2 is negotiated through ALPN, and each certificate failure ends in
// its own error class.
//
// The test makes a private CA and certificates with the openssl CLI in
// $TEST_TMPDIR at run time and serves them with nginx on 127.0.0.1, one port
// per certificate; the fetcher reaches "tls.test" through the resolve
// override, so the certificate's name can match. nginx runs as one process
// (master_process off) under crawler::testing::Command: killed and reaped by
// the destructor, and by the kernel if the test dies (PR_SET_PDEATHSIG).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/cli/crawl_flags.h"
#include "crawler/cli/fetch_flags.h"
#include "crawler/fetch/curl_fetcher.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/testing/command.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler::fetch {
namespace {

using Clock = std::chrono::steady_clock;
using ::crawler::testing::Command;
using ::crawler::testing::RunfilePath;
using json = nlohmann::json;

constexpr char kHost[] = "tls.test";

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                               start)
      .count();
}

// The first of `candidates` that is an executable file, or "".
std::string FindProgram(const std::vector<std::string>& candidates) {
  for (const std::string& c : candidates) {
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return "";
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE_MESSAGE(out.good(), "cannot write ", path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs argv to completion (60 s at most).
Status Run(const std::vector<std::string>& argv) {
  ASSIGN_OR_RETURN(std::unique_ptr<Command> cmd, Command::Start(argv));
  std::optional<int> rc = cmd->Wait(60000);
  std::string what;
  for (const std::string& a : argv) what += " " + a;
  if (!rc.has_value()) return DeadlineExceededError("timed out:" + what);
  if (*rc != 0) {
    return InternalError("exit " + std::to_string(*rc) + ":" + what + "\n" +
                         cmd->Stderr());
  }
  return Status::Ok();
}

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  socklen_t len = sizeof(a);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  close(fd);
  return ntohs(a.sin_port);
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  close(fd);
  return ok;
}

// ---------------------------------------------------------------------------
// Certificates, made once per test binary.

struct Certs {
  std::string dir;
  std::string ca;       // The private CA (PEM), for ca_cert_file.
  std::string valid;    // tls.test, signed by the CA, valid 30 days.
  std::string expired;  // tls.test, signed by the CA, expired in 2020.
  std::string tls_key;  // The key of both.
  std::string other;    // other.test, signed by the CA.
  std::string other_key;
  std::string self_signed;  // tls.test, self-signed.
  std::string self_key;
};

StatusOr<Certs> MakeCerts() {
  Certs c;
  c.dir = ::crawler::testing::TempDir() + "/tls_certs";
  mkdir(c.dir.c_str(), 0755);
  const std::string d = c.dir + "/";
  const std::string openssl = FindProgram({"/usr/bin/openssl"});
  if (openssl.empty()) {
    return NotFoundError("no /usr/bin/openssl (run scripts/setup.sh)");
  }
  const std::string cnf = d + "openssl.cnf";
  WriteFile(cnf, R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_tls]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:tls.test
[leaf_other]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.test
[ca]
default_ca = test_ca
[test_ca]
database = )" + d + R"(index.txt
new_certs_dir = )" + c.dir +
                     R"(
serial = )" + d + R"(serial
default_md = sha256
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
)");
  WriteFile(d + "index.txt", "");
  WriteFile(d + "serial", "10\n");
  const std::vector<std::string> new_key = {
      "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
  auto req = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {openssl, "req", "-config", cnf};
    argv.insert(argv.end(), new_key.begin(), new_key.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  };
  c.ca = d + "ca.crt";
  c.valid = d + "valid.crt";
  c.expired = d + "expired.crt";
  c.tls_key = d + "tls.key";
  c.other = d + "other.crt";
  c.other_key = d + "other.key";
  c.self_signed = d + "self.crt";
  c.self_key = d + "self.key";
  RETURN_IF_ERROR(
      req({"-x509", "-new", "-keyout", d + "ca.key", "-out", c.ca, "-days",
           "3650", "-subj", "/CN=crawler test CA", "-extensions", "v3_ca"}));
  RETURN_IF_ERROR(req({"-new", "-keyout", c.tls_key, "-out", d + "tls.csr",
                       "-subj", "/CN=tls.test"}));
  RETURN_IF_ERROR(req({"-new", "-keyout", c.other_key, "-out", d + "other.csr",
                       "-subj", "/CN=other.test"}));
  RETURN_IF_ERROR(
      req({"-x509", "-new", "-keyout", c.self_key, "-out", c.self_signed,
           "-days", "30", "-subj", "/CN=tls.test", "-extensions", "leaf_tls"}));
  auto sign = [&](const std::string& csr, const std::string& out,
                  const std::string& serial, const std::string& section) {
    return Run({openssl, "x509", "-req", "-in", csr, "-CA", c.ca, "-CAkey",
                d + "ca.key", "-set_serial", serial, "-days", "30", "-extfile",
                cnf, "-extensions", section, "-out", out});
  };
  RETURN_IF_ERROR(sign(d + "tls.csr", c.valid, "2", "leaf_tls"));
  RETURN_IF_ERROR(sign(d + "other.csr", c.other, "3", "leaf_other"));
  // `openssl ca` takes explicit validity dates (x509 -req only -days).
  RETURN_IF_ERROR(Run({openssl,       "ca",
                       "-batch",      "-config",
                       cnf,           "-name",
                       "test_ca",     "-cert",
                       c.ca,          "-keyfile",
                       d + "ca.key",  "-in",
                       d + "tls.csr", "-out",
                       c.expired,     "-notext",
                       "-startdate",  "20200101000000Z",
                       "-enddate",    "20200201000000Z",
                       "-extensions", "leaf_tls"}));
  return c;
}

const Certs& TestCerts() {
  static const Certs certs = [] {
    StatusOr<Certs> c = MakeCerts();
    REQUIRE_OK(c.status());
    return std::move(c).value();
  }();
  return certs;
}

// ---------------------------------------------------------------------------
// nginx on 127.0.0.1, one port per certificate.

// Every page is "<title>$server_protocol</title>", so a fetch tells which
// HTTP version was used ("HTTP/2.0" or "HTTP/1.1").
class Nginx {
 public:
  struct Ports {
    int valid = 0;        // HTTP/2 (ALPN) and HTTP/1.1, valid certificate.
    int expired = 0;      // Expired certificate.
    int other_host = 0;   // Certificate for other.test.
    int self_signed = 0;  // Self-signed certificate.
    int tls10 = 0;        // TLS 1.0 only, valid certificate.
    int plain = 0;        // Plain HTTP/1.1.
  };

  static StatusOr<std::unique_ptr<Nginx>> Start(const Certs& certs) {
    const std::string nginx = FindProgram({"/usr/sbin/nginx"});
    if (nginx.empty()) {
      return NotFoundError("no /usr/sbin/nginx (run scripts/setup.sh)");
    }
    Status last;
    for (int attempt = 0; attempt < 3; ++attempt) {  // Port races.
      auto n = std::unique_ptr<Nginx>(new Nginx());
      last = n->TryStart(nginx, certs);
      if (last.ok()) return n;
    }
    return last;
  }

  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;
  ~Nginx() = default;  // ~Command kills (SIGKILL) and reaps the process.

  const Ports& ports() const { return ports_; }
  pid_t pid() const { return process_->pid(); }

 private:
  Nginx() = default;

  Status TryStart(const std::string& nginx, const Certs& certs) {
    ports_ = {FreePort(), FreePort(), FreePort(),
              FreePort(), FreePort(), FreePort()};
    static int serial = 0;
    const std::string dir = ::crawler::testing::TempDir() + "/nginx" +
                            std::to_string(getpid()) + "_" +
                            std::to_string(serial++);
    mkdir(dir.c_str(), 0755);
    const std::string page =
        "location / { return 200 \"<title>$server_protocol</title>\\n\"; }";
    auto tls_server = [&](int port, const std::string& crt,
                          const std::string& key, const std::string& extra) {
      return "  server {\n    listen 127.0.0.1:" + std::to_string(port) +
             " ssl" + (extra.empty() ? " http2" : "") +
             ";\n    ssl_certificate " + crt + ";\n    ssl_certificate_key " +
             key + ";\n" + extra + "    " + page + "\n  }\n";
    };
    std::string conf = "daemon off;\nmaster_process off;\npid " + dir +
                       "/nginx.pid;\nerror_log " + dir +
                       "/error.log warn;\n"
                       "events { worker_connections 64; }\n"
                       "http {\n  access_log off;\n  default_type text/html;\n";
    for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      conf += "  " + std::string(t) + "_temp_path " + dir + "/" + t + ";\n";
    }
    conf += tls_server(ports_.valid, certs.valid, certs.tls_key, "");
    conf += tls_server(ports_.expired, certs.expired, certs.tls_key, "");
    conf += tls_server(ports_.other_host, certs.other, certs.other_key, "");
    conf +=
        tls_server(ports_.self_signed, certs.self_signed, certs.self_key, "");
    conf += tls_server(ports_.tls10, certs.valid, certs.tls_key,
                       "    ssl_protocols TLSv1;\n"
                       "    ssl_ciphers \"DEFAULT:@SECLEVEL=0\";\n");
    conf += "  server {\n    listen 127.0.0.1:" + std::to_string(ports_.plain) +
            ";\n    " + page + "\n  }\n}\n";
    WriteFile(dir + "/nginx.conf", conf);
    ASSIGN_OR_RETURN(process_,
                     Command::Start({nginx, "-e", dir + "/error.log", "-p",
                                     dir + "/", "-c", dir + "/nginx.conf"}));
    const auto start = Clock::now();
    const int all[] = {ports_.valid,       ports_.expired, ports_.other_host,
                       ports_.self_signed, ports_.tls10,   ports_.plain};
    for (int port : all) {
      while (!CanConnect(port)) {
        if (std::optional<int> rc = process_->Wait(0); rc.has_value()) {
          return UnavailableError("nginx exited " + std::to_string(*rc) + ": " +
                                  process_->Stderr() +
                                  ReadFile(dir + "/error.log"));
        }
        if (MsSince(start) > 10000) {
          return DeadlineExceededError("nginx not listening after 10 s: " +
                                       ReadFile(dir + "/error.log"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    return Status::Ok();
  }

  Ports ports_;
  std::unique_ptr<Command> process_;
};

// One nginx for the whole binary; stopped at exit.
const Nginx& Server() {
  static std::unique_ptr<Nginx> server = [] {
    auto s = Nginx::Start(TestCerts());
    REQUIRE_OK(s.status());
    return std::move(s).value();
  }();
  return *server;
}

// A plain TCP server that reads the ClientHello and closes: EOF in the
// middle of the handshake (curl's test_05_09_handshake_eof).
class HandshakeEofServer {
 public:
  HandshakeEofServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
    REQUIRE(listen(fd_, 16) == 0);
    socklen_t len = sizeof(a);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  HandshakeEofServer(const HandshakeEofServer&) = delete;
  HandshakeEofServer& operator=(const HandshakeEofServer&) = delete;
  ~HandshakeEofServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  int port() const { return port_; }
  int closed() const { return closed_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p = {fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      pollfd q = {c, POLLIN, 0};
      if (poll(&q, 1, 2000) > 0) {
        char buf[4096];
        [[maybe_unused]] ssize_t n = read(c, buf, sizeof(buf));
      }
      close(c);
      ++closed_;
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> closed_{0};
  std::thread thread_;
};

// ---------------------------------------------------------------------------
// Fetching.

std::string Resolve(int port) {
  return std::string(kHost) + ":" + std::to_string(port) + ":127.0.0.1";
}

std::string HttpsUrl(int port) {
  return "https://" + std::string(kHost) + ":" + std::to_string(port) + "/";
}

// Loopback options with every test port mapped for tls.test.
FetchOptions TestOptions() {
  FetchOptions o;
  o.allow_private_addresses = true;
  o.connect_timeout_ms = 3000;
  o.total_timeout_ms = 5000;
  const Nginx::Ports& p = Server().ports();
  for (int port :
       {p.valid, p.expired, p.other_host, p.self_signed, p.tls10, p.plain}) {
    o.resolve.push_back(Resolve(port));
  }
  return o;
}

FetchOptions WithCa() {
  FetchOptions o = TestOptions();
  o.ca_cert_file = TestCerts().ca;
  return o;
}

FetchResponse FetchOne(const FetchOptions& options, const std::string& url) {
  auto fetcher = NewCurlFetcher(options);
  REQUIRE_OK(fetcher.status());
  (*fetcher)->Start({1, url});
  const auto start = Clock::now();
  while (MsSince(start) < 15000) {
    std::vector<FetchResponse> out = (*fetcher)->Poll(-1, 200);
    if (!out.empty()) {
      REQUIRE(out.size() == 1);
      return std::move(out[0]);
    }
  }
  FAIL("no response for ", url, " within 15 s");
  return {};
}

// Checks a failed fetch: its class, that it is permanent or retryable, and
// that the message starts with the class.
void CheckFailure(const FetchResponse& r, const std::string& error_class,
                  Tag tag) {
  INFO("error: ", r.error.ToString());
  CHECK(r.error_class == error_class);
  CHECK(!r.error.ok());
  CHECK(r.error.tag() == tag);
  CHECK(r.error.message().rfind(error_class + ": ", 0) == 0);
  CHECK(r.status == 0);
}

void CheckOk(const FetchResponse& r, const std::string& protocol) {
  INFO("error: ", r.error.ToString());
  CHECK(r.error_class == "");
  CHECK(r.error.ok());
  CHECK(r.status == 200);
  CHECK(r.body == "<title>" + protocol + "</title>\n");
}

TEST_CASE(
    "N12/S11 TLS: a certificate from a trusted private CA: 200, HTTP/2 "
    "through ALPN") {
  CheckOk(FetchOne(WithCa(), HttpsUrl(Server().ports().valid)), "HTTP/2.0");
}

TEST_CASE("TLS: plain http stays HTTP/1.1") {
  CheckOk(FetchOne(TestOptions(),
                   "http://tls.test:" + std::to_string(Server().ports().plain) +
                       "/"),
          "HTTP/1.1");
}

TEST_CASE(
    "S11 TLS: certificates are verified by default: a private CA is "
    "untrusted without ca_cert_file") {
  const FetchOptions defaults;
  CHECK(defaults.ca_cert_file.empty());
  CHECK_FALSE(defaults.insecure);
  const FetchResponse r =
      FetchOne(TestOptions(), HttpsUrl(Server().ports().valid));
  CheckFailure(r, "tls_cert_untrusted", Tag::kPermanent);
  CHECK(r.error.message().find("X509 verify result 20") != std::string::npos);
}

TEST_CASE("N12 TLS: an expired certificate is tls_cert_expired") {
  const FetchResponse r =
      FetchOne(WithCa(), HttpsUrl(Server().ports().expired));
  CheckFailure(r, "tls_cert_expired", Tag::kPermanent);
  CHECK(r.error.message().find("X509 verify result 10") != std::string::npos);
}

TEST_CASE("N12 TLS: a certificate for another name is tls_cert_hostname") {
  CheckFailure(FetchOne(WithCa(), HttpsUrl(Server().ports().other_host)),
               "tls_cert_hostname", Tag::kPermanent);
}

TEST_CASE("N12 TLS: a self-signed certificate is tls_cert_untrusted") {
  for (const FetchOptions& o : {TestOptions(), WithCa()}) {
    const FetchResponse r = FetchOne(o, HttpsUrl(Server().ports().self_signed));
    CheckFailure(r, "tls_cert_untrusted", Tag::kPermanent);
    CHECK(r.error.message().find("X509 verify result 18") != std::string::npos);
  }
}

TEST_CASE("S11 TLS: insecure accepts every certificate, still over HTTP/2") {
  FetchOptions o = TestOptions();
  o.insecure = true;
  const Nginx::Ports& p = Server().ports();
  for (int port : {p.valid, p.expired, p.other_host, p.self_signed}) {
    INFO("port ", port);
    CheckOk(FetchOne(o, HttpsUrl(port)), "HTTP/2.0");
  }
}

TEST_CASE("N12 TLS: EOF during the handshake is tls_handshake, retryable") {
  HandshakeEofServer eof;
  FetchOptions o = WithCa();
  o.resolve.push_back(Resolve(eof.port()));
  const auto start = Clock::now();
  CheckFailure(FetchOne(o, HttpsUrl(eof.port())), "tls_handshake",
               Tag::kRetryable);
  CHECK(MsSince(start) < 3000);
  CHECK(eof.closed() >= 1);
}

TEST_CASE("N12 TLS: a TLS 1.0-only server is tls_handshake") {
  CheckFailure(FetchOne(WithCa(), HttpsUrl(Server().ports().tls10)),
               "tls_handshake", Tag::kRetryable);
}

TEST_CASE("N12 TLS: https to a plain HTTP server is tls_handshake") {
  CheckFailure(FetchOne(WithCa(), HttpsUrl(Server().ports().plain)),
               "tls_handshake", Tag::kRetryable);
}

TEST_CASE("TLS: ca_cert_file must be a readable PEM file") {
  const std::string dir = ::crawler::testing::TempDir();
  WriteFile(dir + "/not_pem.txt", "hello\n");
  for (const std::string& bad :
       {dir + "/missing.pem", dir, dir + "/not_pem.txt"}) {
    INFO("ca_cert_file ", bad);
    FetchOptions o = TestOptions();
    o.ca_cert_file = bad;
    auto f = NewCurlFetcher(o);
    CHECK(f.status().code() == Code::kInvalidArgument);
    CHECK(f.status().message().find(bad) != std::string::npos);
  }
  FetchOptions o = TestOptions();
  o.ca_cert_file = TestCerts().ca;
  CHECK_OK(NewCurlFetcher(o).status());
}

TEST_CASE("TLS: --ca-cert and --insecure flags of fetch and crawl") {
  const std::string ca = TestCerts().ca;
  const std::string missing = ::crawler::testing::TempDir() + "/nope.pem";
  {
    auto f = cli::ParseFetchFlags({"--ca-cert", ca, "--insecure", "u"});
    REQUIRE_OK(f.status());
    CHECK(f->fetch.ca_cert_file == ca);
    CHECK(f->fetch.insecure);
    auto d = cli::ParseFetchFlags({"u"});
    REQUIRE_OK(d.status());
    CHECK(d->fetch.ca_cert_file.empty());
    CHECK_FALSE(d->fetch.insecure);
    auto bad = cli::ParseFetchFlags({"--ca-cert", missing, "u"});
    CHECK(bad.status().code() == Code::kInvalidArgument);
    CHECK(bad.status().message().find("--ca-cert") != std::string::npos);
    CHECK_FALSE(cli::ParseFetchFlags({"--insecure=yes", "u"}).ok());
    CHECK_FALSE(cli::ParseFetchFlags({"--ca-cert"}).ok());
  }
  {
    auto f = cli::ParseCrawlFlags({"--ca-cert=" + ca, "--insecure", "u"});
    REQUIRE_OK(f.status());
    CHECK(f->fetch.ca_cert_file == ca);
    CHECK(f->fetch.insecure);
    auto d = cli::ParseCrawlFlags({"u"});
    REQUIRE_OK(d.status());
    CHECK_FALSE(d->fetch.insecure);
    auto bad = cli::ParseCrawlFlags({"--ca-cert", missing, "u"});
    CHECK(bad.status().code() == Code::kInvalidArgument);
  }
  CHECK(std::string(cli::FetchUsage()).find("--ca-cert FILE") !=
        std::string::npos);
  CHECK(std::string(cli::FetchUsage()).find("--insecure") != std::string::npos);
  CHECK(std::string(cli::CrawlUsage()).find("--ca-cert FILE") !=
        std::string::npos);
  CHECK(std::string(cli::CrawlUsage()).find("--insecure") != std::string::npos);
}

TEST_CASE("TLS: nginx is stopped when its fixture goes away") {
  auto n = Nginx::Start(TestCerts());
  REQUIRE_OK(n.status());
  const pid_t pid = (*n)->pid();
  const int port = (*n)->ports().valid;
  CHECK(CanConnect(port));
  n->reset();
  CHECK(::crawler::testing::WaitGone(pid, 2000));
  CHECK_FALSE(CanConnect(port));
}

// ---------------------------------------------------------------------------
// Through the binary.

struct CliRun {
  int code = -1;
  std::vector<json> records;
  std::string err;
};

CliRun RunCrawler(const std::string& command,
                  const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RunfilePath("crawler/cli/crawler"),
                                   command,
                                   "--allow-private",
                                   "--workers",
                                   "1",
                                   "--timeout",
                                   "5"};
  const Nginx::Ports& p = Server().ports();
  for (int port : {p.valid, p.expired, p.other_host, p.self_signed}) {
    argv.push_back("--resolve");
    argv.push_back(Resolve(port));
  }
  argv.insert(argv.end(), args.begin(), args.end());
  auto cmd = Command::Start(argv);
  REQUIRE_OK(cmd.status());
  std::optional<int> code = (*cmd)->Wait(60000);
  REQUIRE_MESSAGE(code.has_value(), "crawler ", command, " did not finish");
  CliRun run;
  run.code = *code;
  run.err = (*cmd)->Stderr();
  std::istringstream in((*cmd)->Stdout());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) run.records.push_back(json::parse(line));
  }
  return run;
}

TEST_CASE(
    "N12/S11 TLS e2e: crawler fetch verifies, --ca-cert trusts, "
    "--insecure warns") {
  const Nginx::Ports& p = Server().ports();
  const std::vector<std::string> urls = {HttpsUrl(p.valid), HttpsUrl(p.expired),
                                         HttpsUrl(p.other_host),
                                         HttpsUrl(p.self_signed)};
  {
    std::vector<std::string> args = {"--ordered", "--ca-cert", TestCerts().ca};
    args.insert(args.end(), urls.begin(), urls.end());
    CliRun run = RunCrawler("fetch", args);
    INFO(run.err);
    CHECK(run.code == 0);
    REQUIRE(run.records.size() == 4);
    CHECK(run.records[0]["status"] == 200);
    CHECK(run.records[0]["error"].is_null());
    CHECK(run.records[0]["title"] == "HTTP/2.0");
    const char* classes[] = {"tls_cert_expired", "tls_cert_hostname",
                             "tls_cert_untrusted"};
    for (int i = 1; i < 4; ++i) {
      CHECK(run.records[i]["status"].is_null());
      CHECK(run.records[i]["error"].get<std::string>().rfind(
                std::string(classes[i - 1]) + ": ", 0) == 0);
    }
    CHECK(run.err.find("--insecure") == std::string::npos);
  }
  {
    CliRun run = RunCrawler("fetch", {HttpsUrl(p.valid)});
    INFO(run.err);
    CHECK(run.code == 0);
    REQUIRE(run.records.size() == 1);
    CHECK(run.records[0]["error"].get<std::string>().rfind(
              "tls_cert_untrusted: ", 0) == 0);
  }
  {
    std::vector<std::string> args = {"--ordered", "--insecure"};
    args.insert(args.end(), urls.begin(), urls.end());
    CliRun run = RunCrawler("fetch", args);
    INFO(run.err);
    CHECK(run.code == 0);
    REQUIRE(run.records.size() == 4);
    for (const json& r : run.records) {
      CHECK(r["status"] == 200);
      CHECK(r["error"].is_null());
      CHECK(r["title"] == "HTTP/2.0");
    }
    CHECK(run.err.rfind(
              "crawler: --insecure: TLS certificates are not verified\n", 0) ==
          0);
  }
  {
    CliRun run = RunCrawler(
        "fetch", {"--ca-cert", ::crawler::testing::TempDir() + "/nope.pem",
                  HttpsUrl(p.valid)});
    CHECK(run.code == 2);
    CHECK(run.records.empty());
    CHECK(run.err.find("--ca-cert") != std::string::npos);
  }
}

TEST_CASE("N12/S11 TLS e2e: crawler crawl with --ca-cert and --insecure") {
  const Nginx::Ports& p = Server().ports();
  const std::vector<std::string> common = {
      "--no-robots",     "--delay",          "0", "--retries", "0",
      HttpsUrl(p.valid), HttpsUrl(p.expired)};
  {
    std::vector<std::string> args = {"--ca-cert", TestCerts().ca};
    args.insert(args.end(), common.begin(), common.end());
    CliRun run = RunCrawler("crawl", args);
    INFO(run.err);
    CHECK(run.code == 0);
    REQUIRE(run.records.size() == 2);
    for (const json& r : run.records) {
      if (r["url"] == HttpsUrl(p.valid)) {
        CHECK(r["status"] == 200);
        CHECK(r["title"] == "HTTP/2.0");
      } else {
        CHECK(r["error"].get<std::string>().rfind("tls_cert_expired: ", 0) ==
              0);
      }
    }
    CHECK(run.err.find("not verified") == std::string::npos);
  }
  {
    std::vector<std::string> args = {"--insecure"};
    args.insert(args.end(), common.begin(), common.end());
    CliRun run = RunCrawler("crawl", args);
    INFO(run.err);
    CHECK(run.code == 0);
    REQUIRE(run.records.size() == 2);
    for (const json& r : run.records) CHECK(r["status"] == 200);
    CHECK(run.err.rfind(
              "crawler: --insecure: TLS certificates are not verified\n", 0) ==
          0);
    // The summary, the last line, says so too.
    const size_t last = run.err.rfind('\n', run.err.size() - 2);
    const std::string summary = run.err.substr(last + 1);
    CHECK(summary.find("crawl stopped") != std::string::npos);
    CHECK(summary.find("--insecure: TLS certificates not verified") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace crawler::fetch
