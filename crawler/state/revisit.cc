#include "crawler/state/revisit.h"

#include <algorithm>

namespace crawler::state {

std::string_view ChangeName(Change change) {
  switch (change) {
    case Change::kNone:
      return "";
    case Change::kNew:
      return "new";
    case Change::kChanged:
      return "changed";
    case Change::kUnchanged:
      return "unchanged";
    case Change::kGone:
      return "gone";
  }
  return "";
}

void ChangeCounts::Count(Change change) {
  switch (change) {
    case Change::kNew:
      ++new_urls;
      break;
    case Change::kChanged:
      ++changed;
      break;
    case Change::kUnchanged:
      ++unchanged;
      break;
    case Change::kGone:
      ++gone;
      break;
    case Change::kNone:
      break;
  }
}

Verdict Judge(const Previous* previous, const Observation& observed,
              const RevisitOptions& options) {
  const Previous none;
  const Previous& prev = previous != nullptr ? *previous : none;
  const bool had_content = prev.ok_status != 0;
  const int status = observed.error ? 0 : observed.status;
  Verdict v;
  v.next = prev;
  if (status == 304 && had_content) {
    v.change = Change::kUnchanged;
    // A 304 may carry updated validators (RFC 9110 section 15.4.5).
    if (!observed.etag.empty()) v.next.etag = observed.etag;
    if (!observed.last_modified.empty()) {
      v.next.last_modified = observed.last_modified;
    }
  } else if (status >= 200 && status < 400 && status != 304) {
    const bool is_2xx = status < 300;
    if (!had_content) {
      v.change = Change::kNew;
    } else if (is_2xx) {
      v.change = prev.ok_status >= 200 && prev.ok_status < 300 &&
                         prev.content_hash == observed.content_hash
                     ? Change::kUnchanged
                     : Change::kChanged;
    } else {
      v.change =
          prev.ok_status == status ? Change::kUnchanged : Change::kChanged;
    }
    v.next.ok_status = status;
    v.next.content_hash = is_2xx ? observed.content_hash : "";
    v.next.etag = observed.etag;
    v.next.last_modified = observed.last_modified;
  } else if ((status == 404 || status == 410) && had_content) {
    v.change = Change::kGone;
    v.next.ok_status = 0;
    v.next.content_hash.clear();
    v.next.etag.clear();
    v.next.last_modified.clear();
  }
  const double lo = options.min_interval_s;
  const double hi = std::max(options.max_interval_s, lo);
  const double current =
      prev.interval_s > 0 ? prev.interval_s : options.initial_interval_s;
  switch (v.change) {
    case Change::kNew:
      v.interval_s = options.initial_interval_s;
      break;
    case Change::kChanged:
      v.interval_s = current * (1 - options.dec_rate);
      break;
    case Change::kUnchanged:
      v.interval_s = current * (1 + options.inc_rate);
      break;
    case Change::kGone:
      v.interval_s = hi;
      break;
    case Change::kNone:
      v.interval_s = current;
      break;
  }
  v.interval_s = std::clamp(v.interval_s, lo, hi);
  v.next.interval_s = v.interval_s;
  // A failure is tried again soon: at the shortest interval.
  v.next_due_s = v.change == Change::kNone ? lo : v.interval_s;
  return v;
}

std::string CheckRevisitOptions(const RevisitOptions& o) {
  if (!(o.min_interval_s > 0))
    return "the minimum revisit interval must be > 0";
  if (!(o.max_interval_s >= o.min_interval_s)) {
    return "the maximum revisit interval must be >= the minimum";
  }
  if (!(o.initial_interval_s >= o.min_interval_s &&
        o.initial_interval_s <= o.max_interval_s)) {
    return "the initial revisit interval must lie between the minimum and "
           "the maximum";
  }
  if (!(o.inc_rate >= 0 && o.inc_rate < 1) ||
      !(o.dec_rate >= 0 && o.dec_rate < 1)) {
    return "revisit rates must be in [0, 1)";
  }
  return "";
}

}  // namespace crawler::state
