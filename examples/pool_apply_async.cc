// Tutorial idea 7: a Pool of five processes running ten tasks with
// apply_async, then close and join.
//
// Python:
//   with Pool(processes=5) as pool:
//       results = [pool.apply_async(square, (i,)) for i in range(10)]
//       print([r.get(timeout=1) for r in results])
//   pool.close(); pool.join()
//
// A task is a plain function (no captures) and an argument encoded with
// Codec<T>. Unlike Python, a worker that dies mid-task is replaced, the task
// retried (max_retries), and then reported as an error value; the other
// tasks are unaffected.
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "crawler/mp/pool.h"

namespace {

int Square(int x) { return x * x; }

// Returns true when it ran in another process than the pool's owner.
pid_t g_owner_pid = 0;
bool RanElsewhere(int) { return ::getpid() != g_owner_pid; }

// Kills its own worker process.
int Crash(int) {
  ::raise(SIGKILL);
  return 0;
}

}  // namespace

int main() {
  using crawler::Status;
  g_owner_pid = ::getpid();
  auto pool = crawler::mp::Pool::Create({.processes = 5, .max_retries = 1});
  if (!pool.ok()) {
    std::fprintf(stderr, "pool: %s\n", pool.status().ToString().c_str());
    return 1;
  }
  crawler::mp::Pool& p = **pool;
  std::vector<crawler::mp::AsyncResult<int>> results;
  for (int i = 0; i < 10; ++i) results.push_back(p.ApplyAsync(&Square, i));
  std::string out = "[";
  for (size_t i = 0; i < results.size(); ++i) {
    auto r = results[i].Get(10000);
    if (!r.ok()) {
      std::fprintf(stderr, "task %zu: %s\n", i, r.status().ToString().c_str());
      return 1;
    }
    if (i > 0) out += ", ";
    out += std::to_string(*r);
  }
  std::printf("results: %s]\n", out.c_str());
  auto elsewhere = p.Apply(&RanElsewhere, 0);
  std::printf("tasks run in a worker process: %s\n",
              elsewhere.ok() && *elsewhere ? "yes" : "no");
  auto crashed = p.Apply(&Crash, 0);
  // The message names the dead worker's pid; hide it to keep the output
  // stable.
  std::string error = crashed.status().ToString();
  if (size_t at = error.find("pid "); at != std::string::npos) {
    size_t end = at + 4;
    while (end < error.size() &&
           std::isdigit(static_cast<unsigned char>(error[end]))) {
      ++end;
    }
    error.replace(at + 4, end - at - 4, "N");
  }
  std::printf("a task that kills its worker: %s (tag %s)\n", error.c_str(),
              crawler::TagName(crashed.status().tag()));
  auto after = p.Apply(&Square, 12);
  std::printf("the pool goes on: square(12) = %d\n", after.ok() ? *after : -1);
  p.Close();
  std::printf("after close: %s\n",
              p.ApplyAsync(&Square, 1).Get().status().ToString().c_str());
  if (Status s = p.Join(10000); !s.ok()) {
    std::fprintf(stderr, "join: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("joined: %d workers started in all\n", p.workers_started());
  return 0;
}
