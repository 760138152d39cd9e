// The Crawlee peer of bench/run.sh (issue 10): a CheerioCrawler from START
// over the bench site, robots.txt respected, links followed within the
// allowed origins, one JSON line per page written to OUT.
//
//   node crawl.mjs --start URL --origins-regex RE --out FILE
//                  [--concurrency N] [--per-host N] [--header-generator]
//
// Tuning for a 2-core machine (see bench/README.md):
//   - Node runs the crawl, cheerio's parse included, on one thread: one core.
//     Concurrency is fixed (minConcurrency = maxConcurrency = --concurrency):
//     the AutoscaledPool would otherwise start at 1 and grow by 5 % every
//     10 s, far too slowly for a crawl of seconds to minutes.
//   - --per-host N: at most N requests in flight to one host. Crawlee has no
//     such option (only a global maxConcurrency and sameDomainDelaySecs), so a
//     per-host semaphore is taken in a preNavigationHook and given back when
//     the body has been read and parsed (first thing in the requestHandler,
//     or in the error handlers): the same hold time as the crawler's
//     per-host slot, which is freed when the worker's parsed result arrives.
//   - Storage in memory (persistStorage: false), no session pool, no
//     cookies, retries as the crawler (2); browser-like header generation
//     off unless --header-generator (it costs CPU per request and does not
//     change what is fetched).
//   - maybeRunIntervalSecs 0.05 instead of 0.5, so an idle pool notices new
//     requests quickly.
import { CheerioCrawler, Configuration, log, LogLevel } from 'crawlee';
import fs from 'node:fs';

function parseArgs(argv) {
  const args = { concurrency: 32, perHost: 0, headerGenerator: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--start') args.start = next();
    else if (a === '--origins-regex') args.originsRegex = next();
    else if (a === '--out') args.out = next();
    else if (a === '--concurrency') args.concurrency = Number(next());
    else if (a === '--per-host') args.perHost = Number(next());
    else if (a === '--header-generator') args.headerGenerator = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.start || !args.originsRegex || !args.out) {
    throw new Error('usage: crawl.mjs --start URL --origins-regex RE --out FILE ' +
                    '[--concurrency N] [--per-host N] [--header-generator]');
  }
  return args;
}

// A counting semaphore per host.
class HostLimiter {
  constructor(limit) {
    this.limit = limit;
    this.inflight = new Map();
    this.waiting = new Map();
  }
  async acquire(host) {
    if (!this.limit) return;
    const n = this.inflight.get(host) || 0;
    if (n < this.limit) {
      this.inflight.set(host, n + 1);
      return;
    }
    await new Promise((resolve) => {
      if (!this.waiting.has(host)) this.waiting.set(host, []);
      this.waiting.get(host).push(resolve);
    });
  }
  release(host) {
    if (!this.limit) return;
    const queue = this.waiting.get(host);
    if (queue && queue.length) {
      queue.shift()();  // The slot passes to the next waiter.
      return;
    }
    this.inflight.set(host, (this.inflight.get(host) || 1) - 1);
  }
}

const args = parseArgs(process.argv);
log.setLevel(LogLevel.WARNING);
const out = fs.createWriteStream(args.out);
const limiter = new HostLimiter(args.perHost);
const held = new Map();  // request.id -> host whose slot it holds
const release = (request) => {
  const host = held.get(request.id);
  if (host !== undefined) {
    held.delete(request.id);
    limiter.release(host);
  }
};
let pages = 0;

const crawler = new CheerioCrawler({
  minConcurrency: args.concurrency,
  maxConcurrency: args.concurrency,
  autoscaledPoolOptions: { maybeRunIntervalSecs: 0.05 },
  respectRobotsTxtFile: true,
  maxRequestRetries: 2,
  useSessionPool: false,
  persistCookiesPerSession: false,
  preNavigationHooks: [
    async ({ request }, gotOptions) => {
      if (!args.headerGenerator) gotOptions.useHeaderGenerator = false;
      const host = new URL(request.url).host;
      await limiter.acquire(host);
      held.set(request.id, host);
    },
  ],
  async requestHandler({ request, response, $, enqueueLinks }) {
    release(request);
    pages++;
    out.write(JSON.stringify({
      url: request.url,
      status: response.statusCode,
      title: $('title').first().text(),
    }) + '\n');
    await enqueueLinks({
      strategy: 'all',
      regexps: [new RegExp(args.originsRegex)],
    });
  },
  async errorHandler({ request }) {
    release(request);
  },
  async failedRequestHandler({ request }, error) {
    release(request);
    out.write(JSON.stringify({ url: request.url, error: String(error) }) + '\n');
  },
}, new Configuration({ persistStorage: false, purgeOnStart: true }));

const stats = await crawler.run([args.start]);
await new Promise((resolve) => out.end(resolve));
process.stderr.write(`crawlee: ${pages} pages, ${stats.requestsFailed} failed, ` +
                     `${stats.requestsFinished} finished\n`);
