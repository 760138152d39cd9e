// Fork guards: objects that own a helper thread and can stop it while the
// process forks (Process::Start forks only a single-threaded process; see
// process.h). Process::Start stops every registered guard's threads, forks,
// and starts them again in the parent; the child never sees them.
//
// Thread-safety: Register and Unregister may be called from any thread;
// the hooks are called on the thread that calls Process::Start.
#ifndef CRAWLER_MP_FORK_GUARD_H_
#define CRAWLER_MP_FORK_GUARD_H_

namespace crawler::mp {

class ForkGuard {
 public:
  virtual ~ForkGuard() = default;
  // Stops (joins) the object's threads; what they were doing is finished
  // or kept for later. Called before a fork.
  virtual void StopThreadsForFork() = 0;
  // Starts them again; called in the parent after the fork, and after a
  // fork that failed.
  virtual void RestartThreadsAfterFork() = 0;
};

// Adds `guard` (not owned; it must unregister before it is destroyed).
void RegisterForkGuard(ForkGuard* guard);
void UnregisterForkGuard(ForkGuard* guard);

// Calls StopThreadsForFork on every registered guard, in order of
// registration, and returns how many there are (RestartAllForkGuards
// undoes it in reverse order).
int StopAllForkGuards();
void RestartAllForkGuards();

}  // namespace crawler::mp

#endif  // CRAWLER_MP_FORK_GUARD_H_
