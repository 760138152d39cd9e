#!/usr/bin/python3
"""The Scrapy peer of bench/run.sh (issue 10): a CrawlSpider from START over
the bench site, ROBOTSTXT_OBEY on, links followed within the allowed hosts,
one JSON line per page (url, status, title) written to OUT.

  /usr/bin/python3 crawl.py --start URL --allow-host HOST [...] --out FILE
                            [--concurrency N] [--per-host N]

Tuning for a 2-core machine (see bench/README.md): Scrapy runs on one
Twisted reactor thread, so one core; CONCURRENT_REQUESTS is the global
in-flight limit (--concurrency) and CONCURRENT_REQUESTS_PER_DOMAIN the
per-host one (--per-host; each bench host is its own IP, so per domain is per
host); no download delay, AutoThrottle off, breadth-first order (FIFO queues,
DEPTH_PRIORITY 1) as the other crawlers, retries as the crawler (2), cookies,
telnet console and the memory-usage extension off, log level INFO; the
start URL goes through the duplicate filter (see start_requests).
"""

import argparse
import json

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class JsonLines:
    """Item pipeline: one JSON line per page, like the crawler's -o."""

    def open_spider(self, spider):
        self.f = open(spider.settings.get("BENCH_OUT"), "w")

    def close_spider(self, spider):
        self.f.close()

    def process_item(self, item, spider):
        self.f.write(json.dumps(item) + "\n")
        return item


class BenchSpider(CrawlSpider):
    name = "bench"
    rules = (Rule(LinkExtractor(), callback="parse_page", follow=True),)

    def __init__(self, start, hosts, *a, **kw):
        self.start_urls = [start]
        self.allowed_domains = hosts
        super().__init__(*a, **kw)

    def start_requests(self):
        # Scrapy sends start URLs with dont_filter=True, so they never enter
        # the duplicate filter and a later link to "/" fetches it again;
        # filtered like any request, "/" is fetched once.
        for url in self.start_urls:
            yield scrapy.Request(url, dont_filter=False)

    def parse_start_url(self, response):
        return self.parse_page(response)

    def parse_page(self, response):
        yield {"url": response.url, "status": response.status,
               "title": response.css("title::text").get()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--start", required=True)
    ap.add_argument("--allow-host", action="append", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--per-host", type=int, default=32)
    args = ap.parse_args()
    process = CrawlerProcess(settings={
        "BENCH_OUT": args.out,
        "ITEM_PIPELINES": {JsonLines: 100},
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DEPTH_LIMIT": 0,
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "RETRY_TIMES": 2,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "USER_AGENT": "scrapy-bench (+bench/run.sh)",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    process.crawl(BenchSpider, start=args.start, hosts=args.allow_host)
    process.start()


if __name__ == "__main__":
    main()
