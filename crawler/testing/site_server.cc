#include "crawler/testing/site_server.h"

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

constexpr char kScript[] = "tests/testdata/site_server.py";
constexpr char kWorkspace[] = "crawler";
constexpr int kReadyTimeoutMs = 10000;
constexpr auto kTermGrace = std::chrono::seconds(2);

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
  auto deadline = std::chrono::steady_clock::now() + kTermGrace;
  while (std::chrono::steady_clock::now() < deadline) {
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

}  // namespace

StatusOr<std::unique_ptr<SiteServer>> SiteServer::Start(
    const std::vector<std::string>& options) {
  const std::string script = FindScript();
  if (script.empty()) {
    return NotFoundError(std::string("site server: cannot find ") + kScript +
                         " in the runfiles ($TEST_SRCDIR, $RUNFILES_DIR); add "
                         "//crawler/testing:site_server to the test's deps");
  }
  const bool system_python = access("/usr/bin/python3", X_OK) == 0;
  const std::string python = system_python ? "/usr/bin/python3" : "python3";

  // Everything the child needs is prepared before fork(): after fork() the
  // child only calls async-signal-safe functions.
  std::vector<std::string> args = {python, "-u", script, "--port", "0"};
  args.insert(args.end(), options.begin(), options.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return ErrnoError("site server: pipe2", errno);
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) return ErrnoError("site server: fork", errno);
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

  // Read the READY line.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(kReadyTimeoutMs);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      return DeadlineExceededError("site server: no READY line from " + python +
                                   " " + script + " within " +
                                   std::to_string(kReadyTimeoutMs) + " ms");
    }
    pollfd p = {read_end.get(), POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("site server: poll", errno);
    }
    if (r == 0) continue;
    char buf[256];
    ssize_t n = read(read_end.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("site server: read", errno);
    }
    if (n == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return UnavailableError("site server: " + python + " " + script +
                              " did not print READY: " + DescribeExit(pid) +
                              " (see its stderr in the test log)");
    }
    line.append(buf, n);
  }
  line.resize(line.find('\n'));
  int port = 0;
  if (line.rfind("READY ", 0) == 0) port = std::atoi(line.c_str() + 6);
  if (port <= 0 || port > 65535) {
    return UnavailableError("site server: expected \"READY <port>\", got \"" +
                            line + "\"");
  }
  return std::unique_ptr<SiteServer>(new SiteServer(guard.Release(), port));
}

SiteServer::~SiteServer() { StopChild(pid_); }

std::string SiteServer::Url(std::string_view path) const {
  std::string url = "http://127.0.0.1:" + std::to_string(port_);
  url.append(path);
  return url;
}

StatusOr<std::string> SiteServer::Get(const std::string& path) const {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return ErrnoError("site server: socket", errno);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port_));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return ErrnoError("site server: connect", errno);
  }
  const std::string req =
      "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  for (size_t off = 0; off < req.size();) {
    ssize_t n = write(fd.get(), req.data() + off, req.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("site server: write", errno);
    off += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[65536];
  while (true) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("site server: read", errno);
    if (n == 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  const size_t body = resp.find("\r\n\r\n");
  if (resp.compare(0, 12, "HTTP/1.0 200") != 0 &&
      resp.compare(0, 12, "HTTP/1.1 200") != 0) {
    return UnavailableError("site server: GET " + path +
                            " answered: " + resp.substr(0, resp.find('\r')));
  }
  if (body == std::string::npos) {
    return UnavailableError("site server: GET " + path + ": no header end");
  }
  return resp.substr(body + 4);
}

}  // namespace crawler::testing
