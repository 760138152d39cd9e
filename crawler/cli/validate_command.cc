#include "crawler/cli/validate_command.h"

#include "crawler/cli/crawl_flags.h"
#include "crawler/cli/run_command.h"
#include "crawler/config/crawl_file.h"
#include "crawler/config/reference.h"

namespace crawler::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Checks one file; prints the verdict. True when it is valid.
bool ValidateFile(const std::string& path, std::FILE* out, std::FILE* err,
                  const config::EnvLookup& env) {
  config::LoadedCrawlFile file =
      config::LoadCrawlFile(path, DefaultCrawlConfig(), env);
  size_t seeds = file.config.seeds.size();
  if (file.ok()) {
    for (const std::string& seed_file : file.config.seed_files) {
      StatusOr<std::vector<std::string>> urls = ReadSeedFile(seed_file);
      if (urls.ok()) {
        seeds += urls->size();
      } else {
        config::ConfigError e;
        e.file = path;
        e.key = "seeds.files";
        e.message = urls.status().message();
        file.errors.push_back(std::move(e));
      }
    }
    if (file.ok() && seeds == 0) {
      config::ConfigError e;
      e.file = path;
      e.key = "seeds";
      e.message =
          "no seed URLs: seeds.urls is empty and the files of seeds.files "
          "hold none";
      file.errors.push_back(std::move(e));
    }
  }
  if (!file.ok()) {
    for (const config::ConfigError& e : file.errors) {
      std::fprintf(err, "%s\n", e.ToString().c_str());
    }
    std::fprintf(err, "%s: %s\n", path.c_str(),
                 Plural(file.errors.size(), "error").c_str());
    return false;
  }
  std::fprintf(out, "%s: ok (%s set; %s, %s)\n", path.c_str(),
               Plural(file.keys_set.size(), "key").c_str(),
               Plural(seeds, "seed URL").c_str(),
               Plural(file.config.seed_files.size(), "seed file").c_str());
  return true;
}

}  // namespace

const char* ValidateUsage() {
  return R"usage(Usage: crawler validate CRAWL.yaml...
       crawler validate --print-reference
       crawler validate --print-markdown

Checks crawl files (docs/config.md) without fetching anything: YAML syntax,
unknown keys (with the nearest valid one), duplicate keys, types, ranges,
regular expressions, domains, seed URLs and files, CA files, ${NAME}
environment variables, and that there is at least one seed. Prints
"FILE: ok (...)" for a valid file; otherwise every problem, on stderr, as
FILE:LINE:COLUMN: KEY: MESSAGE.

      --print-reference  print a crawl file that lists every key with its
                         default and what it does (seeds/reference.yaml)
      --print-markdown   print the keys as a Markdown table (README.md)
  -h, --help             show this help

Exit status: 0 when every file is valid, 2 when one is not or on a usage
error.
)usage";
}

int RunValidateCommand(const std::vector<std::string>& args, std::FILE* out,
                       std::FILE* err, const config::EnvLookup& env) {
  std::vector<std::string> files;
  bool only_files = false;
  for (const std::string& a : args) {
    if (only_files || a.empty() || a[0] != '-' || a == "-") {
      files.push_back(a);
    } else if (a == "--") {
      only_files = true;
    } else if (a == "-h" || a == "--help") {
      std::fputs(ValidateUsage(), out);
      return kExitOk;
    } else if (a == "--print-reference" || a == "--print-markdown") {
      if (args.size() != 1) {
        std::fprintf(err, "crawler: validate: %s takes no other argument\n",
                     a.c_str());
        return kExitUsage;
      }
      const config::CrawlConfig defaults = DefaultCrawlConfig();
      std::fputs(a == "--print-reference"
                     ? config::ReferenceYaml(defaults).c_str()
                     : config::KeysMarkdown(defaults).c_str(),
                 out);
      return kExitOk;
    } else {
      std::fprintf(err,
                   "crawler: validate: unknown option '%s' (see crawler "
                   "validate --help)\n",
                   a.c_str());
      return kExitUsage;
    }
  }
  if (files.empty()) {
    std::fputs(
        "crawler: validate: no crawl file (crawler validate CRAWL.yaml...)\n",
        err);
    return kExitUsage;
  }
  bool all_ok = true;
  for (const std::string& f : files) {
    all_ok = ValidateFile(f, out, err, env) && all_ok;
  }
  return all_ok ? kExitOk : kExitUsage;
}

}  // namespace crawler::cli
