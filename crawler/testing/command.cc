#include "crawler/testing/command.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace crawler::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

std::string RunfilePath(const std::string& rel) {
  const char* dir = std::getenv("TEST_SRCDIR");
  if (dir == nullptr) dir = std::getenv("RUNFILES_DIR");
  if (dir != nullptr) return std::string(dir) + "/crawler/" + rel;
  return std::string("/proc/self/exe.runfiles/crawler/") + rel;
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> out;
  std::string base = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(base.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(base + "/" + e->d_name + "/children");
    pid_t c;
    while (f >> c) out.push_back(c);
  }
  closedir(d);
  return out;
}

std::vector<pid_t> WaitForChildren(pid_t pid, size_t count, int timeout_ms) {
  const auto end =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<pid_t> children = ChildrenOf(pid);
  while (children.size() < count && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    children = ChildrenOf(pid);
  }
  return children;
}

StatusOr<std::unique_ptr<Command>> Command::Start(
    const std::vector<std::string>& argv,
    const std::vector<std::string>& extra_env, const std::string& stdin_data) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/cmdXXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) return ErrnoError("mkdtemp", errno);
  auto cmd = std::unique_ptr<Command>(new Command());
  cmd->dir_ = buf.data();
  {
    std::ofstream in(cmd->dir_ + "/stdin", std::ios::binary);
    in << stdin_data;
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int in = open((cmd->dir_ + "/stdin").c_str(), O_RDONLY);
    int out = open((cmd->dir_ + "/stdout").c_str(),
                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open((cmd->dir_ + "/stderr").c_str(),
                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    signal(SIGPIPE, SIG_DFL);
    for (const std::string& e : extra_env) putenv(strdup(e.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  cmd->pid_ = pid;
  return cmd;
}

Command::~Command() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
}

std::optional<int> Command::Wait(int timeout_ms) {
  auto end =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return -WTERMSIG(status);
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= end) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string Command::Stdout() const { return ReadFile(dir_ + "/stdout"); }
std::string Command::Stderr() const { return ReadFile(dir_ + "/stderr"); }

}  // namespace crawler::testing
