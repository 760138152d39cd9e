#include "crawler/cli/crawl_flags.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "crawler/cli/flag_values.h"
#include "crawler/cli/output_flags.h"
#include "crawler/cli/request_flags.h"
#include "crawler/cli/shared_crawl.h"
#include "crawler/cli/warc_flags.h"
#include "crawler/fetch/address_policy.h"
#include "crawler/redis/redis_client.h"
#include "crawler/robots/robots.h"
#include "crawler/state/revisit.h"

namespace crawler::cli {

const char* CrawlUsage() {
  return R"(Usage: crawler crawl [OPTIONS] [URL...] [--seeds FILE]

Starts from the seed URLs and follows links, breadth first, within the scope,
honouring robots.txt and a per-host delay. Prints one JSON object per fetched
URL: the fields of `crawler fetch` plus depth, referrer, location (redirect
target), canonical and noindex.

Seeds:
      --seeds FILE        read seed URLs from FILE (one per line, '#' comments)
Scope (default: the seeds' hosts):
      --scope MODE        host (same host as a seed), domain (same registered
                          domain, e.g. a.example.co.uk and b.example.co.uk), any
      --include REGEX     only URLs matching one of these (RE2; repeatable)
      --exclude REGEX     skip URLs matching any of these (RE2; repeatable)
      --allow-domain D    only these domains and their subdomains (repeatable)
      --deny-domain D     never these domains or their subdomains (repeatable)
      --strip-query PAT   drop query parameters whose name matches PAT, e.g.
                          'utm_*' or 'sessionid' (glob; repeatable)
      --keep-session-ids  keep jsessionid, phpsessid, aspsessionid*, sid, cfid and
                          cftoken parameters (stripped by default: they make
                          every visit a new URL)
      --per-host-cap N    accept at most N URLs per host (trap guard; 0: none)
      --max-query-variants N
                          accept at most N URLs with a query per host and path
                          (/list?page=1, /list?page=2... count for /list): a
                          trap guard against endless query variants, reported
                          once per path as trap_suspected (default 1000; 0:
                          none)
      --sort-query        sort query parameters and drop exact repeats before
                          deduplication, so ?b=2&a=1 and ?a=1&b=2 are fetched
                          once (as ?a=1&b=2); off by default
Limits (the crawl stops cleanly and says which one it reached):
      --max-depth N       links followed from a seed (default 20; -1: none)
      --max-pages N       fetched URLs (default: none)
      --max-bytes BYTES   body bytes, e.g. 500M (default: none)
      --max-duration SEC  seconds (default: none)
Politeness:
      --delay SEC         minimum seconds between requests to a host (default 1;
                          0 allowed)
      --per-host N        requests in flight per host (default 1)
      --max-crawl-delay SEC
                          robots.txt Crawl-delay honoured up to this (default 30)
      --delay-factor X    also wait X times the host's last response time
      --no-robots         do not fetch or honour robots.txt
      --sitemaps          also crawl the URLs of the sitemaps robots.txt lists
                          (XML, text or gzip; sitemap indexes followed)
      --follow-nofollow   follow rel=nofollow links and ignore robots meta
                          nofollow (honoured by default)
      --user-agent UA     User-Agent (default: crawler/0.1.0); robots.txt groups
                          are matched on its product token
Fetching:
  -w, --workers N         worker processes (default: number of CPUs)
  -c, --concurrency N     transfers in flight per worker (default: 16)
      --timeout SEC       whole-transfer time limit per URL (default: 30)
      --connect-timeout SEC
                          connection time limit (default: 10)
      --max-body BYTES    largest body kept (default: 16M)
      --max-redirects N   redirect hops followed per URL (default: 10)
      --retries N         retries after a timeout, reset, 5xx or 429 (default 2)
      --lease-timeout SEC time a worker may hold one URL (default: --timeout + 10)
      --allow-private     allow loopback, private and link-local addresses
      --allow-address CIDR[:PORT]
                          allow only these of them: the addresses of CIDR, on
                          PORT when given, e.g. 127.0.0.1:8080, 10.0.0.0/8,
                          [::1]:8080 or fd00::/8 (repeatable; an IPv6 network
                          with a port in brackets)
      --resolve HOST:PORT:ADDR
                          connect to the numeric ADDR (same port) for HOST on
                          PORT instead of resolving HOST, as curl's --resolve;
                          HOST may be '*.SUFFIX' (every name under it) or '*';
                          applied to every redirect hop; the Host header keeps
                          HOST (repeatable; a testing and intranet aid: a
                          private ADDR also needs --allow-private or
                          --allow-address)
      --ca-cert FILE      also trust the CA certificates in FILE (PEM), e.g.
                          a private CA; the system's CAs stay trusted
      --insecure          do not verify TLS certificates (chain, validity
                          dates, host name); said so on stderr. Verified by
                          default: failures are tls_cert_untrusted,
                          tls_cert_expired or tls_cert_hostname
Requests:
  -H, --header 'NAME: VALUE'
                          add a request header, sent to every host
                          (repeatable); Host, User-Agent, framing headers and
                          the credential headers Authorization,
                          Proxy-Authorization and Cookie are refused
      --cookies           keep cookies (off by default): an in-memory jar per
                          host in each worker process; a cookie goes back
                          only to the host that set it, never to another
      --proxy URL         send every request through a proxy: http://,
                          https://, socks5:// or socks5h://HOST:PORT (the
                          http_proxy & co. variables are always ignored); the
                          address policy applies to the proxy (a private one
                          needs --allow-address) and to targets named by an
                          address, but cannot see the addresses the proxy
                          resolves target names to
      --proxy-user-env VAR
                          proxy credentials USER:PASSWORD, read from the
                          environment variable VAR (never on the command line)
      --noproxy LIST      hosts reached directly, not through the proxy:
                          comma-separated names (subdomains included),
                          addresses, CIDR networks, or '*'
      --auth ORIGIN=SCHEME:VAR
                          HTTP authentication for one origin,
                          [http://|https://]HOST[:PORT] (https when no
                          scheme): SCHEME basic (VAR holds USER:PASSWORD) or
                          bearer (VAR holds the token), read from the
                          environment variable VAR; sent only to requests to
                          that scheme, host and port, never after a redirect
                          to another (repeatable)
Archive:
      --warc PREFIX       also write every request and response, as sent and
                          received, to WARC/1.1 files
                          PREFIX-YYYYMMDDhhmmss-NNNNN-PID.warc.gz (one series
                          per worker process, ".open" until closed; PREFIX's
                          directory must exist); read them with `crawler
                          warc ls|cat` or any WARC tool (docs/warc.md)
      --warc-max-size BYTES
                          begin a new WARC file before one would pass BYTES
                          (default 1000000000; suffix K, M or G allowed)
      --warc-compression-level N
                          gzip level of each record (ISA-L's igzip): 1
                          (the default, fastest), 2, 3, 4 (smallest; 5 to
                          12 are the same as 4), or 0 (stored: the least
                          CPU, files about 2.2 times bigger on HTML)
Output:
  -o, --output FILE       write records to FILE ('-': standard output, the
                          default); each record is written whole as it comes
      --format FORMAT     records as jsonl (JSON lines, the default) or csv
                          (RFC 4180: a header line, CRLF line ends)
      --fields LIST       write only these fields, in this order, e.g.
                          url,status,title (default: every field)
      --progress          show progress on stderr even when it is not a
                          terminal: a line every second (on a terminal, a
                          status line refreshed in place is shown anyway,
                          unless -q or the records go to the terminal)
  -q, --quiet             print only errors on stderr: no progress, no
                          summary
  -v, --verbose           also print one line per URL on stderr
      --log-level LEVEL   error, warn, info (default) or debug
      --log-file FILE     append messages to FILE, one timestamped line each,
                          instead of stderr (errors still go to stderr too)
      --grace-period SEC  after Ctrl-C or SIGTERM, time the requests in
                          flight get to finish (default 5; 0: none); a
                          second Ctrl-C stops at once
      --max-error-rate RATE
                          exit with status 3 when more than RATE of the
                          fetched URLs ended with an error: a fraction (0.05)
                          or a percentage (5%) (default: off)
      --report FILE       write a crawl report to FILE: one self-contained
                          HTML page with charts (pages per second, status
                          codes, content types, depths, top hosts, slowest
                          pages, errors)
      --summary-json FILE write the run's summary to FILE when it ends: one
                          JSON object with the outcome and exit status,
                          counts by terminal state, bytes, duration and
                          the change counts (with --state it is always
                          written to DIR/last-run.json too)
      --state DIR         keep the crawl's state in DIR (created if needed)
                          between runs: a run stopped by Ctrl-C, a limit
                          or a crash is resumed by the next one; a later
                          run fetches again only the known URLs that are
                          due, with If-None-Match / If-Modified-Since, and
                          records say new, changed, unchanged or gone
                          (field "change"); one run at a time per DIR
                          (exit status 4 otherwise); records are appended
                          to the -o file (docs/state.md)
      --revisit-initial DUR
                          with --state: a URL is due again this long after
                          the run that first fetched it (default 1d); then
                          x1.4 each time it is found unchanged and x0.8
                          when changed; DUR is seconds or a number with s,
                          m, h or d (90m, 1.5d)
      --revisit-min DUR   the shortest revisit interval (default 1h); a
                          failed fetch is due again after it
      --revisit-max DUR   the longest revisit interval (default 30d); a gone
                          URL is checked again after it
      --frontier redis://HOST[:PORT][/DB]
                          share the crawl with other nodes through Redis
                          (6.2 or later): every node started with the same
                          --frontier and --crawl-name takes work from one
                          shared frontier; each URL is fetched and recorded
                          once across them, politeness and --max-pages are
                          crawl-wide; with -o FILE each node writes FILE
                          with its node id before the extension
                          (pages.jsonl: pages.NODE.jsonl); not with --state
                          (docs/redis.md)
      --crawl-name NAME   with --frontier: the shared crawl's name, the
                          same on every node (default: the first seed's
                          host, e.g. example.com)
      --node-id ID        with --frontier: this node's id (default:
                          hostname-pid)
      --frontier-timeout SEC
                          with --frontier: pause while Redis is unreachable,
                          and fail (exit status 1) after SEC seconds
                          (default 60)
      --frontier-lease SEC
                          with --frontier: a node that stops renewing its
                          hosts (killed, cut off) loses them after SEC
                          seconds; its unfinished URLs go back to the
                          queue (default 30)
      --metrics [ADDR:]PORT
                          serve /metrics (Prometheus text format) and
                          /status (JSON) while crawling; ADDR defaults to
                          127.0.0.1, any other must be an IP written out
                          (0.0.0.0, [::]); PORT 0 picks a free port, printed
                          on stderr
  -h, --help              show this help

At the end, a summary on stderr: pages by status class, errors by class,
bytes, hosts, duration, pages/s; its last line says why the crawl stopped:
"crawler: crawl stopped (REASON): ...", REASON done, max_pages, max_bytes,
max_duration or interrupted.

Exit status: 0 when the crawl ended, 1 when it could not run or finish
(e.g. the output cannot be written), 2 on a usage error, 3 when it ended
with more errors than --max-error-rate allows, 4 when another run holds
the --state directory, 130/143 when stopped by SIGINT/SIGTERM.
)";
}

StatusOr<std::vector<std::string>> ReadSeedFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return NotFoundError("cannot read seed file '" + path +
                         "': " + std::strerror(errno));
  }
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t\r\n");
    if (b == std::string::npos || line[b] == '#') continue;
    size_t e = line.find_last_not_of(" \t\r\n");
    out.push_back(line.substr(b, e - b + 1));
  }
  return out;
}

CrawlFlags DefaultCrawlFlags() {
  CrawlFlags f;
  f.fetch.user_agent = kDefaultUserAgent;
  return f;
}

StatusOr<CrawlFlags> ParseCrawlFlags(const std::vector<std::string>& args) {
  return ParseCrawlFlags(args, DefaultCrawlFlags());
}

StatusOr<CrawlFlags> ParseCrawlFlags(const std::vector<std::string>& args,
                                     CrawlFlags base) {
  CrawlFlags f = std::move(base);
  bool lease_set = f.job.workers.lease_timeout_ms >= 0;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool inline_value = false;
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        inline_value = true;
      }
    }
    auto need = [&]() -> StatusOr<std::string> {
      if (inline_value) return value;
      if (i + 1 >= args.size()) {
        return InvalidArgumentError(
            a + " needs a value (see crawler crawl --help)");
      }
      return args[++i];
    };
    auto no_value = [&]() -> Status {
      if (inline_value) {
        return InvalidArgumentError(a + " takes no value, got '" + value + "'");
      }
      return Status::Ok();
    };
    auto integer = [&](int64_t lo, int64_t hi) -> StatusOr<int64_t> {
      ASSIGN_OR_RETURN(std::string v, need());
      return ParseInt(a, v, lo, hi);
    };
    ASSIGN_OR_RETURN(bool request_flag,
                     ParseRequestFlag(a, need, no_value, &f.fetch));
    if (request_flag) continue;
    ASSIGN_OR_RETURN(bool warc_flag, ParseWarcFlag(a, need, &f.warc));
    if (warc_flag) continue;
    ASSIGN_OR_RETURN(
        bool output_flag,
        ParseOutputFlag(a, need, no_value,
                        {&f.records, &f.log, &f.job.interrupt_grace_s,
                         &f.job.max_error_rate, output::RecordKind::kCrawl}));
    if (output_flag) continue;
    if (a == "-h" || a == "--help") {
      RETURN_IF_ERROR(no_value());
      f.help = true;
    } else if (a == "--seeds") {
      ASSIGN_OR_RETURN(std::string v, need());
      f.seed_files.push_back(v);
    } else if (a == "-o" || a == "--output") {
      ASSIGN_OR_RETURN(f.output, need());
    } else if (a == "-w" || a == "--workers") {
      ASSIGN_OR_RETURN(int64_t n, integer(1, 256));
      f.job.workers.workers = static_cast<int>(n);
    } else if (a == "-c" || a == "--concurrency") {
      ASSIGN_OR_RETURN(int64_t n, integer(1, 1000));
      f.job.workers.concurrency = static_cast<int>(n);
    } else if (a == "--delay") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.job.frontier.delay_s, ParseSecondsOrZero(a, v));
    } else if (a == "--per-host") {
      ASSIGN_OR_RETURN(int64_t n, integer(1, 1000));
      f.job.frontier.per_host = static_cast<int>(n);
    } else if (a == "--max-crawl-delay") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.job.frontier.max_crawl_delay_s,
                       ParseSecondsOrZero(a, v));
    } else if (a == "--delay-factor") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.job.frontier.delay_factor, ParseNonNegative(a, v));
    } else if (a == "--per-host-cap") {
      ASSIGN_OR_RETURN(f.job.frontier.per_host_cap,
                       integer(0, int64_t{1} << 40));
    } else if (a == "--max-query-variants") {
      ASSIGN_OR_RETURN(f.job.frontier.max_query_variants,
                       integer(0, int64_t{1} << 40));
    } else if (a == "--sort-query") {
      RETURN_IF_ERROR(no_value());
      f.job.url.sort_query = true;
    } else if (a == "--max-depth") {
      ASSIGN_OR_RETURN(int64_t n, integer(-1, 1000));
      f.job.max_depth = static_cast<int>(n);
    } else if (a == "--max-pages") {
      ASSIGN_OR_RETURN(f.job.max_pages, integer(1, int64_t{1} << 40));
    } else if (a == "--max-bytes") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.job.max_bytes, ParseBytes(a, v));
    } else if (a == "--max-duration") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(int64_t ms, ParseSeconds(a, v));
      f.job.max_duration_s = ms / 1000.0;
    } else if (a == "--scope") {
      ASSIGN_OR_RETURN(std::string v, need());
      StatusOr<scope::ScopeMode> mode = scope::ParseScopeMode(v);
      if (!mode.ok()) return mode.status().WithContext("--scope");
      f.job.scope.mode = *mode;
    } else if (a == "--include") {
      ASSIGN_OR_RETURN(std::string v, need());
      f.job.scope.include.push_back(v);
    } else if (a == "--exclude") {
      ASSIGN_OR_RETURN(std::string v, need());
      f.job.scope.exclude.push_back(v);
    } else if (a == "--allow-domain") {
      ASSIGN_OR_RETURN(std::string v, need());
      f.job.scope.allow_domains.push_back(v);
    } else if (a == "--deny-domain") {
      ASSIGN_OR_RETURN(std::string v, need());
      f.job.scope.deny_domains.push_back(v);
    } else if (a == "--strip-query") {
      ASSIGN_OR_RETURN(std::string v, need());
      f.job.url.strip_query_params.push_back(v);
    } else if (a == "--keep-session-ids") {
      RETURN_IF_ERROR(no_value());
      f.keep_session_ids = true;
    } else if (a == "--sitemaps") {
      RETURN_IF_ERROR(no_value());
      f.job.sitemaps = true;
    } else if (a == "--no-robots") {
      RETURN_IF_ERROR(no_value());
      f.job.robots = false;
    } else if (a == "--follow-nofollow") {
      RETURN_IF_ERROR(no_value());
      f.job.honour_nofollow = false;
    } else if (a == "--user-agent") {
      ASSIGN_OR_RETURN(f.fetch.user_agent, need());
      for (char c : f.fetch.user_agent) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          return InvalidArgumentError(
              "--user-agent must not contain control characters (CR, LF...)");
        }
      }
      if (robots::ProductToken(f.fetch.user_agent).empty()) {
        return InvalidArgumentError(
            "--user-agent must start with a product token (letters, '_' or "
            "'-'), e.g. 'mybot/1.0', got '" +
            f.fetch.user_agent + "'");
      }
    } else if (a == "--timeout") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.fetch.total_timeout_ms, ParseSeconds(a, v));
    } else if (a == "--connect-timeout") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.fetch.connect_timeout_ms, ParseSeconds(a, v));
    } else if (a == "--lease-timeout") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.job.workers.lease_timeout_ms, ParseSeconds(a, v));
      lease_set = true;
    } else if (a == "--max-body") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(int64_t n, ParseBytes(a, v));
      f.fetch.max_body_bytes = static_cast<size_t>(n);
    } else if (a == "--max-redirects") {
      ASSIGN_OR_RETURN(int64_t n, integer(0, 50));
      f.job.max_redirects = static_cast<int>(n);
    } else if (a == "--retries") {
      ASSIGN_OR_RETURN(int64_t n, integer(0, 10));
      f.job.max_fetch_retries = static_cast<int>(n);
    } else if (a == "--allow-private") {
      RETURN_IF_ERROR(no_value());
      f.fetch.allow_private_addresses = true;
    } else if (a == "--allow-address") {
      ASSIGN_OR_RETURN(std::string v, need());
      StatusOr<fetch::AddressRule> rule = fetch::ParseAddressRule(v);
      if (!rule.ok()) return rule.status().WithContext("--allow-address");
      f.fetch.allowed_addresses.push_back(v);
    } else if (a == "--ca-cert") {
      ASSIGN_OR_RETURN(std::string v, need());
      Status ca = fetch::CheckCaCertFile(v);
      if (!ca.ok()) return ca.WithContext("--ca-cert");
      f.fetch.ca_cert_file = v;
    } else if (a == "--insecure") {
      RETURN_IF_ERROR(no_value());
      f.fetch.insecure = true;
    } else if (a == "--resolve") {
      ASSIGN_OR_RETURN(std::string v, need());
      StatusOr<fetch::ResolveRule> rule = fetch::ParseResolveRule(v);
      if (!rule.ok()) return rule.status().WithContext("--resolve");
      f.fetch.resolve.push_back(v);
    } else if (a == "--progress") {
      RETURN_IF_ERROR(no_value());
      f.job.progress = true;
    } else if (a == "--report") {
      ASSIGN_OR_RETURN(f.report, need());
      if (f.report.empty()) {
        return InvalidArgumentError("--report needs a file name");
      }
    } else if (a == "--summary-json") {
      ASSIGN_OR_RETURN(f.summary_json, need());
      if (f.summary_json.empty()) {
        return InvalidArgumentError("--summary-json needs a file name");
      }
    } else if (a == "--state") {
      ASSIGN_OR_RETURN(f.state, need());
      if (f.state.empty()) {
        return InvalidArgumentError("--state needs a directory");
      }
    } else if (a == "--revisit-initial") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.job.revisit.initial_interval_s, ParseDuration(a, v));
    } else if (a == "--revisit-min") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.job.revisit.min_interval_s, ParseDuration(a, v));
    } else if (a == "--revisit-max") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.job.revisit.max_interval_s, ParseDuration(a, v));
    } else if (a == "--frontier") {
      ASSIGN_OR_RETURN(f.frontier_url, need());
      if (!f.frontier_url.empty()) {
        StatusOr<redis::RedisAddress> address =
            redis::ParseRedisUrl(f.frontier_url);
        if (!address.ok()) return address.status().WithContext("--frontier");
      }
    } else if (a == "--crawl-name") {
      ASSIGN_OR_RETURN(f.crawl_name, need());
      RETURN_IF_ERROR(CheckSharedName("--crawl-name", f.crawl_name));
    } else if (a == "--node-id") {
      ASSIGN_OR_RETURN(f.node_id, need());
      RETURN_IF_ERROR(CheckSharedName("--node-id", f.node_id));
    } else if (a == "--frontier-timeout") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(int64_t ms, ParseSeconds(a, v));
      f.job.frontier_unavailable_timeout_s = ms / 1000.0;
    } else if (a == "--frontier-lease") {
      ASSIGN_OR_RETURN(std::string v, need());
      ASSIGN_OR_RETURN(f.frontier_lease_ms, ParseSeconds(a, v));
    } else if (a == "--metrics") {
      ASSIGN_OR_RETURN(std::string v, need());
      StatusOr<metrics::ListenAddress> address = metrics::ParseListenAddress(v);
      if (!address.ok()) return address.status().WithContext("--metrics");
      f.metrics = *address;
    } else if (a == "--") {
      for (++i; i < args.size(); ++i) f.seeds.push_back(args[i]);
    } else if (a.size() > 1 && a[0] == '-') {
      return InvalidArgumentError("unknown option '" + a +
                                  "' (see crawler crawl --help)");
    } else {
      f.seeds.push_back(a);
    }
  }
  RETURN_IF_ERROR(CheckRequestFlags(f.fetch));
  if (std::string bad = state::CheckRevisitOptions(f.job.revisit);
      !bad.empty()) {
    return InvalidArgumentError(
        bad + " (--revisit-min <= --revisit-initial <= --revisit-max)");
  }
  // Session ids make every visit a new URL (fault matrix T2): strip the
  // common ones before deduplication unless asked not to.
  if (!f.keep_session_ids) {
    for (const char* name : kSessionIdParams) {
      f.job.url.strip_query_params.push_back(name);
    }
  }
  f.fetch.capture_exchanges = !f.warc.prefix.empty();
  // The coordinator follows redirects itself, one hop at a time.
  f.fetch.max_redirects = 0;
  f.fetch.max_concurrency = f.job.workers.concurrency;
  f.job.product_token = robots::ProductToken(f.fetch.user_agent);
  if (!lease_set) {
    f.job.workers.lease_timeout_ms = f.fetch.total_timeout_ms + 10000;
  }
  return f;
}

}  // namespace crawler::cli
