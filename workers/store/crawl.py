"""The crawler's state: feed validators, pages seen, failures, schedule, lease."""

from __future__ import annotations

from collections.abc import Mapping

from workers.store.base import StoreBase
from workers.store.codec import as_str, records
from workers.store.crawl_records import CrawlFailure, FeedState, SeenPage


class CrawlState(StoreBase):
    """What the crawler keeps between runs, shared by every crawler process."""

    def take_crawler_lease(self, holder: str, seconds: float) -> str | None:
        """Take, or as ``holder`` renew, the store's one crawler lease for ``seconds``;
        None when held, else who holds it. Two crawlers on one store would fetch
        every page twice and race to version the same articles."""
        other = self._take_lease_script(
            keys=[self.keys.crawl("lease")], args=[holder, int(seconds * 1000)]
        )
        return as_str(other) if other else None

    def release_crawler_lease(self, holder: str) -> None:
        """Give the lease up, if ``holder`` still has it."""
        self._release_lease_script(keys=[self.keys.crawl("lease")], args=[holder])

    def feed_states(self, urls: list[str]) -> dict[str, FeedState]:
        return records(self.client.hmget(self.keys.crawl("feeds"), urls), urls, FeedState)

    def save_feed_states(self, states: Mapping[str, FeedState]) -> None:
        if states:
            mapping = {url: state.model_dump_json() for url, state in states.items()}
            self.client.hset(self.keys.crawl("feeds"), mapping=mapping)  # type: ignore[arg-type]

    def seen_pages(self, urls: list[str]) -> dict[str, SeenPage]:
        if not urls:
            return {}
        return records(self.client.hmget(self.keys.crawl("seen"), urls), urls, SeenPage)

    def mark_seen(self, pages: Mapping[str, SeenPage]) -> None:
        if pages:
            mapping = {url: page.model_dump_json() for url, page in pages.items()}
            self.client.hset(self.keys.crawl("seen"), mapping=mapping)  # type: ignore[arg-type]

    def crawl_failures(self, urls: list[str] | None = None) -> dict[str, CrawlFailure]:
        """Recorded failures of ``urls`` (all of them when None)."""
        key = self.keys.crawl("failed")
        if urls is None:
            raw = self.client.hgetall(key)
            return {as_str(k): CrawlFailure.model_validate_json(v) for k, v in raw.items()}
        if not urls:
            return {}
        return records(self.client.hmget(key, urls), urls, CrawlFailure)

    def record_crawl_failure(self, failure: CrawlFailure) -> None:
        """Record why ``failure.url`` failed and queue its retry (if it has one)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self.keys.crawl("failed"), failure.url, failure.model_dump_json())
        if failure.next_try_at is not None and failure.task is not None:
            pipe.zadd(self.keys.crawl("retry"), {failure.url: failure.next_try_at})
        else:
            pipe.zrem(self.keys.crawl("retry"), failure.url)
        pipe.execute()

    def clear_crawl_failures(self, urls: list[str]) -> None:
        if urls:
            pipe = self.client.pipeline(transaction=True)
            pipe.hdel(self.keys.crawl("failed"), *urls)
            pipe.zrem(self.keys.crawl("retry"), *urls)
            pipe.execute()

    def due_crawl_retries(self, now: float, limit: int) -> list[CrawlFailure]:
        """Failed pages whose time to try again has come, earliest first."""
        due: list[bytes] = self.client.zrangebyscore(  # type: ignore[assignment]
            self.keys.crawl("retry"), "-inf", now, 0, limit
        )
        urls = [as_str(u) for u in due]
        return list(self.crawl_failures(urls).values())

    def next_crawl_retry(self) -> float | None:
        first = self.client.zrange(self.keys.crawl("retry"), 0, 0, withscores=True)
        return float(first[0][1]) if first else None

    def outlet_schedule(self, names: list[str]) -> dict[str, float | None]:
        """When each outlet is next due (None: never crawled)."""
        if not names:
            return {}
        due = self.client.zmscore(self.keys.crawl("due"), names)
        return dict(zip(names, due, strict=True))

    def schedule_outlets(self, due: Mapping[str, float]) -> None:
        if due:
            self.client.zadd(self.keys.crawl("due"), dict(due))
