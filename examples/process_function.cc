// Tutorial idea 1: start processes from a function, then join them.
//
// Python:
//   def worker(num): print('Worker:', num)
//   jobs = [Process(target=worker, args=(i,)) for i in range(5)]
//   for p in jobs: p.start()
//   for p in jobs: p.join()
//
// Here the target is a lambda: the child is a fork of this process, so it may
// capture anything (no pickling). Its return value is the exit code.
// The five "Worker: i" lines come in whatever order the children run.
#include <cstdio>
#include <memory>
#include <vector>

#include "crawler/mp/process.h"

namespace {

int Worker(int num) {
  std::printf("Worker: %d\n", num);
  return num;  // The exit code, read back by the parent below.
}

}  // namespace

int main() {
  using crawler::mp::Process;
  std::vector<std::unique_ptr<Process>> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.push_back(std::make_unique<Process>([i] { return Worker(i); }));
    crawler::Status s = jobs.back()->Start();
    if (!s.ok()) {
      std::fprintf(stderr, "start: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  for (auto& p : jobs) {
    crawler::Status s = p->Join();
    if (!s.ok()) {
      std::fprintf(stderr, "join: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::printf("job %zu %s\n", i, jobs[i]->ExitDescription().c_str());
  }
  return 0;
}
