// Runs each example of //examples as a child process and checks its output
// line by line. Where the runtime makes the order of lines depend on
// scheduling (children printing at the same time), those lines are compared
// as a sorted set; everything else must match exactly.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/fixture_server.h"
#include "crawler/testing/test_util.h"

namespace crawler::testing {
namespace {

struct Run {
  int exit_code = -1000;
  std::vector<std::string> lines;  // Stdout, split at newlines.
  std::string err;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Runs examples/<name> with `args`; the Command's destructor kills it if it
// is still running when the test fails.
Run RunExample(const std::string& name,
               const std::vector<std::string>& args = {}) {
  std::vector<std::string> argv = {RunfilePath("examples/" + name)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto cmd = Command::Start(argv);
  REQUIRE_MESSAGE(cmd.ok(), cmd.status().ToString());
  std::optional<int> code = (*cmd)->Wait(60000);
  REQUIRE_MESSAGE(code.has_value(), name << " did not finish in 60 s");
  Run r;
  r.exit_code = *code;
  r.lines = Lines((*cmd)->Stdout());
  r.err = (*cmd)->Stderr();
  return r;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

using Lines_ = std::vector<std::string>;

TEST_CASE("process_function: five processes from a function, joined") {
  Run r = RunExample("process_function");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  REQUIRE(r.lines.size() == 10);
  CHECK(
      Sorted(Lines_(r.lines.begin(), r.lines.begin() + 5)) ==
      Lines_{"Worker: 0", "Worker: 1", "Worker: 2", "Worker: 3", "Worker: 4"});
  CHECK(Lines_(r.lines.begin() + 5, r.lines.end()) ==
        Lines_{"job 0 exited with code 0", "job 1 exited with code 1",
               "job 2 exited with code 2", "job 3 exited with code 3",
               "job 4 exited with code 4"});
}

TEST_CASE("process_subclass: Run() overridden in a Process subclass") {
  Run r = RunExample("process_subclass");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  REQUIRE(r.lines.size() == 10);
  CHECK(Sorted(Lines_(r.lines.begin(), r.lines.begin() + 5)) ==
        Lines_{"In Squarer-0: 0 squared is 0", "In Squarer-1: 1 squared is 1",
               "In Squarer-2: 2 squared is 4", "In Squarer-3: 3 squared is 9",
               "In Squarer-4: 4 squared is 16"});
  CHECK(Lines_(r.lines.begin() + 5, r.lines.end()) ==
        Lines_{"Squarer-0 exited with code 0", "Squarer-1 exited with code 0",
               "Squarer-2 exited with code 0", "Squarer-3 exited with code 0",
               "Squarer-4 exited with code 0"});
}

TEST_CASE("process_methods: is_alive, join timeout, terminate, daemon") {
  Run r = RunExample("process_methods");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.lines ==
        Lines_{
            "name: sleeper",
            "before start: is_alive=no pid=0 exit_code=not started",
            "after start: is_alive=yes, pid() is the child's getpid(): yes",
            "join(100 ms): timed out, is_alive=yes, exit_code=running",
            "after terminate and join: is_alive=no, exit_code=-15 (killed by "
            "signal 15 (Terminated))",
            "quick: exit_code=3 (exited with code 3)",
            "daemon: daemon=yes is_alive=yes",
            "daemon after its Process was destroyed: gone=yes",
        });
}

TEST_CASE("queue_producers: three producers, the parent reads every message") {
  Run r = RunExample("queue_producers");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.lines ==
        Lines_{
            "received 9 messages (sorted here; they arrive interleaved):",
            "producer 0 message 0: item 0",
            "producer 0 message 1: item 1",
            "producer 0 message 2: item 2",
            "producer 1 message 0: item 10",
            "producer 1 message 1: item 11",
            "producer 1 message 2: item 12",
            "producer 2 message 0: item 20",
            "producer 2 message 1: item 21",
            "producer 2 message 2: item 22",
            "each producer's messages arrived in order: yes",
            "queue empty: yes",
        });
}

TEST_CASE("pipe_duplex: parent and child talk both ways over a Pipe") {
  Run r = RunExample("pipe_duplex");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.lines == Lines_{
                       "parent got: hello from the child",
                       "parent sent: ping, child answered: PING",
                       "parent sent: duplex, child answered: DUPLEX",
                       "parent sent: pipe, child answered: PIPE",
                       "child exited with code 3",
                   });
}

TEST_CASE("manager_dict_list: ten processes set d[i] and append i") {
  Run r = RunExample("manager_dict_list");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.lines ==
        Lines_{
            "d = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9}",
            "sorted(l) = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]",
            "manager shut down",
        });
}

TEST_CASE("pool_apply_async: ten tasks on a pool of five, close, join") {
  Run r = RunExample("pool_apply_async");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.lines ==
        Lines_{
            "results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]",
            "tasks run in a worker process: yes",
            "a task that kills its worker: Unavailable: worker killed by "
            "signal 9 (Killed) (pid N) while running the task; gave up after "
            "2 attempts (tag worker-lost)",
            "the pool goes on: square(12) = 144",
            "after close: Closed: task submitted to a closed pool",
            // Five, plus one replacement for each of the two attempts that
            // killed their worker.
            "joined: 7 workers started in all",
        });
}

TEST_CASE("pool_map files: links counted in local HTML files, input order") {
  const std::string dir = RunfilePath("examples/testdata/");
  Run r = RunExample("pool_map",
                     {"files", dir + "index.html", dir + "articles.html",
                      dir + "empty.html", dir + "missing.html"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.lines ==
        Lines_{
            "index.html: \"Example index\", 5 links, 3 followable",
            "articles.html: \"Articles\", 5 links, 4 followable",
            "empty.html: \"No links here\", 0 links, 0 followable",
            "missing.html: \"\", 0 links, 0 followable, error: cannot open " +
                dir + "missing.html",
            "4 files, 7 followable links in all",
        });
}

TEST_CASE("pool_map files: usage errors exit 2") {
  Run r = RunExample("pool_map", {"files"});
  CHECK(r.exit_code == 2);
  CHECK(r.lines.empty());
  CHECK(r.err.find("usage: pool_map files FILE...") != std::string::npos);
  r = RunExample("pool_map", {"pictures", "a.png"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("pool_map urls: fetched by the crawler's fetch stack, loopback") {
  auto server = FixtureServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  const FixtureServer& s = **server;
  Run r = RunExample("pool_map", {"urls", "--allow-private", s.Url("/page/3"),
                                  s.Url("/status/404"), s.Url("/bin"),
                                  "ftp://x/", s.Url("/page/7")});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.lines ==
        Lines_{
            s.Url("/page/3") + ": status 200, \"Page 3\", 5 followable links",
            s.Url("/status/404") + ": status 404, \"\", 0 followable links",
            s.Url("/bin") + ": status 200, \"\", 0 followable links",
            "ftp://x/: status 0, \"\", 0 followable links, error: "
            "unsupported_scheme: ftp://x/: Protocol \"ftp\" not supported or "
            "disabled in libcurl",
            s.Url("/page/7") + ": status 200, \"Page 7\", 5 followable links",
            "5 URLs, 10 followable links in all",
        });
}

TEST_CASE("pool_map urls: loopback is refused without --allow-private") {
  auto server = FixtureServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  const std::string url = (*server)->Url("/page/1");
  Run r = RunExample("pool_map", {"urls", url});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.lines == Lines_{
                       url +
                           ": status 0, \"\", 0 followable links, error: "
                           "blocked_private_address: " +
                           url +
                           ": refusing to connect to non-public address "
                           "127.0.0.1 port " +
                           std::to_string((*server)->port()) +
                           " (loopback 127.0.0.0/8); allow with "
                           "--allow-private or --allow-address",
                       "1 URLs, 0 followable links in all",
                   });
}

}  // namespace
}  // namespace crawler::testing
