"""robots.txt, obeyed by every request — also those that wait while it is being fetched.

Scrapy 2.13+'s RobotsTxtMiddleware lets the requests that arrive while a host's robots.txt is still
downloading await the parser's Deferred through `maybe_deferred_to_future`; under the asyncio reactor
that is `Deferred.asFuture`, whose callback returns None, so the first waiter gets the parser and every
later one gets None — "no robots.txt", everything allowed (scrapy/scrapy#6802 replaced the old
pass-through callback). A single-process crawl rarely has two requests waiting on one host, but a
crawl worker leasing a batch of one site's rows has many. Here each waiter gets its own Deferred,
chained without consuming the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.robotstxt import RobotParser


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred[Any] = Deferred()

        def hand_on(result: Any) -> Any:
            waiter.callback(result)
            return result              # the next waiter gets it too

        pending.addBoth(hand_on)
        return await maybe_deferred_to_future(waiter)
