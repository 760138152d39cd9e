// `crawler crawl --sitemaps`: the sitemaps robots.txt lists seed the crawl.
// A static site in a temporary directory, served by python3 -m http.server
// on 127.0.0.1: pages reachable only through a sitemap index, a gzipped
// child sitemap and a plain one.
#include <sys/stat.h>
#include <zlib.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "crawler/testing/command.h"
#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using nlohmann::json;
using namespace std::chrono_literals;

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(compressBound(data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = data.size();
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = out.size();
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Page(const std::string& title) {
  return "<!DOCTYPE html><html><head><title>" + title +
         "</title></head><body><p>no links</p></body></html>";
}

TEST_CASE(
    "crawl --sitemaps: index, gzip and text sitemaps from robots.txt seed the "
    "crawl") {
  const std::string root = crawler::testing::TempDir() + "/sitemap_site";
  mkdir(root.c_str(), 0755);
  mkdir((root + "/orphans").c_str(), 0755);
  mkdir((root + "/private").c_str(), 0755);
  // A free port for the server.
  auto probe =
      Command::Start({"/usr/bin/env", "python3", "-c",
                      "import socket;s=socket.socket();s.bind(('127.0.0.1',0));"
                      "print(s.getsockname()[1])"});
  REQUIRE(probe.ok());
  REQUIRE((*probe)->Wait(10000) == 0);
  const std::string port =
      (*probe)->Stdout().substr(0, (*probe)->Stdout().find('\n'));
  const std::string base = "http://127.0.0.1:" + port;

  WriteFile(root + "/index.html", Page("Home"));
  for (int i = 0; i < 5; ++i) {
    WriteFile(root + "/orphans/" + std::to_string(i) + ".html",
              Page("Orphan " + std::to_string(i)));
  }
  WriteFile(root + "/private/secret.html", Page("Secret"));
  WriteFile(root + "/robots.txt",
            "User-agent: *\nDisallow: /private/\n\nSitemap: " + base +
                "/sitemap-index.xml\n");
  WriteFile(
      root + "/sitemap-index.xml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
      "  <sitemap><loc>" +
          base +
          "/sitemap-a.xml.gz</loc></sitemap>\n"
          "  <sitemap><loc>" +
          base +
          "/sitemap-b.txt</loc></sitemap>\n"
          "  <sitemap><loc>" +
          base +
          "/sitemap-index.xml</loc></sitemap>\n"
          "</sitemapindex>\n");
  WriteFile(
      root + "/sitemap-a.xml.gz",
      Gzip("<?xml version=\"1.0\"?>\n<urlset xmlns=\"http://www.sitemaps.org/"
           "schemas/sitemap/0.9\">\n"
           "<url><loc>" +
           base +
           "/orphans/0.html</loc></url>\n"
           "<url><loc> " +
           base +
           "/orphans/1.html </loc></url>\n"
           "<url><loc>" +
           base +
           "/private/secret.html</loc></url>\n"
           "<url><loc>http://elsewhere.invalid/x.html</loc></url>\n"
           "</urlset>\n"));
  WriteFile(root + "/sitemap-b.txt",
            base + "/orphans/2.html\r\n\r\n" + base + "/orphans/3.html\n");

  auto server =
      Command::Start({"/usr/bin/env", "python3", "-m", "http.server", port,
                      "--bind", "127.0.0.1", "--directory", root});
  REQUIRE(server.ok());
  // Wait until it answers.
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    auto c =
        Command::Start({crawler::testing::RunfilePath("crawler/cli/crawler"),
                        "fetch", "--allow-private", base + "/robots.txt"});
    REQUIRE(c.ok());
    (*c)->Wait(5000);
    up = (*c)->Stdout().find("\"status\":200") != std::string::npos;
    if (!up) std::this_thread::sleep_for(50ms);
  }
  REQUIRE(up);

  auto crawl =
      Command::Start({crawler::testing::RunfilePath("crawler/cli/crawler"),
                      "crawl", "--allow-private", "--sitemaps", "--delay", "0",
                      "--per-host", "4", base + "/"});
  REQUIRE(crawl.ok());
  REQUIRE((*crawl)->Wait(30000) == 0);
  std::set<std::string> fetched;
  std::istringstream lines((*crawl)->Stdout());
  std::string line;
  std::map<std::string, json> by_url;
  while (std::getline(lines, line)) {
    json r = json::parse(line);
    if (r["error"].is_string() &&
        r["error"].get<std::string>().rfind("blocked_by_robots:", 0) == 0) {
      // Listed by a sitemap, disallowed by robots.txt: recorded, not fetched.
      CHECK(r["url"] == base + "/private/secret.html");
      CHECK(r["status"].is_null());
      continue;
    }
    CHECK_MESSAGE(fetched.insert(r["url"]).second, "twice: " << r["url"]);
    by_url[r["url"]] = r;
  }
  const std::set<std::string> expected = {
      base + "/", base + "/orphans/0.html", base + "/orphans/1.html",
      base + "/orphans/2.html", base + "/orphans/3.html"};
  CHECK(fetched == expected);  // Not /orphans/4 (in no sitemap), not /private/.
  CHECK(by_url[base + "/orphans/2.html"]["title"] == "Orphan 2");
  CHECK(by_url[base + "/orphans/2.html"]["referrer"] ==
        base + "/sitemap-b.txt");
  const std::string err = (*crawl)->Stderr();
  CHECK_MESSAGE(
      err.find("1 sitemaps listed, 3 fetched (6 URLs)") != std::string::npos,
      err);
}

}  // namespace
}  // namespace crawler
