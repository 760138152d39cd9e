#include "crawler/cli/fetch_flags.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "crawler/cli/flag_values.h"
#include "crawler/cli/output_flags.h"
#include "crawler/cli/request_flags.h"
#include "crawler/cli/warc_flags.h"
#include "crawler/fetch/address_policy.h"

namespace crawler::cli {

const char* FetchUsage() {
  return R"(Usage: crawler fetch [OPTIONS] [URL...]

Fetches every URL once, in parallel, and prints one JSON object per URL:
  {"url", "final_url", "status", "content_type", "bytes", "title", "links",
   "elapsed_ms", "error"}
URLs come from the arguments, then from --input FILE; with neither, from
standard input. One URL per line; blank lines and '#' comments are ignored.

Options:
  -i, --input FILE        read URLs from FILE ('-' for standard input)
  -o, --output FILE       write records to FILE ('-': standard output, the
                          default); each record is written whole as it comes
  -w, --workers N         worker processes (default: number of CPUs)
  -c, --concurrency N     transfers in flight per worker (default: 16)
      --ordered           write records in input order (default: as they finish)
      --timeout SEC       whole-transfer time limit per URL (default: 30)
      --connect-timeout SEC
                          connection time limit (default: 10)
      --lease-timeout SEC time a worker may hold one URL before it is taken
                          to be hung, killed and replaced (default: --timeout
                          plus 10)
      --max-body BYTES    largest body kept, e.g. 16M (default: 16M); larger
                          ones are cut and reported as too_large
      --max-redirects N   redirects followed per URL (default: 10)
      --user-agent TEXT   User-Agent header (default: crawler/0.1)
      --retries N         extra attempts for a URL whose worker crashed
                          (default: 2)
      --allow-private     allow loopback, private and link-local addresses
                          (refused by default, checked on every connection)
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
Output and messages:
      --format FORMAT     records as jsonl (JSON lines, the default) or csv
                          (RFC 4180: a header line, CRLF line ends)
      --fields LIST       write only these fields, in this order, e.g.
                          url,status,title (default: every field)
      --progress          show progress on stderr even when it is not a
                          terminal: a line every second (on a terminal, a
                          status line refreshed in place is shown anyway,
                          unless -q or the records go to the terminal)
  -q, --quiet             print only errors on stderr
  -v, --verbose           also print one line per URL on stderr
      --log-level LEVEL   error, warn, info (default) or debug
      --log-file FILE     append messages to FILE, one timestamped line each,
                          instead of stderr (errors still go to stderr too)
      --grace-period SEC  after Ctrl-C or SIGTERM, time the URLs in flight
                          get to finish (default 5; 0: none); a second
                          Ctrl-C stops at once
      --max-error-rate RATE
                          exit with status 3 when more than RATE of the
                          URLs ended with an error: a fraction (0.05) or a
                          percentage (5%) (default: off)
  -h, --help              show this help

Exit status: 0 when every URL got its record (per-URL failures are in the
records), 1 when the job could not run or finish (e.g. the output cannot be
written), 2 on a usage error, 3 when more URLs failed than --max-error-rate
allows, 130/143 when stopped by SIGINT/SIGTERM.
)";
}

StatusOr<FetchFlags> ParseFetchFlags(const std::vector<std::string>& args) {
  FetchFlags f;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool has_inline_value = false;
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline_value = true;
      }
    }
    auto need_value = [&]() -> StatusOr<std::string> {
      if (has_inline_value) return value;
      if (i + 1 >= args.size()) {
        return InvalidArgumentError(
            a + " needs a value (see crawler fetch --help)");
      }
      return args[++i];
    };
    auto no_value = [&]() -> Status {
      if (has_inline_value) {
        return InvalidArgumentError(a + " takes no value, got '" + value + "'");
      }
      return Status::Ok();
    };
    ASSIGN_OR_RETURN(bool request_flag,
                     ParseRequestFlag(a, need_value, no_value, &f.fetch));
    if (request_flag) continue;
    ASSIGN_OR_RETURN(bool warc_flag, ParseWarcFlag(a, need_value, &f.warc));
    if (warc_flag) continue;
    ASSIGN_OR_RETURN(
        bool output_flag,
        ParseOutputFlag(a, need_value, no_value,
                        {&f.records, &f.log, &f.job.interrupt_grace_s,
                         &f.job.max_error_rate, output::RecordKind::kFetch}));
    if (output_flag) continue;
    if (a == "-h" || a == "--help") {
      RETURN_IF_ERROR(no_value());
      f.help = true;
    } else if (a == "-i" || a == "--input") {
      ASSIGN_OR_RETURN(f.input, need_value());
    } else if (a == "-o" || a == "--output") {
      ASSIGN_OR_RETURN(f.output, need_value());
    } else if (a == "-w" || a == "--workers") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseInt(a, v, 1, 256));
      f.job.workers = static_cast<int>(n);
    } else if (a == "-c" || a == "--concurrency") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseInt(a, v, 1, 1000));
      f.job.concurrency = static_cast<int>(n);
    } else if (a == "--ordered") {
      RETURN_IF_ERROR(no_value());
      f.job.ordered = true;
    } else if (a == "--progress") {
      RETURN_IF_ERROR(no_value());
      f.job.progress = true;
    } else if (a == "--allow-private") {
      RETURN_IF_ERROR(no_value());
      f.fetch.allow_private_addresses = true;
    } else if (a == "--allow-address") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      StatusOr<fetch::AddressRule> rule = fetch::ParseAddressRule(v);
      if (!rule.ok()) return rule.status().WithContext("--allow-address");
      f.fetch.allowed_addresses.push_back(v);
    } else if (a == "--ca-cert") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      Status ca = fetch::CheckCaCertFile(v);
      if (!ca.ok()) return ca.WithContext("--ca-cert");
      f.fetch.ca_cert_file = v;
    } else if (a == "--insecure") {
      RETURN_IF_ERROR(no_value());
      f.fetch.insecure = true;
    } else if (a == "--resolve") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      StatusOr<fetch::ResolveRule> rule = fetch::ParseResolveRule(v);
      if (!rule.ok()) return rule.status().WithContext("--resolve");
      f.fetch.resolve.push_back(v);
    } else if (a == "--timeout") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(f.fetch.total_timeout_ms, ParseSeconds(a, v));
    } else if (a == "--lease-timeout") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(f.job.lease_timeout_ms, ParseSeconds(a, v));
    } else if (a == "--connect-timeout") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(f.fetch.connect_timeout_ms, ParseSeconds(a, v));
    } else if (a == "--max-body") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseBytes(a, v));
      f.fetch.max_body_bytes = static_cast<size_t>(n);
    } else if (a == "--max-redirects") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseInt(a, v, 0, 50));
      f.fetch.max_redirects = static_cast<int>(n);
    } else if (a == "--retries") {
      ASSIGN_OR_RETURN(std::string v, need_value());
      ASSIGN_OR_RETURN(int64_t n, ParseInt(a, v, 0, 10));
      f.job.max_retries = static_cast<int>(n);
    } else if (a == "--user-agent") {
      ASSIGN_OR_RETURN(f.fetch.user_agent, need_value());
      for (char c : f.fetch.user_agent) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          return InvalidArgumentError(
              "--user-agent must not contain control characters (CR, LF...)");
        }
      }
    } else if (a == "--") {
      for (++i; i < args.size(); ++i) f.urls.push_back(args[i]);
    } else if (a.size() > 1 && a[0] == '-') {
      return InvalidArgumentError("unknown option '" + a +
                                  "' (see crawler fetch --help)");
    } else {
      f.urls.push_back(a);
    }
  }
  RETURN_IF_ERROR(CheckRequestFlags(f.fetch));
  f.fetch.capture_exchanges = !f.warc.prefix.empty();
  f.fetch.max_concurrency = f.job.concurrency;
  if (f.job.lease_timeout_ms < 0) {
    f.job.lease_timeout_ms = f.fetch.total_timeout_ms + 10000;
  }
  return f;
}

}  // namespace crawler::cli
