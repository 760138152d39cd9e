// The report of a real crawl, opened in a real browser: `crawler crawl
// --report` over the generated site (tests/testdata/site_server.py), then
// Debian's chromium in headless mode
// - loads a copy of the report with a measuring script appended (the report
//   itself has no script) and prints the DOM after layout (--dump-dom): every
//   chart must be laid out with a size, and each of its marks (bars, line,
//   area) that has a value must have a non-empty box;
// - takes a screenshot of the report itself (--screenshot): the PNG must
//   hold the charts' colours, so the bars were really painted.
// Chromium runs in its own process group, under a deadline, and the whole
// group is killed when it is late or when it ends.
//
// Without chromium the test says so and passes, except under CI (CI set in
// the environment, passed by .bazelrc), where scripts/setup.sh installs it
// and its absence fails.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::SiteServer;

constexpr int kChromiumTimeoutMs = 90000;

std::string FindChromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser",
                           "/usr/lib/chromium/chromium"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

bool UnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0' && std::string(ci) != "false";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Live (not zombie) processes whose process group is `pgid`.
std::vector<pid_t> GroupMembers(pid_t pgid) {
  std::vector<pid_t> pids;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return pids;
  while (dirent* e = ::readdir(dir)) {
    const pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(f, line)) continue;
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0, group = 0;
    rest >> state >> ppid >> group;
    if (group == pgid && state != 'Z') pids.push_back(pid);
  }
  ::closedir(dir);
  return pids;
}

struct BrowserRun {
  bool finished = false;
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs chromium with `args` in a process group of its own; kills the whole
// group after kChromiumTimeoutMs, and in any case once it has exited (its
// helper processes go with it).
BrowserRun RunChromium(const std::string& chromium,
                       const std::vector<std::string>& args) {
  const std::string dir = crawler::testing::TempDir();
  const std::string out_path = dir + "/chromium.out";
  const std::string err_path = dir + "/chromium.err";
  std::vector<std::string> argv = {
      chromium,
      "--headless",
      "--disable-gpu",
      "--no-sandbox",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      "--hide-scrollbars",
      "--mute-audio",
      "--user-data-dir=" + dir + "/chromium-profile",
      "--window-size=1280,4000"};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int out =
        ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err =
        ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setenv("HOME", dir.c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (dir + "/xdg-config").c_str(), 1);
    ::setenv("XDG_CACHE_HOME", (dir + "/xdg-cache").c_str(), 1);
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // Also here, so the group exists before we kill it.
  BrowserRun run;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(kChromiumTimeoutMs);
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      run.finished = true;
      run.exit_code =
          WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);  // Helpers still running, if any.
  for (int i = 0; i < 250 && !GroupMembers(pid).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK_MESSAGE(GroupMembers(pid).empty(), "chromium processes left behind");
  run.out = ReadFile(out_path);
  run.err = ReadFile(err_path);
  return run;
}

struct Image {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> rgb;  // 3 bytes per pixel.
};

uint32_t Be32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3]));
}

// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes).
StatusOr<Image> DecodePng(const std::string& png) {
  if (png.size() < 33 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    return DataLossError("not a PNG");
  }
  Image img;
  int channels = 0;
  std::string idat;
  for (size_t p = 8; p + 12 <= png.size();) {
    const uint32_t len = Be32(png, p);
    const std::string type = png.substr(p + 4, 4);
    if (p + 12 + len > png.size()) return DataLossError("truncated chunk");
    if (type == "IHDR") {
      img.width = Be32(png, p + 8);
      img.height = Be32(png, p + 12);
      const int depth = static_cast<uint8_t>(png[p + 16]);
      const int colour = static_cast<uint8_t>(png[p + 17]);
      const int interlace = static_cast<uint8_t>(png[p + 20]);
      if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0) {
        return DataLossError("unsupported PNG layout");
      }
      channels = colour == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat.append(png, p + 8, len);
    }
    p += 12 + len;
  }
  if (channels == 0 || img.width == 0 || img.height == 0) {
    return DataLossError("no IHDR");
  }
  const size_t stride = static_cast<size_t>(img.width) * channels;
  std::vector<uint8_t> raw((stride + 1) * img.height);
  uLongf raw_len = raw.size();
  if (::uncompress(raw.data(), &raw_len,
                   reinterpret_cast<const Bytef*>(idat.data()),
                   idat.size()) != Z_OK ||
      raw_len != raw.size()) {
    return DataLossError("bad IDAT");
  }
  std::vector<uint8_t> prev(stride, 0), cur(stride);
  img.rgb.reserve(static_cast<size_t>(img.width) * img.height * 3);
  for (uint32_t y = 0; y < img.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<size_t>(channels) ? cur[x - channels] : 0;
      const int b = prev[x];
      const int c = x >= static_cast<size_t>(channels) ? prev[x - channels] : 0;
      int predictor = 0;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) / 2;
          break;
        case 4: {
          const int pa = std::abs(b - c), pb = std::abs(a - c),
                    pc = std::abs(a + b - 2 * c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          return DataLossError("bad filter");
      }
      cur[x] = static_cast<uint8_t>(in[x] + predictor);
    }
    for (uint32_t x = 0; x < img.width; ++x) {
      for (int k = 0; k < 3; ++k) img.rgb.push_back(cur[x * channels + k]);
    }
    std::swap(prev, cur);
  }
  return img;
}

// Pixels within `tolerance` of #rrggbb.
size_t CountColour(const Image& img, uint32_t rgb, int tolerance = 6) {
  const int r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
  size_t n = 0;
  for (size_t i = 0; i + 2 < img.rgb.size(); i += 3) {
    if (std::abs(img.rgb[i] - r) <= tolerance &&
        std::abs(img.rgb[i + 1] - g) <= tolerance &&
        std::abs(img.rgb[i + 2] - b) <= tolerance) {
      ++n;
    }
  }
  return n;
}

// Appended to a copy of the report: writes each chart's laid-out size and
// how many of its marks have a non-empty box into <pre id="layout">.
constexpr char kMeasure[] = R"(<script>
(function () {
  var out = {};
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var box = svg.getBoundingClientRect();
    var marks = svg.querySelectorAll('rect.bar, path.line, path.area');
    var valued = 0, drawn = 0;
    marks.forEach(function (m) {
      if (m.tagName === 'path' || parseFloat(m.getAttribute('width')) > 0) valued++;
      var r = m.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) drawn++;
    });
    out[svg.getAttribute('data-chart')] = {width: box.width, height: box.height,
        marks: marks.length, valued: valued, drawn: drawn};
  });
  var pre = document.createElement('pre');
  pre.id = 'layout';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>)";

TEST_CASE("The report of a real crawl is drawn by headless Chromium") {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    REQUIRE_MESSAGE(!UnderCi(),
                    "chromium is not installed, and CI must run this test "
                    "(scripts/setup.sh installs the chromium package)");
    MESSAGE(
        "SKIPPED: chromium is not installed (apt-get install chromium); "
        "the report was not checked in a browser");
    return;
  }
  auto site = SiteServer::Start({"--pages", "60"});
  REQUIRE_MESSAGE(site.ok(), site.status().ToString());
  const std::string dir = crawler::testing::TempDir();
  const std::string report = dir + "/report.html";
  auto crawl = Command::Start(
      {crawler::testing::RunfilePath("crawler/cli/crawler"), "crawl",
       "--allow-private", "--delay", "0", "--per-host", "4", "--report", report,
       "-o", dir + "/records.jsonl", (*site)->Url("/")});
  REQUIRE(crawl.ok());
  std::optional<int> code = (*crawl)->Wait(60000);
  REQUIRE_MESSAGE(code.has_value(), "the crawl did not finish");
  REQUIRE_MESSAGE(*code == 0, (*crawl)->Stderr());
  const std::string html = ReadFile(report);
  REQUIRE(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<script") == std::string::npos);

  const std::vector<std::string> charts = {
      "pages-per-second", "status-codes",  "content-types", "depths",
      "top-hosts",        "slowest-pages", "errors"};

  SUBCASE("every chart is laid out with its marks drawn") {
    const std::string measure = dir + "/measure.html";
    std::string copy = html;
    const size_t body_end = copy.rfind("</body>");
    REQUIRE(body_end != std::string::npos);
    copy.insert(body_end, kMeasure);
    std::ofstream(measure) << copy;
    BrowserRun run = RunChromium(chromium, {"--virtual-time-budget=5000",
                                            "--dump-dom", "file://" + measure});
    REQUIRE_MESSAGE(run.finished,
                    "chromium did not finish in time: " << run.err);
    REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    const std::string open = "<pre id=\"layout\">";
    const size_t start = run.out.find(open);
    REQUIRE_MESSAGE(start != std::string::npos, "no layout in the DOM:\n"
                                                    << run.out.substr(0, 2000));
    const size_t end = run.out.find("</pre>", start);
    const nlohmann::json layout = nlohmann::json::parse(
        run.out.substr(start + open.size(), end - start - open.size()));
    INFO("layout: " << layout.dump());
    for (const std::string& chart : charts) {
      REQUIRE_MESSAGE(layout.contains(chart), chart << " is missing");
      const nlohmann::json& c = layout[chart];
      CHECK_MESSAGE(c["width"].get<double>() > 300, chart);
      CHECK_MESSAGE(c["height"].get<double>() > 20, chart);
      CHECK_MESSAGE(c["valued"].get<int>() >= 1, chart);
      CHECK_MESSAGE(c["drawn"] == c["valued"], chart);
    }
    CHECK(layout["pages-per-second"]["marks"] == 2);         // Line and area.
    CHECK(layout["status-codes"]["marks"].get<int>() >= 3);  // 200 301 404...
  }

  SUBCASE("a screenshot shows the charts' colours") {
    const std::string shot = dir + "/report.png";
    BrowserRun run =
        RunChromium(chromium, {"--screenshot=" + shot, "file://" + report});
    REQUIRE_MESSAGE(run.finished,
                    "chromium did not finish in time: " << run.err);
    REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    StatusOr<Image> img = DecodePng(ReadFile(shot));
    REQUIRE_MESSAGE(img.ok(), img.status().ToString());
    CHECK(img->width == 1280);
    const size_t pixels = static_cast<size_t>(img->width) * img->height;
    const size_t white = CountColour(*img, 0xFFFFFF, 0);
    CHECK_MESSAGE(white < pixels * 98 / 100, "the page is blank");
    // Bars of every kind: the default blue (content types, depths, hosts),
    // 2xx green, 4xx yellow (the site's 404s), the errors' red, and the
    // area under the pages-per-second line.
    CHECK(CountColour(*img, 0x4c78a8) > 5000);
    CHECK(CountColour(*img, 0x59a14f) > 1000);
    CHECK(CountColour(*img, 0xedc948) > 100);
    CHECK(CountColour(*img, 0xe15759) > 100);
    CHECK(CountColour(*img, 0xc6d6e8) > 10000);
  }
}

}  // namespace
}  // namespace crawler
