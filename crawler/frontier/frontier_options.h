// Politeness and scheduling options of a frontier.
#ifndef CRAWLER_FRONTIER_FRONTIER_OPTIONS_H_
#define CRAWLER_FRONTIER_FRONTIER_OPTIONS_H_

#include <cstdint>

namespace crawler::frontier {

struct FrontierOptions {
  // Minimum seconds between the starts of two requests to one host, and
  // between the end of one request and the start of the next (0 allowed).
  double delay_s = 1.0;
  // Requests in flight to one host at once.
  int per_host = 1;
  // robots.txt Crawl-delay is honoured up to this many seconds; a longer one
  // is clamped to it.
  double max_crawl_delay_s = 30;
  // Extra delay proportional to the host's last response time (Heritrix's
  // delay factor): the interval is at least factor x that time. 0 disables.
  double delay_factor = 0;
  // Retry-After (429/503) pauses a host for at most this many seconds.
  double max_retry_after_s = 3600;
  // URLs accepted per host in one crawl (a guard against traps); 0 = no cap.
  int64_t per_host_cap = 0;
  // URLs with a query accepted per path in one crawl: the URLs that share
  // everything before their '?' (origin and path: /list?page=1 and
  // /list?page=2 both count for http://host/list). A guard against query
  // explosions (fault matrix T5: the same page under endless permuted,
  // duplicated or random parameters), on by default so that such a crawl
  // ends without any flag. URLs without a query do not count. 0 = no cap.
  int64_t max_query_variants = 1000;
  // When a URL still queued (not yet leased) is found again at a lower depth
  // (a shorter path from a seed, discovered later because fetches finish in
  // any order), it moves to that depth and takes that referrer, so a depth
  // limit cuts the crawl where breadth-first order would. Costs one hash
  // map entry per queued URL (about 40 bytes). False keeps the first depth.
  bool requeue_shallower = true;
};

}  // namespace crawler::frontier

#endif  // CRAWLER_FRONTIER_FRONTIER_OPTIONS_H_
