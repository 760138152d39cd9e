#include "crawler/mp/fork_guard.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace crawler::mp {
namespace {

std::mutex& Mu() {
  static auto* mu = new std::mutex();
  return *mu;
}

std::vector<ForkGuard*>& Guards() {
  static auto* guards = new std::vector<ForkGuard*>();
  return *guards;
}

}  // namespace

void RegisterForkGuard(ForkGuard* guard) {
  std::lock_guard<std::mutex> l(Mu());
  Guards().push_back(guard);
}

void UnregisterForkGuard(ForkGuard* guard) {
  std::lock_guard<std::mutex> l(Mu());
  auto& g = Guards();
  g.erase(std::remove(g.begin(), g.end(), guard), g.end());
}

int StopAllForkGuards() {
  std::vector<ForkGuard*> guards;
  {
    std::lock_guard<std::mutex> l(Mu());
    guards = Guards();
  }
  for (ForkGuard* g : guards) g->StopThreadsForFork();
  return static_cast<int>(guards.size());
}

void RestartAllForkGuards() {
  std::vector<ForkGuard*> guards;
  {
    std::lock_guard<std::mutex> l(Mu());
    guards = Guards();
  }
  for (auto it = guards.rbegin(); it != guards.rend(); ++it) {
    (*it)->RestartThreadsAfterFork();
  }
}

}  // namespace crawler::mp
