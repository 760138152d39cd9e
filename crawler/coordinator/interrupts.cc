#include "crawler/coordinator/interrupts.h"

#include <csignal>

namespace crawler::coordinator {
namespace {

volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_count = 0;

void OnSignal(int signo) {
  g_signal = signo;
  g_count = g_count + 1;
}

}  // namespace

Interrupts::Interrupts() {
  g_signal = 0;
  g_count = 0;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

Interrupts::~Interrupts() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

int Interrupts::signal() const { return g_signal; }
int Interrupts::count() const { return g_count; }

}  // namespace crawler::coordinator
