#include "crawler/coordinator/interrupts.h"

#include <unistd.h>

#include <csignal>
#include <cstring>

namespace crawler::coordinator {
namespace {

volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_count = 0;
volatile std::sig_atomic_t g_exit_on_second = 1;
// Whether stderr is a terminal, known before any signal: isatty() is not
// on the list of async-signal-safe functions.
volatile std::sig_atomic_t g_stderr_terminal = 0;

void OnSignal(int signo) {
  g_count = g_count + 1;
  if (g_signal == 0) g_signal = signo;
  if (g_count >= 2 && g_exit_on_second) {
    // Erase a status line first, if one may be shown.
    static const char kTerminal[] =
        "\r\x1b[Kcrawler: second signal: exiting at once\n";
    static const char kPlain[] = "crawler: second signal: exiting at once\n";
    if (g_stderr_terminal) {
      (void)!::write(STDERR_FILENO, kTerminal, sizeof kTerminal - 1);
    } else {
      (void)!::write(STDERR_FILENO, kPlain, sizeof kPlain - 1);
    }
    ::_exit(128 + g_signal);  // The first signal's code, as the summary's.
  }
}

}  // namespace

Interrupts::Interrupts(SecondSignal second) {
  g_signal = 0;
  g_count = 0;
  g_exit_on_second = second == SecondSignal::kExit ? 1 : 0;
  g_stderr_terminal = ::isatty(STDERR_FILENO) == 1 ? 1 : 0;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  // Both signals are blocked while the handler runs, so two arriving
  // together are handled one after the other.
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

Interrupts::~Interrupts() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

int Interrupts::signal() const { return g_signal; }
int Interrupts::count() const { return g_count; }

const char* SignalName(int signo) {
  if (signo == SIGINT) return "SIGINT";
  if (signo == SIGTERM) return "SIGTERM";
  return strsignal(signo);
}

}  // namespace crawler::coordinator
