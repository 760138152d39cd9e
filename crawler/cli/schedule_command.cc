#include "crawler/cli/schedule_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>

#include "crawler/cli/exit_codes.h"
#include "crawler/cli/run_command.h"
#include "crawler/config/crawl_file.h"
#include "crawler/schedule/cron.h"
#include "crawler/schedule/scheduler.h"

namespace crawler::cli {
namespace {

constexpr char kCronUsage[] =
    R"(Usage: crawler cron CRAWL.yaml [--log FILE] [--cwd DIR] [-- RUN OPTIONS]

Prints the crontab(5) entry that runs `crawler run CRAWL.yaml` on the
schedule of its schedule.cron key, e.g. for `schedule: {cron: "30 2 * * *"}`:

  30 2 * * * cd '/srv/crawl' && '/usr/local/bin/crawler' run '/srv/crawl/site.yaml' >> '/srv/crawl/state/crawl.log' 2>&1

Install it with
  (crontab -l 2>/dev/null; crawler cron CRAWL.yaml) | crontab -

  --log FILE    where the runs append their messages (default:
                schedule.log, else STATE_DIR/crawl.log with a state, else
                CRAWL_FILE_NAME.log), relative to the working directory
  --cwd DIR     the working directory of the runs (default: the current
                one); the file's relative output, state and log paths are
                taken from it, as when you run the file by hand
  -- OPTIONS    crawler run options added to the line (e.g. -- --quiet)
  -h, --help    show this help

Times are in the cron daemon's time zone (usually the system's). Each run
writes its summary to STATE_DIR/last-run.json (with a state) and exits 0
success, 1 failed, 3 too many errors, 4 refused (the previous run still
holds the state), 130/143 interrupted; `crawler runs --state DIR` lists
them.

The log's directory is created if needed (the state directory does not
exist before the first run).

Exit status: 0 printed, 1 the log cannot be written, 2 usage error, an
invalid crawl file, or no schedule.cron in it.
)";

constexpr char kScheduleUsage[] =
    R"(Usage: crawler schedule CRAWL.yaml [--run-now] [--max-runs N] [--log FILE]
                        [-- RUN OPTIONS]

Runs the crawl file on the schedule of its schedule.cron key, in the
foreground, for hosts without cron: `crawler run CRAWL.yaml` is started as
a child process at each time (local time, TZ), one run at a time; times
that pass while a run is going on are skipped, and said so. SIGTERM or
Ctrl-C stops it: at once while it waits; during a run the signal is passed
on, the run stops gracefully (its state kept) and then the scheduler ends.

  --run-now     start the first run at once, then follow the schedule
  --max-runs N  end after N runs, with the last run's exit status
  --log FILE    append the runs' messages to FILE (default: schedule.log,
                else they go to this process's stderr)
  -- OPTIONS    crawler run options for every run (e.g. -- --quiet)
  -h, --help    show this help

Exit status: 0 stopped by SIGTERM/SIGINT; with --max-runs the last run's
exit status; 1 a run could not be started; 2 usage error, an invalid crawl
file, or no schedule.cron in it.
)";

struct Common {
  std::string crawl_file;
  std::string log;                    // --log.
  std::string cwd;                    // --cwd (cron).
  bool run_now = false;               // --run-now (schedule).
  int max_runs = 0;                   // --max-runs (schedule).
  std::vector<std::string> run_args;  // After "--".
  config::CrawlConfig config;
};

std::string AbsolutePath(const std::string& path, const std::string& cwd) {
  if (!path.empty() && path[0] == '/') return path;
  return cwd + "/" + path;
}

std::string CurrentDir() {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof(buf)) == nullptr) return ".";
  return buf;
}

std::string SelfPath() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "crawler";
  return std::string(buf, static_cast<size_t>(n));
}

// Parses the common arguments and loads the crawl file; on failure prints
// the error and returns the exit code.
std::optional<int> Prepare(const char* cmd, const char* usage,
                           const std::vector<std::string>& args, bool is_cron,
                           std::FILE* out, std::FILE* err, Common* c) {
  auto bad = [&](const std::string& m) {
    std::fprintf(err, "crawler: %s: %s (crawler %s --help)\n", cmd, m.c_str(),
                 cmd);
    return kExitUsage;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      c->run_args.assign(args.begin() + i + 1, args.end());
      break;
    }
    if (a == "-h" || a == "--help") {
      std::fputs(usage, out);
      return kExitOk;
    }
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size() || args[i + 1].empty()) return std::nullopt;
      return args[++i];
    };
    if (a == "--log" || (is_cron && a == "--cwd")) {
      std::optional<std::string> v = value();
      if (!v) return bad(a + " needs a value");
      (a == "--log" ? c->log : c->cwd) = *v;
    } else if (!is_cron && a == "--run-now") {
      c->run_now = true;
    } else if (!is_cron && a == "--max-runs") {
      std::optional<std::string> v = value();
      char* end = nullptr;
      const long n = v ? std::strtol(v->c_str(), &end, 10) : 0;
      if (!v || *end != '\0' || n < 1 || n > 1000000) {
        return bad("--max-runs expects a whole number from 1 to 1000000");
      }
      c->max_runs = static_cast<int>(n);
    } else if (a.size() > 1 && a[0] == '-') {
      return bad("unknown option '" + a + "'");
    } else if (c->crawl_file.empty()) {
      c->crawl_file = a;
    } else {
      return bad("unexpected argument '" + a +
                 "' (one crawl file; crawler run options go after --)");
    }
  }
  if (c->crawl_file.empty()) return bad("expected a crawl file");
  config::LoadedCrawlFile file =
      config::LoadCrawlFile(c->crawl_file, DefaultCrawlConfig());
  if (!file.ok()) {
    for (const config::ConfigError& e : file.errors) {
      std::fprintf(err, "%s\n", e.ToString().c_str());
    }
    std::fprintf(err,
                 "crawler: %s: %s has %zu error%s (crawler validate %s "
                 "checks it)\n",
                 cmd, c->crawl_file.c_str(), file.errors.size(),
                 file.errors.size() == 1 ? "" : "s", c->crawl_file.c_str());
    return kExitUsage;
  }
  c->config = std::move(file.config);
  if (c->config.schedule_cron.empty()) {
    std::fprintf(err,
                 "crawler: %s: %s has no schedule.cron: add the times to run "
                 "it, in cron syntax, e.g.\n  schedule:\n    cron: \"30 2 * * "
                 "*\"   # every night at 02:30\n",
                 cmd, c->crawl_file.c_str());
    return kExitUsage;
  }
  if (c->log.empty()) c->log = c->config.schedule_log;
  return std::nullopt;
}

// The crawl file's name without directories and extension ("site" for
// conf/site.yaml).
std::string BaseName(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  const size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name.empty() ? "crawl" : name;
}

// Creates the directories above `path` that do not exist yet.
Status MakeParentDirs(const std::string& path) {
  for (size_t at = path.find('/', 1); at != std::string::npos;
       at = path.find('/', at + 1)) {
    const std::string dir = path.substr(0, at);
    if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
      return InternalError("creating " + dir + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

// --- crawler schedule: the real host -------------------------------------

volatile sig_atomic_t g_signals = 0;

void OnStopSignal(int) { g_signals = g_signals + 1; }

class ProcessHost : public schedule::ScheduleHost {
 public:
  ProcessHost(std::string self, std::vector<std::string> argv, std::string log,
              std::FILE* err)
      : self_(std::move(self)),
        argv_(std::move(argv)),
        log_(std::move(log)),
        err_(err) {}

  int64_t NowUnixSeconds() override {
    return static_cast<int64_t>(std::time(nullptr));
  }

  bool SleepUntil(int64_t unix_s) override {
    while (g_signals == 0) {
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      if (now.tv_sec >= unix_s) return true;
      // At most a second at a time: the wall clock may be set meanwhile.
      const int64_t left_ns =
          (unix_s - now.tv_sec) * 1000000000LL - now.tv_nsec;
      struct timespec d;
      d.tv_sec = 0;
      d.tv_nsec = static_cast<long>(std::min<int64_t>(left_ns, 999999999));
      if (left_ns >= 1000000000LL) {
        d.tv_sec = 1;
        d.tv_nsec = 0;
      }
      nanosleep(&d, nullptr);  // EINTR: the loop looks at g_signals.
    }
    return false;
  }

  int RunOnce(int64_t) override {
    int log_fd = -1;
    if (!log_.empty()) {
      log_fd =
          open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (log_fd < 0) {
        Log("cannot open the log " + log_ + ": " + std::strerror(errno));
        return kExitFailure;
      }
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(self_.c_str()));
    for (std::string& a : argv_) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
      Log(std::string("cannot start a run: fork: ") + std::strerror(errno));
      if (log_fd >= 0) close(log_fd);
      return kExitFailure;
    }
    if (pid == 0) {
      // Its own process group: a Ctrl-C at the terminal reaches only the
      // scheduler, which passes one signal on.
      setpgid(0, 0);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigaction(SIGTERM, &dfl, nullptr);
      sigaction(SIGINT, &dfl, nullptr);
      const int null_fd = open("/dev/null", O_RDONLY);
      if (null_fd >= 0) dup2(null_fd, 0);
      if (log_fd >= 0) {
        dup2(log_fd, 1);
        dup2(log_fd, 2);
      }
      execv(self_.c_str(), argv.data());
      std::fprintf(stderr, "crawler: schedule: cannot run %s: %s\n",
                   self_.c_str(), std::strerror(errno));
      _exit(127);
    }
    if (log_fd >= 0) close(log_fd);
    int forwarded = 0;
    int status = 0;
    while (true) {
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid) break;
      if (r < 0 && errno != EINTR) {
        Log(std::string("waiting for the run: ") + std::strerror(errno));
        return kExitFailure;
      }
      const int signals = g_signals;
      if (signals > forwarded) {
        // The first signal asks the run to stop gracefully; a second one
        // stops it at once (the crawl's own rule for a second Ctrl-C).
        kill(pid, SIGTERM);
        if (forwarded == 0) {
          Log("stopping the run in progress (pid " + std::to_string(pid) +
              ") gracefully; its state is kept");
        }
        forwarded = signals;
      }
      struct timespec d = {0, 50 * 1000 * 1000};
      nanosleep(&d, nullptr);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return kExitSignalBase + WTERMSIG(status);
    return kExitFailure;
  }

  bool StopRequested() override { return g_signals != 0; }

  void Log(const std::string& line) override {
    const time_t now = std::time(nullptr);
    struct tm tm {};
    localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    std::fprintf(err_, "crawler: schedule: %s %s\n", stamp, line.c_str());
    std::fflush(err_);
  }

 private:
  std::string self_;
  std::vector<std::string> argv_;
  std::string log_;
  std::FILE* err_;
};

}  // namespace

std::string CrontabQuote(const std::string& word) {
  // Plain words stay as they are, to keep the line readable.
  if (!word.empty() &&
      word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                             "WXYZ0123456789_./:=@+,-") == std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (char ch : word) {
    if (ch == '\'') {
      out += "'\\''";
    } else if (ch == '%') {
      out += "\\%";
    } else {
      out += ch;
    }
  }
  return out + "'";
}

int RunCronCommand(const std::vector<std::string>& args, std::FILE* out,
                   std::FILE* err, const std::string& self) {
  Common c;
  if (std::optional<int> done =
          Prepare("cron", kCronUsage, args, /*is_cron=*/true, out, err, &c)) {
    return *done;
  }
  const std::string here = CurrentDir();
  const std::string cwd = c.cwd.empty() ? here : AbsolutePath(c.cwd, here);
  struct stat st;
  if (stat(cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(err, "crawler: cron: --cwd %s is not a directory\n",
                 cwd.c_str());
    return kExitUsage;
  }
  std::string log = c.log;
  if (log.empty()) {
    log = c.config.state.empty() ? BaseName(c.crawl_file) + ".log"
                                 : c.config.state + "/crawl.log";
  }
  const std::string binary = self.empty() ? SelfPath() : self;
  std::vector<std::string> words = {binary, "run",
                                    AbsolutePath(c.crawl_file, here)};
  words.insert(words.end(), c.run_args.begin(), c.run_args.end());
  words.push_back(AbsolutePath(log, cwd));
  for (const std::string& w : words) {
    if (w.find_first_of("\n\r") != std::string::npos) {
      std::fprintf(err,
                   "crawler: cron: '%s' holds a line break, which a crontab "
                   "line cannot\n",
                   w.c_str());
      return kExitUsage;
    }
  }
  // The shell opens the log before the crawl starts: its directory (the
  // state directory, say, before the first run made it) must exist, and
  // the file must be writable. Checked now rather than at 2 a.m.
  const std::string log_path = words.back();
  Status made = MakeParentDirs(log_path);
  const int log_fd =
      made.ok() ? open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644)
                : -1;
  if (log_fd < 0) {
    std::fprintf(err, "crawler: cron: cannot write the log %s: %s\n",
                 log_path.c_str(),
                 made.ok() ? std::strerror(errno) : made.message().c_str());
    return kExitFailure;
  }
  close(log_fd);
  std::string command = "cd " + CrontabQuote(cwd) + " &&";
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    command += " " + CrontabQuote(words[i]);
  }
  command += " >> " + CrontabQuote(words.back()) + " 2>&1";
  if (binary.find("/bazel-out/") != std::string::npos ||
      binary.find("/_bazel_") != std::string::npos) {
    std::fprintf(err,
                 "crawler: cron: note: %s is inside a Bazel output tree, "
                 "which the next build or `bazel clean` may replace; copy "
                 "the binary somewhere stable (e.g. /usr/local/bin) and run "
                 "`crawler cron` from there\n",
                 binary.c_str());
  }
  std::fprintf(out,
               "# crawler: %s on schedule.cron \"%s\" (the cron daemon's "
               "time zone); messages to %s\n",
               c.crawl_file.c_str(), c.config.schedule_cron.c_str(),
               AbsolutePath(log, cwd).c_str());
  StatusOr<schedule::CronExpression> cron =
      schedule::CronExpression::Parse(c.config.schedule_cron);
  if (!cron.ok()) {  // The loader checked it already.
    std::fprintf(err, "crawler: cron: schedule.cron: %s\n",
                 cron.status().message().c_str());
    return kExitUsage;
  }
  std::unique_ptr<schedule::TimeZone> zone = schedule::LocalTimeZone();
  std::optional<int64_t> next =
      cron->Next(static_cast<int64_t>(std::time(nullptr)), *zone);
  if (next) {
    std::fprintf(out, "# next run: %s (this machine's time zone)\n",
                 schedule::FormatLocalTime(*next, *zone).c_str());
  }
  std::fprintf(out, "%s %s\n", cron->fields().c_str(), command.c_str());
  return kExitOk;
}

int RunScheduleCommand(const std::vector<std::string>& args, std::FILE* out,
                       std::FILE* err) {
  Common c;
  if (std::optional<int> done = Prepare("schedule", kScheduleUsage, args,
                                        /*is_cron=*/false, out, err, &c)) {
    return *done;
  }
  StatusOr<schedule::CronExpression> cron =
      schedule::CronExpression::Parse(c.config.schedule_cron);
  if (!cron.ok()) {
    std::fprintf(err, "crawler: schedule: schedule.cron: %s\n",
                 cron.status().message().c_str());
    return kExitUsage;
  }
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // No SA_RESTART: sleeps end early on a signal.
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  std::vector<std::string> argv = {"run", c.crawl_file};
  argv.insert(argv.end(), c.run_args.begin(), c.run_args.end());
  ProcessHost host(SelfPath(), argv, c.log, err);
  std::unique_ptr<schedule::TimeZone> zone = schedule::LocalTimeZone();
  host.Log("running " + c.crawl_file + " on \"" + cron->text() + "\"" +
           (c.log.empty() ? std::string() : ", messages to " + c.log));
  schedule::SchedulerOptions options;
  options.run_now = c.run_now;
  options.max_runs = c.max_runs;
  StatusOr<schedule::ScheduleResult> result =
      schedule::RunSchedule(*cron, *zone, options, host);
  if (!result.ok()) {
    host.Log(result.status().message());
    return kExitFailure;
  }
  if (result->stopped) return kExitOk;
  return result->last_exit_code;
}

}  // namespace crawler::cli
