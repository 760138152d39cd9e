// libfake_dns.so: a test-only getaddrinfo() shim for the DNS rows of the
// fault matrix (N4, S3), loaded into the crawler with LD_PRELOAD so that no
// test depends on real DNS. libcurl's threaded resolver calls getaddrinfo()
// through the dynamic linker, so the definition here wins over glibc's.
//
// Names under .dns.test (case-insensitive; a trailing dot is ignored) get a
// fixed answer; every other name goes to the real getaddrinfo():
//   nx.dns.test        EAI_NONAME (NXDOMAIN)
//   tempfail.dns.test  EAI_AGAIN (SERVFAIL, a resolver timeout)
//   slow.dns.test      sleeps FAKE_DNS_SLOW_MS milliseconds (default 5000),
//                      then 127.0.0.1
//   ok.dns.test        127.0.0.1
//   denied.dns.test    127.0.0.2 only
//   rebind.dns.test    127.0.0.1 on the first lookup, 127.0.0.2 on every
//                      later one (counted in the FAKE_DNS_LOG file, so across
//                      processes: each crawler worker is a process of its
//                      own; counted per process without a log)
//   two.dns.test       two A records: 127.0.0.2 first, then 127.0.0.1
//   any other name     EAI_NONAME
// Each lookup of the zone is appended to the file named by FAKE_DNS_LOG (when
// set) as one line "<name> <answer> <ms>": the answer is an address list such
// as "127.0.0.2,127.0.0.1", or "EAI_NONAME" or "EAI_AGAIN"; <ms> is the wall
// clock in milliseconds since the Unix epoch when the lookup began. Tests
// count lookups and measure the time between them.
//
// Addresses are built by the real getaddrinfo() (numeric, with the caller's
// service and hints), so glibc's freeaddrinfo() frees them; for two records
// two such lists are chained, which glibc frees node by node.
//
// Under AddressSanitizer a preloaded library comes before the ASan runtime
// in the library list: run the crawler with verify_asan_link_order=0 in
// ASAN_OPTIONS.
#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using GetaddrinfoFn = int (*)(const char*, const char*, const struct addrinfo*,
                              struct addrinfo**);

constexpr char kZone[] = ".dns.test";
constexpr char kRebind[] = "rebind.dns.test";

GetaddrinfoFn RealGetaddrinfo() {
  static std::atomic<GetaddrinfoFn> real{nullptr};
  GetaddrinfoFn f = real.load();
  if (f == nullptr) {
    f = reinterpret_cast<GetaddrinfoFn>(dlsym(RTLD_NEXT, "getaddrinfo"));
    real.store(f);
  }
  return f;
}

// `name` without a trailing dot, lower case, into `out` (size `size`); false
// when it does not fit.
bool Canonical(const char* name, char* out, size_t size) {
  size_t n = std::strlen(name);
  if (n > 0 && name[n - 1] == '.') --n;
  if (n + 1 > size) return false;
  for (size_t i = 0; i < n; ++i) {
    const char c = name[i];
    out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  out[n] = '\0';
  return true;
}

bool InZone(const char* name) {
  const size_t n = std::strlen(name);
  const size_t z = sizeof(kZone) - 1;
  return n > z && std::strcmp(name + n - z, kZone) == 0;
}

// Writes all of `data` to `fd`, retrying short writes.
void WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t w = write(fd, data, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    data += w;
    len -= static_cast<size_t>(w);
  }
}

// Lines of the open log `fd` that start with "<name> ".
int CountLookups(int fd, const char* name) {
  const size_t n = std::strlen(name);
  int count = 0;
  bool line_start = true;
  size_t matched = 0;  // Characters of "<name> " matched at this line start.
  char buf[4096];
  off_t offset = 0;
  for (;;) {
    const ssize_t r = pread(fd, buf, sizeof buf, offset);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    offset += r;
    for (ssize_t i = 0; i < r; ++i) {
      const char c = buf[i];
      if (c == '\n') {
        line_start = true;
        matched = 0;
        continue;
      }
      if (!line_start) continue;
      const char want = matched < n ? name[matched] : ' ';
      if (c == want) {
        if (++matched == n + 1) {
          ++count;
          line_start = false;
        }
      } else {
        line_start = false;
      }
    }
  }
  return count;
}

// Logs one lookup of `name`: counts the earlier lookups of `name` in the
// FAKE_DNS_LOG file, calls `answer_for(count)` for the answer's text and
// appends "<name> <text> <ms>", all under an exclusive lock so that concurrent
// processes count in turn. Without a log the count is per process.
template <typename AnswerFor>
void LogLookup(const char* name, AnswerFor answer_for) {
  const char* path = std::getenv("FAKE_DNS_LOG");
  if (path == nullptr || *path == '\0') {
    static std::atomic<int> per_process{0};
    answer_for(per_process.fetch_add(1));
    return;
  }
  const int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    answer_for(0);
    return;
  }
  while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  const int before = CountLookups(fd, name);
  const char* answer = answer_for(before);
  char line[512];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  const long long ms =
      static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
  const int len =
      std::snprintf(line, sizeof line, "%s %s %lld\n", name, answer, ms);
  if (len > 0) {
    WriteAll(fd, line,
             static_cast<size_t>(len) < sizeof line ? static_cast<size_t>(len)
                                                    : sizeof line - 1);
  }
  flock(fd, LOCK_UN);
  close(fd);
}

void SleepMs(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

long SlowMs() {
  const char* v = std::getenv("FAKE_DNS_SLOW_MS");
  if (v == nullptr || *v == '\0') return 5000;
  char* end = nullptr;
  const long ms = std::strtol(v, &end, 10);
  return (end != v && ms >= 0) ? ms : 5000;
}

// The numeric answer for `address` with the caller's service and hints, from
// the real getaddrinfo().
int Numeric(const char* address, const char* service,
            const struct addrinfo* hints, struct addrinfo** res) {
  struct addrinfo h;
  std::memset(&h, 0, sizeof h);
  if (hints != nullptr) {
    h.ai_socktype = hints->ai_socktype;
    h.ai_protocol = hints->ai_protocol;
    h.ai_flags = hints->ai_flags & AI_NUMERICSERV;
    // An IPv6-only query gets no IPv4 answer, as from a real resolver.
    if (hints->ai_family == AF_INET6) return EAI_NONAME;
  }
  h.ai_family = AF_INET;
  h.ai_flags |= AI_NUMERICHOST;
  return RealGetaddrinfo()(address, service, &h, res);
}

// The answers for the names of the zone (addresses in order, or an error).
struct Answer {
  const char* first = nullptr;   // An address, or null for an error.
  const char* second = nullptr;  // A second address, or null.
  int error = 0;                 // EAI_* when `first` is null.
};

Answer Lookup(const char* name) {
  Answer a;
  if (std::strcmp(name, "ok.dns.test") == 0) {
    a.first = "127.0.0.1";
  } else if (std::strcmp(name, "slow.dns.test") == 0) {
    a.first = "127.0.0.1";  // After a sleep.
  } else if (std::strcmp(name, kRebind) == 0) {
    a.first = "127.0.0.1";  // Decided by LogLookup().
  } else if (std::strcmp(name, "denied.dns.test") == 0) {
    a.first = "127.0.0.2";
  } else if (std::strcmp(name, "two.dns.test") == 0) {
    a.first = "127.0.0.2";
    a.second = "127.0.0.1";
  } else if (std::strcmp(name, "tempfail.dns.test") == 0) {
    a.error = EAI_AGAIN;
  } else {
    a.error = EAI_NONAME;  // nx.dns.test and every other name of the zone.
  }
  return a;
}

const char* TextOf(const Answer& a) {
  if (a.first == nullptr) {
    return a.error == EAI_AGAIN ? "EAI_AGAIN" : "EAI_NONAME";
  }
  if (a.second == nullptr) return a.first;
  return std::strcmp(a.first, "127.0.0.2") == 0 ? "127.0.0.2,127.0.0.1"
                                                : "127.0.0.1,127.0.0.2";
}

}  // namespace

extern "C" int getaddrinfo(const char* node, const char* service,
                           const struct addrinfo* hints,
                           struct addrinfo** res) {
  char name[256];
  if (node == nullptr || !Canonical(node, name, sizeof name) || !InZone(name)) {
    GetaddrinfoFn real = RealGetaddrinfo();
    if (real == nullptr) return EAI_SYSTEM;
    return real(node, service, hints, res);
  }
  Answer a = Lookup(name);
  LogLookup(name, [&a, &name](int before) {
    if (std::strcmp(name, kRebind) == 0) {
      a.first = before == 0 ? "127.0.0.1" : "127.0.0.2";
    }
    return TextOf(a);
  });
  // Logged first: a worker may exit (or give up) before the answer comes.
  if (std::strcmp(name, "slow.dns.test") == 0) SleepMs(SlowMs());
  if (a.first == nullptr) return a.error;
  struct addrinfo* head = nullptr;
  int rc = Numeric(a.first, service, hints, &head);
  if (rc != 0) return rc;
  if (a.second != nullptr) {
    struct addrinfo* tail = nullptr;
    rc = Numeric(a.second, service, hints, &tail);
    if (rc != 0) {
      freeaddrinfo(head);
      return rc;
    }
    struct addrinfo* last = head;
    while (last->ai_next != nullptr) last = last->ai_next;
    last->ai_next = tail;
  }
  *res = head;
  return 0;
}
