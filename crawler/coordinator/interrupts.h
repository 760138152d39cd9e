// Interrupts: SIGINT/SIGTERM handling for a job's lifetime.
//
// While an Interrupts object lives, SIGINT and SIGTERM set a flag instead of
// killing the process, so the job can stop leasing, let the work in flight
// finish and write its records. The previous handlers come back when it is
// destroyed. Only one may exist at a time.
#ifndef CRAWLER_COORDINATOR_INTERRUPTS_H_
#define CRAWLER_COORDINATOR_INTERRUPTS_H_

#include <signal.h>

namespace crawler::coordinator {

class Interrupts {
 public:
  Interrupts();
  ~Interrupts();
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;

  // The last signal received (0 if none) and how many arrived.
  int signal() const;
  int count() const;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_INTERRUPTS_H_
