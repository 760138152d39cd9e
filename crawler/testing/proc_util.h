// Process helpers for tests: who are my children, and is a pid gone.
#ifndef CRAWLER_TESTING_PROC_UTIL_H_
#define CRAWLER_TESTING_PROC_UTIL_H_

#include <dirent.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace crawler::testing {

// Pids of the calling process's live or zombie children.
inline std::vector<pid_t> ChildPids() {
  std::vector<pid_t> pids;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return pids;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(std::string("/proc/self/task/") + e->d_name + "/children");
    pid_t p;
    while (f >> p) pids.push_back(p);
  }
  closedir(dir);
  return pids;
}

// True when pid does not exist or is a zombie.
inline bool IsGoneOrZombie(pid_t pid) {
  if (kill(pid, 0) != 0) return true;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return true;
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() &&
         line[close + 2] == 'Z';
}

// Waits up to timeout_ms for pid to be gone (or a zombie).
inline bool WaitGone(pid_t pid, int timeout_ms) {
  auto end =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (IsGoneOrZombie(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return IsGoneOrZombie(pid);
}

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_PROC_UTIL_H_
