#include "crawler/testing/fault_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace crawler::testing {
namespace {

constexpr char kScript[] = "tests/testdata/fault_server.py";
constexpr char kWorkspace[] = "crawler";
constexpr int kReadyTimeoutMs = 10000;
constexpr auto kTermGrace = std::chrono::seconds(2);

using Clock = std::chrono::steady_clock;

bool IsReadable(const std::string& path) {
  return access(path.c_str(), R_OK) == 0;
}

// Returns the script's path in the runfiles tree, or an empty string.
std::string FindScript() {
  std::vector<std::string> roots;
  for (const char* var : {"TEST_SRCDIR", "RUNFILES_DIR"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') roots.push_back(v);
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) roots.push_back(std::string(exe, n) + ".runfiles");
  for (const std::string& root : roots) {
    std::string path = root + "/" + kWorkspace + "/" + kScript;
    if (IsReadable(path)) return path;
  }
  if (IsReadable(kScript)) return kScript;  // Run from the workspace root.
  return "";
}

// Kills (SIGTERM, then SIGKILL after kTermGrace) and reaps `pid`.
void StopChild(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  auto deadline = Clock::now() + kTermGrace;
  while (Clock::now() < deadline) {
    pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Stops a child on scope exit unless Release()d.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  ~ChildGuard() { StopChild(pid_); }
  pid_t Release() {
    pid_t p = pid_;
    pid_ = -1;
    return p;
  }

 private:
  pid_t pid_;
};

std::string DescribeExit(pid_t pid) {
  int status = 0;
  pid_t r = waitpid(pid, &status, WNOHANG);
  if (r != pid) return "it closed its stdout";
  if (WIFEXITED(status)) {
    return "it exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return "it was killed by signal " + std::to_string(WTERMSIG(status));
  }
  return "it stopped";
}

int64_t MsLeft(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                               Clock::now())
      .count();
}

}  // namespace

StatusOr<std::unique_ptr<FaultServer>> FaultServer::Start(
    const FaultServerOptions& options) {
  const std::string script = FindScript();
  if (script.empty()) {
    return NotFoundError(std::string("fault server: cannot find ") + kScript +
                         " in the runfiles ($TEST_SRCDIR, $RUNFILES_DIR); add "
                         "//crawler/testing:fault_server to the test's deps");
  }
  const bool system_python = access("/usr/bin/python3", X_OK) == 0;
  const std::string python = system_python ? "/usr/bin/python3" : "python3";

  // Everything the child needs is prepared before fork(): after fork() the
  // child only calls async-signal-safe functions.
  std::vector<std::string> args = {python, "-u", script, "--port", "0"};
  if (options.canary) args.push_back("--canary");
  if (!options.robots_json.empty()) {
    args.push_back("--robots");
    args.push_back(options.robots_json);
  }
  for (const std::string& a : options.extra_args) args.push_back(a);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return ErrnoError("fault server: pipe2", errno);
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fault server: fork", errno);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // The parent died before prctl.
    if (dup2(write_end.get(), STDOUT_FILENO) < 0) _exit(127);
    if (system_python) {
      execv(argv[0], argv.data());
    } else {
      execvp(argv[0], argv.data());
    }
    _exit(127);
  }
  ChildGuard guard(pid);
  write_end.Reset();

  // Read lines up to READY (CANARY comes first when asked for).
  std::string text;
  int canary_port = 0;
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(kReadyTimeoutMs);
  while (true) {
    size_t nl;
    while ((nl = text.find('\n')) != std::string::npos) {
      std::string line = text.substr(0, nl);
      text.erase(0, nl + 1);
      if (line.rfind("CANARY ", 0) == 0) {
        canary_port = std::atoi(line.c_str() + 7);
        continue;
      }
      int port = 0;
      if (line.rfind("READY ", 0) == 0) port = std::atoi(line.c_str() + 6);
      if (port <= 0 || port > 65535) {
        return UnavailableError(
            "fault server: expected \"READY <port>\", got \"" + line + "\"");
      }
      if (options.canary && canary_port <= 0) {
        return UnavailableError("fault server: no CANARY line before READY");
      }
      return std::unique_ptr<FaultServer>(
          new FaultServer(guard.Release(), port, canary_port));
    }
    const int64_t left = MsLeft(deadline);
    if (left <= 0) {
      return DeadlineExceededError("fault server: no READY line from " +
                                   python + " " + script + " within " +
                                   std::to_string(kReadyTimeoutMs) + " ms");
    }
    pollfd p = {read_end.get(), POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("fault server: poll", errno);
    }
    if (r == 0) continue;
    char buf[256];
    ssize_t n = read(read_end.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("fault server: read", errno);
    }
    if (n == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return UnavailableError("fault server: " + python + " " + script +
                              " did not print READY: " + DescribeExit(pid) +
                              " (see its stderr in the test log)");
    }
    text.append(buf, n);
  }
}

FaultServer::~FaultServer() { StopChild(pid_); }

std::string FaultServer::Url(std::string_view path) const {
  return Url("127.0.0.1", path);
}

std::string FaultServer::Url(std::string_view host,
                             std::string_view path) const {
  std::string url = "http://";
  url.append(host);
  url += ":" + std::to_string(port_);
  url.append(path);
  return url;
}

std::string FaultServer::CanaryUrl(std::string_view path) const {
  std::string url = "http://127.0.0.2:" + std::to_string(canary_port_);
  url.append(path);
  return url;
}

std::string FaultServer::ResolveFlag() const {
  return "*.test:" + std::to_string(port_) + ":127.0.0.1";
}

StatusOr<RawResponse> FaultServer::Get(std::string_view target,
                                       std::string_view host,
                                       int timeout_ms) const {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return ErrnoError("fault server: socket", errno);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
      0) {
    return ErrnoError("fault server: connect", errno);
  }
  std::string request = "GET ";
  request.append(target);
  request += " HTTP/1.1\r\nHost: ";
  if (host.empty()) {
    request += "127.0.0.1:" + std::to_string(port_);
  } else {
    request.append(host);
  }
  request += "\r\nConnection: close\r\n\r\n";
  size_t off = 0;
  while (off < request.size()) {
    ssize_t n = send(fd.get(), request.data() + off, request.size() - off,
                     MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("fault server: send", errno);
    }
    off += static_cast<size_t>(n);
  }
  std::string data;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const int64_t left = MsLeft(deadline);
    if (left <= 0) {
      return DeadlineExceededError("fault server: GET " + std::string(target) +
                                   ": no end within " +
                                   std::to_string(timeout_ms) + " ms");
    }
    pollfd p = {fd.get(), POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno != EINTR) return ErrnoError("fault server: poll", errno);
    if (r <= 0) continue;
    char buf[65536];
    ssize_t n = recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF, or a reset: return what arrived.
    data.append(buf, static_cast<size_t>(n));
  }
  RawResponse out;
  size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) {
    out.head = std::move(data);
  } else {
    out.head = data.substr(0, end + 2);
    out.body = data.substr(end + 4);
  }
  if (out.head.rfind("HTTP/", 0) == 0 && out.head.size() > 12) {
    out.status = std::atoi(out.head.c_str() + 9);
  }
  return out;
}

StatusOr<std::string> FaultServer::Log(std::string_view query) const {
  std::string target = "/__log";
  if (!query.empty()) {
    target += "?";
    target.append(query);
  }
  ASSIGN_OR_RETURN(RawResponse r, Get(target));
  if (r.status != 200) {
    return UnavailableError("fault server: /__log answered " +
                            std::to_string(r.status));
  }
  return r.body;
}

}  // namespace crawler::testing
