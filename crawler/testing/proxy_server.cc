#include "crawler/testing/proxy_server.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <utility>

namespace crawler::testing {

StatusOr<std::unique_ptr<ProxyServer>> ProxyServer::Start(
    const ProxyServerOptions& options) {
  static std::atomic<int> serial{0};
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string log = std::string(tmp != nullptr ? tmp : "/tmp") +
                    "/proxy_server_" + std::to_string(getpid()) + "_" +
                    std::to_string(++serial) + ".jsonl";
  std::remove(log.c_str());
  std::vector<std::string> argv = {
      "/usr/bin/python3", "-u", RunfilePath("tests/testdata/proxy_server.py"),
      "--log", log};
  if (!options.credentials.empty()) {
    argv.push_back("--auth");
    argv.push_back(options.credentials);
  }
  for (const std::string& m : options.map) {
    argv.push_back("--map");
    argv.push_back(m);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Command> command, Command::Start(argv));
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = command->Stdout();
    if (out.rfind("READY ", 0) == 0 && out.find('\n') != std::string::npos) {
      const int port = std::atoi(out.c_str() + 6);
      if (port > 0 && port < 65536) {
        return std::unique_ptr<ProxyServer>(
            new ProxyServer(std::move(command), std::move(log), port));
      }
      return UnavailableError("proxy server: expected \"READY <port>\", got " +
                              out);
    }
    if (command->Wait(0).has_value()) {
      return UnavailableError("proxy server exited: " + command->Stderr());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return DeadlineExceededError("proxy server: no READY line within 10 s");
}

ProxyServer::~ProxyServer() {
  command_.reset();
  std::remove(log_.c_str());
}

std::string ProxyServer::Url(std::string_view scheme) const {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
}

std::vector<std::string> ProxyServer::LogLines() const {
  std::vector<std::string> out;
  std::ifstream in(log_);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace crawler::testing
