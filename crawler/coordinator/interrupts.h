// Interrupts: SIGINT/SIGTERM handling for a job's lifetime.
//
// While an Interrupts object lives, the first SIGINT or SIGTERM sets a flag
// instead of killing the process, so the job can stop leasing, give the
// requests in flight a grace period to finish, write their records and its
// summary, and exit with 128 + the signal (130, 143).
//
// A second signal (Ctrl-C pressed again) ends the process at once: the
// handler writes "crawler: second signal: exiting at once" to stderr and
// calls _exit(128 + the first signal). Nothing is lost that was written: each record
// went out in one write(2) of a whole line (output/record_writer.h), and the
// workers die with the coordinator (PR_SET_PDEATHSIG). With
// SecondSignal::kCount the handler only counts (for tests in one process).
//
// The previous handlers come back when the object is destroyed. Only one may
// exist at a time. The handlers are installed without SA_RESTART, so a
// blocking poll() or write() returns early with EINTR.
//
// Thread-safety: construct and destroy on the job's thread; signal() and
// count() may be read anywhere.
#ifndef CRAWLER_COORDINATOR_INTERRUPTS_H_
#define CRAWLER_COORDINATOR_INTERRUPTS_H_

#include <signal.h>

namespace crawler::coordinator {

class Interrupts {
 public:
  // What a second signal does.
  enum class SecondSignal {
    kExit,   // _exit(128 + signal) from the handler: the default.
    kCount,  // Only counted, like the first.
  };

  explicit Interrupts(SecondSignal second = SecondSignal::kExit);
  ~Interrupts();
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;

  // The first signal received (0 if none) and how many arrived.
  int signal() const;
  int count() const;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// "SIGINT", "SIGTERM", else the system's description of `signo`.
const char* SignalName(int signo);

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_INTERRUPTS_H_
