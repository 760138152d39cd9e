// A strict reader of the Prometheus text exposition format (version 0.0.4),
// for tests: it accepts only what the format allows and checks what a
// scraper relies on.
//
// Checked, per the format's documentation:
// - every line ends with '\n', the body too; no blank lines;
// - "# HELP name text" and "# TYPE name type" (counter, gauge, histogram,
//   summary, untyped), at most one of each per family, before its first
//   sample; other '#' lines are comments;
// - sample lines: name, optional {label="value",...}, a value (a float,
//   +Inf, -Inf or NaN), an optional integer timestamp;
// - metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
//   [a-zA-Z_][a-zA-Z0-9_]* and do not start with "__"; label values use only
//   the escapes \\, \" and \n; no label twice in one sample;
// - the samples of a family are contiguous, and no sample repeats a name and
//   label set;
// - histograms: only _bucket (with an le label), _sum and _count samples;
//   per label set, le bounds increasing, bucket counts non-decreasing, a
//   +Inf bucket equal to _count;
// And two rules of this project: every family has HELP and TYPE, and every
// counter's name ends in _total.
#ifndef TESTS_METRICS_PROMETHEUS_TEXT_H_
#define TESTS_METRICS_PROMETHEUS_TEXT_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string type;
  std::string help;
  std::vector<PromSample> samples;
};

struct PromText {
  std::vector<PromFamily> families;
  // The sample's value, or NaN when there is no such sample.
  double Value(const std::string& name,
               const std::map<std::string, std::string>& labels = {}) const;
  // Sum of the values of every sample named `name`.
  double Sum(const std::string& name) const;
  const PromFamily* Family(const std::string& name) const;
};

// Parses a body; fails with InvalidArgument naming the line and the rule.
StatusOr<PromText> ParsePromText(std::string_view body);

}  // namespace crawler::testing

#endif  // TESTS_METRICS_PROMETHEUS_TEXT_H_
