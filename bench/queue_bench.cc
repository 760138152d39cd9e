// queue_bench: throughput of crawler::mp::Queue between two processes, beside
// a raw pipe(2) measured in the same run.
//
// For each message size (64 B and 64 KiB), a forked child produces a fixed
// number of messages and the parent consumes them:
//   queue: child Put()s each message, parent Get()s it into a reused string;
//          the child Close()s the queue at the end, the parent stops at Closed.
//   pipe:  child write()s each message with one write(2) call (looping only on
//          a short write), parent read()s exactly the message size per message
//          (looping until the whole message is in).
// Every message carries its sequence number in its first 8 bytes; the parent
// checks order and count, so a broken transport cannot produce a fast figure.
// The clock starts just before fork() and stops when the parent has consumed
// the last message and reaped the child.
//
// Usage: queue_bench [--small_count=N] [--large_count=N] [--rounds=N] [--pin]
//   --pin: pin the producer to CPU 0 and the consumer to CPU 1.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/mp/queue.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Config {
  int64_t small_count = 6'000'000;
  int64_t large_count = 100'000;
  int rounds = 1;
  bool pin = false;
};

struct Result {
  double seconds = 0;
  int64_t messages = 0;
  size_t size = 0;
  double MessagesPerSecond() const { return messages / seconds; }
  double MegabytesPerSecond() const { return messages * size / seconds / 1e6; }
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "queue_bench: %s\n", what.c_str());
  std::exit(1);
}

void PinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    Die(std::string("sched_setaffinity: ") + std::strerror(errno));
  }
}

// Restores the parent's affinity after a pinned run.
void Unpin(const cpu_set_t& saved) {
  sched_setaffinity(0, sizeof saved, &saved);
}

std::string MakeMessage(size_t size) {
  std::string message(size, '\0');
  for (size_t i = 0; i < size; ++i)
    message[i] = static_cast<char>('a' + i % 26);
  return message;
}

void Stamp(std::string* message, uint64_t seq) {
  std::memcpy(message->data(), &seq, sizeof seq);
}

uint64_t ReadStamp(const char* data) {
  uint64_t seq;
  std::memcpy(&seq, data, sizeof seq);
  return seq;
}

void ReapChild(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) Die(std::string("waitpid: ") + std::strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Die("producer failed (wait status " + std::to_string(status) + ")");
  }
}

Result RunQueue(const Config& config, size_t size, int64_t count) {
  auto created = crawler::mp::Queue::Create();
  if (!created.ok()) Die("Queue::Create: " + created.status().ToString());
  crawler::mp::Queue& queue = **created;
  std::string message = MakeMessage(size);
  cpu_set_t saved;
  sched_getaffinity(0, sizeof saved, &saved);

  const Clock::time_point start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) Die(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (config.pin) PinTo(0);
    for (int64_t i = 0; i < count; ++i) {
      Stamp(&message, static_cast<uint64_t>(i));
      crawler::Status status = queue.Put(message);
      if (!status.ok()) {
        std::fprintf(stderr, "Put: %s\n", status.ToString().c_str());
        _exit(2);
      }
    }
    queue.Close();
    _exit(0);
  }
  if (config.pin) PinTo(1);
  std::string received;
  int64_t got = 0;
  while (true) {
    crawler::Status status = queue.Get(&received);
    if (!status.ok()) {
      if (status.code() == crawler::Code::kClosed) break;
      Die("Get: " + status.ToString());
    }
    if (received.size() != size ||
        ReadStamp(received.data()) != uint64_t(got)) {
      Die("queue: message " + std::to_string(got) + " out of order or resized");
    }
    ++got;
  }
  ReapChild(pid);
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (config.pin) Unpin(saved);
  if (got != count) {
    Die("queue: got " + std::to_string(got) + " of " + std::to_string(count));
  }
  return Result{seconds, count, size};
}

Result RunPipe(const Config& config, size_t size, int64_t count) {
  int fds[2];
  if (pipe(fds) != 0) Die(std::string("pipe: ") + std::strerror(errno));
  std::string message = MakeMessage(size);
  cpu_set_t saved;
  sched_getaffinity(0, sizeof saved, &saved);

  const Clock::time_point start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) Die(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    if (config.pin) PinTo(0);
    for (int64_t i = 0; i < count; ++i) {
      Stamp(&message, static_cast<uint64_t>(i));
      size_t done = 0;
      while (done < size) {  // One write(2) per message unless it is short.
        ssize_t n = write(fds[1], message.data() + done, size - done);
        if (n < 0) {
          if (errno == EINTR) continue;
          _exit(2);
        }
        done += static_cast<size_t>(n);
      }
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  if (config.pin) PinTo(1);
  std::vector<char> buffer(size);
  int64_t got = 0;
  bool eof = false;
  while (!eof) {
    size_t done = 0;
    while (done < size) {  // Exactly one message's bytes.
      ssize_t n = read(fds[0], buffer.data() + done, size - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        Die(std::string("read: ") + std::strerror(errno));
      }
      if (n == 0) {
        eof = true;
        break;
      }
      done += static_cast<size_t>(n);
    }
    if (eof) {
      if (done != 0) Die("pipe: truncated message at end");
      break;
    }
    if (ReadStamp(buffer.data()) != uint64_t(got)) {
      Die("pipe: message " + std::to_string(got) + " out of order");
    }
    ++got;
  }
  close(fds[0]);
  ReapChild(pid);
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (config.pin) Unpin(saved);
  if (got != count) {
    Die("pipe: got " + std::to_string(got) + " of " + std::to_string(count));
  }
  return Result{seconds, count, size};
}

void PrintRow(const char* transport, const Result& r) {
  std::printf("%-6s %8zu %10lld %8.3f %14.0f %10.1f\n", transport, r.size,
              static_cast<long long>(r.messages), r.seconds,
              r.MessagesPerSecond(), r.MegabytesPerSecond());
}

bool ParseFlag(const char* arg, const char* name, int64_t* value) {
  const size_t len = std::strlen(name);
  if (std::strncmp(arg, name, len) != 0 || arg[len] != '=') return false;
  char* end = nullptr;
  *value = std::strtoll(arg + len + 1, &end, 10);
  if (*end != '\0' || *value <= 0) Die(std::string("bad value in ") + arg);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    int64_t rounds = 0;
    if (ParseFlag(argv[i], "--small_count", &config.small_count) ||
        ParseFlag(argv[i], "--large_count", &config.large_count)) {
      continue;
    }
    if (ParseFlag(argv[i], "--rounds", &rounds)) {
      config.rounds = static_cast<int>(rounds);
    } else if (std::strcmp(argv[i], "--pin") == 0) {
      config.pin = true;
    } else {
      std::fprintf(stderr,
                   "usage: queue_bench [--small_count=N] [--large_count=N] "
                   "[--rounds=N] [--pin]\n");
      return 2;
    }
  }
  std::printf("queue_bench: producer = forked child, consumer = parent, %s\n",
              config.pin ? "pinned to CPU 0 / CPU 1" : "not pinned");
  const size_t kSmall = 64;
  const size_t kLarge = 64 * 1024;
  struct Case {
    size_t size;
    int64_t count;
  };
  const Case cases[] = {{kSmall, config.small_count},
                        {kLarge, config.large_count}};
  std::vector<std::string> summary;
  for (int round = 1; round <= config.rounds; ++round) {
    std::printf("\nround %d\n%-6s %8s %10s %8s %14s %10s\n", round, "kind",
                "bytes", "messages", "seconds", "messages/s", "MB/s");
    for (const Case& c : cases) {
      // Pipe first, then queue, so neither always runs on a warmer machine.
      Result pipe = RunPipe(config, c.size, c.count);
      PrintRow("pipe", pipe);
      Result queue = RunQueue(config, c.size, c.count);
      PrintRow("queue", queue);
      const double ratio = queue.MessagesPerSecond() / pipe.MessagesPerSecond();
      char line[256];
      if (c.size == kSmall) {
        std::snprintf(line, sizeof line,
                      "round %d  %6zu B: queue/pipe = %.2f  (target >= 0.50: "
                      "%s)",
                      round, c.size, ratio, ratio >= 0.5 ? "MET" : "MISSED");
      } else {
        const double gbps = queue.MegabytesPerSecond() / 1000;
        std::snprintf(line, sizeof line,
                      "round %d  %6zu B: queue/pipe = %.2f  queue %.2f GB/s "
                      "(target >= 1 GB/s: %s)",
                      round, c.size, ratio, gbps,
                      gbps >= 1.0 ? "MET" : "MISSED");
      }
      std::printf("%s\n", line);
      summary.push_back(line);
    }
  }
  std::printf("\nsummary (MB = 10^6 bytes, GB = 10^9 bytes)\n");
  for (const std::string& line : summary) std::printf("%s\n", line.c_str());
  return 0;
}
