"""Scrapy settings for the portal crawl. Per-run values (sites, store, caps) are added by runner.py."""

from scrapy.settings import default_settings

from zwgk import __version__

BOT_NAME = "zwgk"
SPIDER_MODULES = ["zwgk.crawler.spiders"]
NEWSPIDER_MODULE = "zwgk.crawler.spiders"

# Identify ourselves: site operators should know an inspection tool is visiting.
USER_AGENT = f"Mozilla/5.0 (compatible; zwgk-audit/{__version__}; 政务公开检查)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = True              # WAFs on government portals set a cookie on a first 302
TELNETCONSOLE_ENABLED = False

# An audit records every status; nothing is dropped as an "HTTP error".
HTTPERROR_ALLOW_ALL = True
REDIRECT_MAX_TIMES = 10             # beyond this a chain is reported as a redirect loop
RETRY_ENABLED = True
RETRY_TIMES = 1
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
DNS_TIMEOUT = 10

# Politeness: per-site slots (download_slot = site key, see runner.DOWNLOAD_SLOTS) and AutoThrottle.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

# Depth, its limit and priorities are ours (meta zwgk_depth, per site, see focus.py); a refused
# HEAD retried as GET must keep its depth, which DepthMiddleware would bump.
DEPTH_LIMIT = 0
DEPTH_PRIORITY = 0
DEPTH_STATS_VERBOSE = False

# The queue is the run's frontier (scheduler.py: leased rows in the store, shared by the crawl workers,
# and the resume state); no JOBDIR, whose disk queue pickled every request for nothing.
SCHEDULER = "zwgk.crawler.scheduler.FrontierScheduler"
DUPEFILTER_CLASS = "zwgk.crawler.dupefilter.StoreDupeFilter"
ZWGK_FRONTIER = "zwgk.crawler.frontier.StoreFrontier"
ZWGK_WRITE_BATCH = 400              # writes per transaction at most (pages, frontier rows, lease changes)
ZWGK_WRITE_SECONDS = 1.0            # … and none waits longer: a SIGKILL loses at most this much
# Scrapy re-reads each callback's source per response to warn about `return` in generators: not for us.
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "zwgk.crawler.robots.RobotsTxtMiddleware": 100,     # every waiting request checked (robots.py)
    # after RobotsTxtMiddleware (100): robots-blocked requests do not use up the page budget
    "zwgk.crawler.middlewares.SiteLimitsMiddleware": 110,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "zwgk.crawler.middlewares.LoopAwareRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "zwgk.crawler.middlewares.QuickMetaRefreshMiddleware": 580,
    # the portal spider has no allowed_domains (scope is ours: sitescope.py), so Scrapy's offsite
    # filter allows everything — twice per request (when scheduled and when sent)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    # the same counts without the byte counts, which rebuilt every request's HTTP text
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "zwgk.crawler.middlewares.CountingDownloaderStats": 850,
}
# Scrapy hands a callback's output to CONCURRENT_ITEMS asyncio tasks per response (100 by default: 101
# tasks and a queue for every page). Our pipeline is synchronous, so one at a time is as fast and keeps
# the output's order; the 100 tasks cost about 8 % of a crawl's CPU (bench/README.md).
CONCURRENT_ITEMS = 1
# Spider middlewares that only cost: depth is ours (zwgk_depth), and the meta-copy check warns about
# a mistake our spider does not make (it builds every meta afresh). What Scrapy's start, referer and
# URL-length middlewares do to a callback's output is done in one layer (each layer wraps every
# callback's output in more async generators): SpiderOutputMiddleware, placed where the first was.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": None,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "zwgk.crawler.middlewares.SpiderOutputMiddleware": 25,
}
ITEM_PIPELINES = {"zwgk.crawler.pipelines.StorePipeline": 300}
EXTENSIONS = {"zwgk.crawler.progress.ProgressLine": 500}
# Scrapy's remote control (off unless configured) imports aiohttp's web server only to find that out,
# ≈ 0.2 s of every worker's start-up; Scrapy imports every listed extension, even one set to None,
# so it leaves the base list. (No control port on an inspector's machine either.)
EXTENSIONS_BASE = {name: order for name, order in default_settings.EXTENSIONS_BASE.items()
                   if not name.endswith(".RemoteControl")}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
