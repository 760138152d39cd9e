#include "crawler/cli/output_flags.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "crawler/cli/flag_values.h"

namespace crawler::cli {

StatusOr<double> ParseRate(const std::string& flag, const std::string& v) {
  std::string number = v;
  double scale = 1;
  if (!number.empty() && number.back() == '%') {
    number.pop_back();
    scale = 100;
  }
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0' || errno != 0 || !std::isfinite(x) ||
      x < 0 || x > scale) {
    return InvalidArgumentError(flag +
                                " expects a fraction from 0 to 1 (0.05) or a "
                                "percentage from 0% to 100% (5%), got '" +
                                v + "'");
  }
  return x / scale;
}

StatusOr<bool> ParseOutputFlag(
    const std::string& flag,
    const std::function<StatusOr<std::string>()>& value,
    const std::function<Status()>& no_value, const OutputFlagTargets& targets) {
  if (flag == "--format") {
    ASSIGN_OR_RETURN(std::string v, value());
    StatusOr<output::OutputFormat> format = output::ParseOutputFormat(v);
    if (!format.ok()) return format.status().WithContext("--format");
    targets.records->format = *format;
  } else if (flag == "--fields") {
    ASSIGN_OR_RETURN(std::string v, value());
    StatusOr<std::vector<std::string>> names = output::SplitFieldList(v);
    if (!names.ok()) return names.status().WithContext("--fields");
    StatusOr<std::vector<output::Field>> fields =
        output::ResolveFields(*names, targets.kind);
    if (!fields.ok()) return fields.status().WithContext("--fields");
    targets.records->fields = std::move(*names);
  } else if (flag == "-q" || flag == "--quiet") {
    RETURN_IF_ERROR(no_value());
    targets.log->level = log::LogLevel::kError;
  } else if (flag == "-v" || flag == "--verbose") {
    RETURN_IF_ERROR(no_value());
    targets.log->level = log::LogLevel::kDebug;
  } else if (flag == "--log-level") {
    ASSIGN_OR_RETURN(std::string v, value());
    StatusOr<log::LogLevel> level = log::ParseLogLevel(v);
    if (!level.ok()) return level.status().WithContext("--log-level");
    targets.log->level = *level;
  } else if (flag == "--log-file") {
    ASSIGN_OR_RETURN(std::string v, value());
    if (v.empty()) return InvalidArgumentError("--log-file needs a file name");
    targets.log->file = v;
  } else if (flag == "--grace-period") {
    ASSIGN_OR_RETURN(std::string v, value());
    ASSIGN_OR_RETURN(*targets.interrupt_grace_s, ParseSecondsOrZero(flag, v));
  } else if (flag == "--max-error-rate") {
    ASSIGN_OR_RETURN(std::string v, value());
    ASSIGN_OR_RETURN(*targets.max_error_rate, ParseRate(flag, v));
  } else {
    return false;
  }
  return true;
}

}  // namespace crawler::cli
