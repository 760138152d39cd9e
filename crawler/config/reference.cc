#include "crawler/config/reference.h"

#include <sstream>
#include <string_view>
#include <vector>

#include "crawler/config/key_table.h"

namespace crawler::config {
namespace {

constexpr size_t kWidth = 79;

// `text` as comment lines starting with `indent` + "# ", wrapped at kWidth.
std::string Comment(std::string_view text, const std::string& indent) {
  const std::string lead = indent + "#";
  std::string out;
  std::string line = lead;
  std::istringstream words{std::string(text)};
  std::string word;
  while (words >> word) {
    if (line.size() > lead.size() && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line = lead;
    }
    line += " " + word;
  }
  if (line.size() > lead.size()) out += line + "\n";
  return out;
}

std::string Leaf(const std::string& path) {
  return path.substr(path.rfind('.') + 1);
}
std::string GroupOf(const std::string& path) {
  return path.substr(0, path.rfind('.'));
}

std::string Capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z')
    s[0] = static_cast<char>(s[0] - 32);
  return s;
}

std::string DefaultText(const KeySpec& k, const CrawlConfig& defaults) {
  if (!k.default_note.empty()) return k.default_note;
  return k.get(defaults);
}

// Markdown table cell text: '|' escaped.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string ReferenceYaml(const CrawlConfig& defaults) {
  std::string out =
      "# seeds/reference.yaml: every key of a crawl file, set to its "
      "default.\n"
      "#\n"
      "# Generated from the key table (crawler/config/key_table.cc) by\n"
      "#   crawler validate --print-reference > seeds/reference.yaml\n"
      "# Do not edit: a test fails when this file and the table differ.\n"
      "#\n";
  out += Comment(
      "Every key is optional, but seeds.urls or seeds.files must name at "
      "least one seed. On `crawler run FILE [FLAGS]` a flag overrides the "
      "key it is listed with, and URL arguments and repeatable flags add to "
      "the file's lists. Values may use ${NAME}, the environment variable "
      "NAME ($${ for a literal ${); secrets are never written in the file: "
      "the keys that need one name the environment variable holding it. "
      "Relative paths of files the crawl reads are taken from the crawl "
      "file's directory, those of files it writes (output.path, "
      "output.report, output.warc, logging.file) from the working "
      "directory. See docs/config.md.",
      "");
  std::string group;
  for (const KeySpec& k : Keys()) {
    const std::string g = GroupOf(k.path);
    if (g != group) {
      group = g;
      out += "\n";
      for (const GroupSpec& gs : Groups()) {
        if (gs.name == g) out += Comment(gs.help, "");
      }
      out += g + ":\n";
    } else {
      out += "\n";
    }
    std::string about = Capitalized(Expected(k));
    if (!k.default_note.empty() || !k.example.empty()) {
      about += "; default " + DefaultText(k, defaults);
    }
    about += ". Flag: " + k.flag + ".";
    out += Comment(k.help, "  ");
    out += Comment(about, "  ");
    if (!k.default_note.empty()) {
      out += "  # " + Leaf(k.path) + ":\n";
    } else if (!k.example.empty()) {
      out += "  " + Leaf(k.path) + ": " + k.example + "\n";
    } else {
      out += "  " + Leaf(k.path) + ": " + k.get(defaults) + "\n";
    }
  }
  return out;
}

std::string KeysMarkdown(const CrawlConfig& defaults) {
  std::string out =
      "| key | value | default | flag | what it does |\n"
      "| --- | --- | --- | --- | --- |\n";
  for (const KeySpec& k : Keys()) {
    // The flag itself in code style, a description as it is.
    std::string flag = Cell(k.flag);
    if (!flag.empty() && flag[0] == '-') {
      const size_t space = flag.find(' ');
      flag = "`" + flag.substr(0, space) + "`" +
             (space == std::string::npos ? "" : flag.substr(space));
    }
    out += "| `" + k.path + "` | " + Cell(Expected(k)) + " | `" +
           Cell(DefaultText(k, defaults)) + "` | " + flag + " | " +
           Cell(k.help) + " |\n";
  }
  return out;
}

}  // namespace crawler::config
