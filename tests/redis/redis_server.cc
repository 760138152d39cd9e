#include "tests/redis/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "crawler/redis/redis_client.h"

namespace crawler::testing {
namespace {

// A port that was free a moment ago (bind to port 0, read it, close).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

std::string Binary() {
  if (access("/usr/bin/redis-server", X_OK) == 0)
    return "/usr/bin/redis-server";
  return "redis-server";
}

void Reap(pid_t pid, std::chrono::milliseconds grace) {
  const auto end = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < end) {
    pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(
    const Options& options) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  Status last = UnavailableError("no attempt");
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int port = FreePort();
    if (port <= 0) return UnavailableError("no free loopback port");
    std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/redis-" +
                      std::to_string(port);
    mkdir(dir.c_str(), 0700);
    std::unique_ptr<RedisServer> s(new RedisServer(dir, port, options));
    last = s->Launch();
    if (last.ok()) return s;
    if (last.code() == Code::kNotFound) return last;
  }
  return last;
}

Status RedisServer::Launch() {
  const std::string binary = Binary();
  const std::string port = std::to_string(port_);
  std::vector<std::string> args = {
      binary,   "--port",     port,      "--bind",    "127.0.0.1",
      "--save", "",           "--dir",   dir_,        "--daemonize",
      "no",     "--loglevel", "warning", "--logfile", ""};
  if (options_.append_only) {
    // fsync before every reply: nothing acknowledged is lost to SIGKILL
    // (a tail cut mid-write is dropped at load: aof-load-truncated).
    args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always",
                             "--aof-load-truncated", "yes"});
  } else {
    args.insert(args.end(), {"--appendonly", "no"});
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  redis::RedisAddress address{"127.0.0.1", port_, 0};
  redis::HiredisClient client(address, {.connect_timeout_ms = 200,
                                        .command_timeout_ms = 1000,
                                        .reconnect_interval_ms = 0});
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127) {
        return NotFoundError("cannot run " + binary);
      }
      return UnavailableError("redis-server exited at start (port " + port +
                              " taken?)");
    }
    StatusOr<redis::Reply> pong = client.Command({"PING"});
    if (pong.ok() && pong->str == "PONG") return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return DeadlineExceededError("redis-server on port " + port +
                               " did not answer PING within 10 s");
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    Reap(pid_, std::chrono::seconds(2));
  }
}

std::string RedisServer::Url(int db) const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/" +
         std::to_string(db);
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap(pid_, std::chrono::seconds(5));
  pid_ = -1;
}

Status RedisServer::Restart() {
  Kill();
  // The port may linger briefly; try for a while.
  Status s;
  for (int attempt = 0; attempt < 20; ++attempt) {
    s = Launch();
    if (s.ok()) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return s;
}

}  // namespace crawler::testing
