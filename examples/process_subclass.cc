// Tutorial idea 2: a Process subclass that overrides run().
//
// Python:
//   class Worker(Process):
//       def run(self): print('In %s' % self.name)
//   jobs = [Worker() for i in range(5)]; start all; join all
//
// Here: derive from crawler::mp::Process and override Run(). The object's
// members are copied into the child by fork(), so Run() sees them as they
// were at Start().
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "crawler/mp/process.h"

namespace {

class Squarer : public crawler::mp::Process {
 public:
  Squarer(std::string name, int n)
      : Process(crawler::mp::ProcessOptions{.name = std::move(name)}), n_(n) {}

 protected:
  int Run() override {
    std::printf("In %s: %d squared is %d\n", name().c_str(), n_, n_ * n_);
    return 0;
  }

 private:
  int n_;
};

}  // namespace

int main() {
  std::vector<std::unique_ptr<Squarer>> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.push_back(
        std::make_unique<Squarer>("Squarer-" + std::to_string(i), i));
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
  for (auto& p : jobs) {
    std::printf("%s %s\n", p->name().c_str(), p->ExitDescription().c_str());
  }
  return 0;
}
