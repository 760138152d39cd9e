// Tutorial idea 6: ten processes update a dict and a list held by a Manager.
//
// Python:
//   def f(d, l, i): d[i] = i; l.append(i)
//   with Manager() as manager:
//       d = manager.dict(); l = manager.list()
//       ps = [Process(target=f, args=(d, l, i)) for i in range(10)]
//       start all; join all; print(d); print(l)
//
// Manager::Create() forks the manager process, which owns the data; the
// proxies send each operation to it (see crawler/mp/manager.h). The list's
// order is the order in which the processes reached the manager, so it is
// printed sorted here; the dict prints in key order.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "crawler/mp/manager.h"
#include "crawler/mp/process.h"

int main() {
  using crawler::Status;
  auto manager = crawler::mp::Manager::Create();
  if (!manager.ok()) {
    std::fprintf(stderr, "manager: %s\n", manager.status().ToString().c_str());
    return 1;
  }
  crawler::mp::DictProxy<int, int> d(manager->get(), "d");
  crawler::mp::ListProxy<int> l(manager->get(), "l");
  std::vector<std::unique_ptr<crawler::mp::Process>> procs;
  for (int i = 0; i < 10; ++i) {
    procs.push_back(std::make_unique<crawler::mp::Process>([&d, &l, i] {
      if (!d.Set(i, i).ok()) return 1;
      if (!l.Append(i).ok()) return 2;
      return 0;
    }));
    if (Status s = procs.back()->Start(); !s.ok()) {
      std::fprintf(stderr, "start: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  for (auto& p : procs) {
    if (Status s = p->Join(); !s.ok() || p->exit_code() != 0) {
      std::fprintf(stderr, "process failed: %s\n",
                   p->ExitDescription().c_str());
      return 1;
    }
  }
  auto items = d.Items();
  auto list = l.Items();
  if (!items.ok() || !list.ok()) {
    std::fprintf(stderr, "read: %s %s\n", items.status().ToString().c_str(),
                 list.status().ToString().c_str());
    return 1;
  }
  std::string out = "d = {";
  for (size_t i = 0; i < items->size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string((*items)[i].first) + ": " +
           std::to_string((*items)[i].second);
  }
  std::printf("%s}\n", out.c_str());
  std::vector<int> sorted = *list;
  std::sort(sorted.begin(), sorted.end());
  out = "sorted(l) = [";
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(sorted[i]);
  }
  std::printf("%s]\n", out.c_str());
  if (Status s = (*manager)->Shutdown(); !s.ok()) {
    std::fprintf(stderr, "shutdown: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("manager shut down\n");
  return 0;
}
