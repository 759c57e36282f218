"""A crawl cycle: outlets' listings to ``ingest`` jobs, without repeats.

One cycle checks the listings (feeds, sitemaps) of the outlets that are due,
then reads the pages they list that are new, or updated since they were read,
and queues the articles found on the queue the API uses, a few to an
``ingest_batch`` job (RQ's own work on a job costs about an article's ingest).

No repeats:
- page URLs are canonicalised (tracking parameters, fragments, case) before
  anything else, and a page already read is not fetched again unless its
  listing says it changed since; even then the request is conditional;
- a page naming another URL of the same outlet as canonical is filed under
  that URL, so a story reached through two URLs is one article;
- an article whose text is already stored or queued is not queued again; an
  article whose text changed has its old text archived as a version
  (``<id>@v1``...) by the store first, so the old passages are kept.

A failure (network, HTTP status, bad XML, no text) is recorded with its reason
in the store; the page is retried in a later cycle with growing waits, up to a
limit, and a failed feed is checked again sooner than its interval. Nothing
one URL does can stop the crawler.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from rq import Queue

from workers.crawler.outlets import Outlet
from workers.crawler.report import Reporter
from workers.fetch.extract import HTML_TYPES, ExtractionError, Page, extract_page
from workers.fetch.fetcher import (
    Fetched,
    Fetcher,
    FetchError,
    FetchPolicy,
    RobotsDisallowedError,
    StoppedError,
)
from workers.fetch.listings import Listing, ListingError, parse_feed, parse_sitemap
from workers.fetch.urls import UnsupportedUrlError, article_id_for, canonical_url, site_of
from workers.jobs.pipeline import ArticleTooLargeError, check_limits
from workers.jobs.queue import enqueue_ingest_batch
from workers.models import ArticleIn, clean_line, usable_date
from workers.settings import Settings
from workers.store import Store, content_hash
from workers.store.crawl_records import (
    CrawlFailure,
    FailureKind,
    FeedState,
    ListingKind,
    PageTask,
    SeenPage,
)

_MAX_SITEMAP_DEPTH = 2
_MAX_TITLE = 1000
_MAX_AUTHOR = 300
_MAX_URL = 2048
_MAX_WAIT = 60.0
_MAX_RETRIES_PER_CYCLE = 10_000

T = TypeVar("T")


def is_newer(listed: datetime | None, known: datetime | None) -> bool:
    """Whether a listing's last-changed time says the page changed since it was read."""
    return listed is not None and (known is None or listed > known)


def merge_tasks(tasks: list[PageTask]) -> list[PageTask]:
    """One task per canonical URL (feeds and sitemaps often list the same page):
    the latest ``updated`` wins, the first listing's other details are kept."""
    merged: dict[str, PageTask] = {}
    for task in tasks:
        first = merged.get(task.url)
        if first is None:
            merged[task.url] = task
        elif is_newer(task.updated, first.updated):
            merged[task.url] = first.model_copy(update={"updated": task.updated})
    return list(merged.values())


def retry_delay(attempts: int, base: float) -> float:
    """Wait before the next attempt at a failing URL: ``base``, doubling."""
    return base * (2 ** max(0, attempts - 1))


def may_retry(failure: CrawlFailure, task: PageTask, now: float) -> bool:
    """A failed page is read again when its retry is due, or when its listing says
    it changed since it failed (a fixed page deserves a new chance)."""
    if failure.next_try_at is not None and failure.next_try_at <= now:
        return True
    return failure.task is not None and is_newer(task.updated, failure.task.updated)


@dataclass(frozen=True)
class Claim:
    """The article a page turned out to hold."""

    article_id: str
    canonical: str
    digest: str


@dataclass(frozen=True)
class Filed:
    """An article read from a page, held to be queued with others."""

    article: ArticleIn
    claim: Claim
    task: PageTask
    got: Fetched
    urls: list[str]  # the URLs it was reached by
    updated: bool  # a new text of a stored article
    held_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class PageJob:
    """A page to read and what is known of it already."""

    task: PageTask
    known: SeenPage | None


class Crawler:
    """Crawls a fixed set of outlets into a store and queue; one per crawler process."""

    def __init__(
        self,
        store: Store,
        queue: Queue,
        settings: Settings,
        outlets: list[Outlet],
        reporter: Reporter | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.store = store
        self.queue = queue
        self.settings = settings
        # Wire services first: theirs is the copy others reuse, best indexed before copies.
        self.outlets = sorted(outlets, key=lambda o: not o.wire)
        self.by_name = {o.name: o for o in outlets}
        self.reporter = reporter or Reporter()
        self.stop = stop or threading.Event()
        self.fetcher = Fetcher(FetchPolicy.from_settings(settings), self.stop)
        self._lock = threading.Lock()
        self._claims: set[str] = set()
        self._listing_retry: dict[str, float] = {}
        self._held: list[Filed] = []
        self._listings_read: dict[str, FeedState] = {}

    def close(self) -> None:
        self.fetcher.close()

    # --- running -------------------------------------------------------------
    def run_forever(self) -> None:
        """Crawl each outlet when it is due and each failed page when its retry is,
        until :attr:`stop` is set. A cycle that breaks (Redis away) is reported and
        the next one tried later."""
        names = [o.name for o in self.outlets]
        while not self.stop.is_set():
            now = time.time()
            try:
                schedule = self.store.outlet_schedule(names)
                due = [o for o in self.outlets if (schedule.get(o.name) or 0.0) <= now]
                next_retry = self.store.next_crawl_retry()
                ran = bool(due) or (next_retry is not None and next_retry <= now)
                if ran:
                    self.run_cycle(due)
                    schedule = self.store.outlet_schedule(names)
                    next_retry = self.store.next_crawl_retry()
                upcoming = [t for t in [*schedule.values(), next_retry] if t is not None]
                wake = min(upcoming, default=now + _MAX_WAIT)
                if ran:
                    self.reporter.waiting(wake)
            except Exception as exc:  # the crawler outlives any one cycle
                self.reporter.event("cycle.failed", reason=f"{type(exc).__name__}: {exc}")
                wake = now + _MAX_WAIT
            self.stop.wait(min(_MAX_WAIT, max(0.5, wake - time.time())))

    def run_cycle(self, due: list[Outlet] | None = None) -> None:
        """Check the listings of ``due`` outlets (all when None) and read the pages
        they list, plus the failed pages due for a retry."""
        started = time.time()
        outlets = self.outlets if due is None else due
        failures = self.store.due_crawl_retries(started, _MAX_RETRIES_PER_CYCLE)
        retries = [f.task for f in failures if f.task is not None]
        self._claims.clear()
        self._listing_retry.clear()
        self._listings_read.clear()
        self.reporter.cycle_started(len(outlets), len(retries))
        listings: list[tuple[Outlet, str, ListingKind]] = [
            (o, url, "feed") for o in outlets for url in o.feeds
        ]
        listings += [(o, url, "sitemap") for o in outlets for url in o.sitemaps]
        with ThreadPoolExecutor(self.settings.crawl_concurrency) as pool:
            found = self._each(pool, lambda item: self.check_listing(*item), listings)
            tasks = merge_tasks([t for batch in found for t in batch] + retries)
            try:
                self._each(pool, self.crawl_page, self.pages_to_read(tasks, started))
            finally:
                self.queue_held()
        # A listing's validators make the next check of it conditional, and an
        # unchanged listing lists nothing: they are kept only once every page it
        # listed was read, so that pages a stopped cycle left are listed again.
        if not self.stop.is_set():
            self.store.save_feed_states(self._listings_read)
        self.store.schedule_outlets(
            {
                o.name: min(started + self.interval(o), self._listing_retry.get(o.name, math.inf))
                for o in outlets
            }
        )
        self.reporter.cycle_finished(time.time() - started)

    def interval(self, outlet: Outlet) -> float:
        return outlet.interval or self.settings.crawl_interval_seconds

    def owner(self, url: str, listed_by: Outlet) -> Outlet:
        """The outlet a page belongs to: the one whose hosts it is on, when the outlet
        listing it is not (an aggregator's feed linking to the original), else the
        outlet that listed it."""
        site = site_of(url)
        if site in listed_by.trusted_hosts():
            return listed_by
        return next((o for o in self.outlets if site in o.trusted_hosts()), listed_by)

    def _each(self, pool: ThreadPoolExecutor, work: Callable[[T], object], items: list[T]) -> list:
        """``work`` over ``items`` on the pool. A stop abandons what is left; an
        unexpected error in one item is reported and the rest carry on."""

        def run(item: T) -> object:
            if self.stop.is_set():
                return None
            try:
                return work(item)
            except StoppedError:
                return None
            except Exception as exc:  # one bad item must not stop the cycle
                self.reporter.count("failed")
                self.reporter.event("item.failed", item=str(item), reason=repr(exc))
                return None

        return [r for r in pool.map(run, items) if r is not None]

    # --- listings ------------------------------------------------------------
    def check_listing(
        self, outlet: Outlet, url: str, kind: ListingKind, depth: int = 0
    ) -> list[PageTask]:
        """The pages a feed or sitemap lists (a sitemap index: its sitemaps' pages)."""
        state = self.store.feed_states([url]).get(url)
        try:
            got = self.fetcher.fetch(url, state.validators if state else None)
            self.reporter.count("feeds_checked")
            if got.not_modified:
                self.reporter.count("feeds_unchanged")
                self.reporter.event("feed.unchanged", outlet=outlet.name, url=url)
                return []
            listing = self._parse_listing(got, kind)
        except (FetchError, ListingError) as exc:
            failure = self._fail(url, kind, outlet.name, exc)
            if failure.next_try_at is not None:
                with self._lock:
                    self._listing_retry[outlet.name] = failure.next_try_at
            return []
        tasks = []
        for child in listing.sitemaps if depth < _MAX_SITEMAP_DEPTH else []:
            tasks += self.check_listing(outlet, child, "sitemap", depth + 1)
        for entry in listing.entries:
            try:
                page_url = canonical_url(entry.url)
            except UnsupportedUrlError:
                continue
            tasks.append(
                PageTask(
                    url=page_url,
                    outlet=self.owner(page_url, outlet).name,
                    listed_in=url,
                    updated=entry.updated,
                    published=entry.published,
                    title=entry.title,
                )
            )
        self.reporter.count("pages_listed", len(listing.entries))
        validators = got.validators
        with self._lock:
            self._listings_read[url] = FeedState(
                etag=validators.etag,
                last_modified=validators.last_modified,
                checked_at=time.time(),
                entries=len(listing.entries),
            )
        self.store.clear_crawl_failures([url])
        self.reporter.event("feed.checked", outlet=outlet.name, url=url, entries=len(tasks))
        return tasks

    def _parse_listing(self, got: Fetched, kind: ListingKind) -> Listing:
        limit = self.settings.crawl_max_entries_per_feed
        if kind == "sitemap":
            return parse_sitemap(got.body, limit, self.settings.crawl_max_response_bytes)
        return parse_feed(got.body, got.url, got.content_type, limit)

    # --- pages ---------------------------------------------------------------
    def pages_to_read(self, tasks: list[PageTask], now: float) -> list[PageJob]:
        """The pages not read yet, or changed since they were read; a page that
        failed waits for its retry unless its listing says it changed."""
        urls = [t.url for t in tasks]
        seen = self.store.seen_pages(urls)
        failures = self.store.crawl_failures(urls)
        wanted = []
        for task in tasks:
            known, failure = seen.get(task.url), failures.get(task.url)
            if known is not None and not is_newer(task.updated, known.updated):
                self.reporter.count("known")
            elif failure is None or may_retry(failure, task, now):
                wanted.append(PageJob(task, known))
        return wanted

    def crawl_page(self, job: PageJob) -> None:
        """Read one page and queue the article on it, unless it is already known."""
        self.queue_held(due_only=True)  # articles held while pages are slow to come
        task, known = job.task, job.known
        outlet = self.by_name.get(task.outlet)
        if outlet is None:  # the outlet has left the outlets file
            self.store.clear_crawl_failures([task.url])
            return
        try:
            got = self.fetcher.fetch(task.url, known.validators if known else None)
            if got.not_modified and known is not None:
                self.reporter.count("known")
                self._touch(task, known)
                return
            self.reporter.count("pages_fetched")
            if got.content_type not in HTML_TYPES:
                raise ExtractionError(f"not an HTML page ({got.content_type})")
            page = extract_page(got.body, got.url)
        except RobotsDisallowedError as exc:
            self.reporter.count("refused")
            self.reporter.event("page.refused", outlet=outlet.name, url=exc.url)
            return
        except (FetchError, ExtractionError) as exc:
            self._fail(task.url, "page", outlet.name, exc, task)
            return
        self.file_article(outlet, task, got, page)

    def file_article(self, outlet: Outlet, task: PageTask, got: Fetched, page: Page) -> None:
        """Queue the article a page holds, unless this text of it is already known."""
        # A redirect says where the page lives as plainly as a canonical link does.
        canonical = self.canonical_for(outlet, task.url, page.canonical or got.url)
        claim = Claim(article_id_for(canonical), canonical, content_hash(page.text))
        urls = list(dict.fromkeys([task.url, canonical]))
        known_as = self._already_have(claim, task.url)
        if known_as is not None:
            self.reporter.count(known_as)
            self._remember(self._read_pages(urls, claim, task, got), [task.url])
            return
        article = ArticleIn(
            id=claim.article_id,
            text=page.text,
            outlet=outlet.name,
            url=canonical if len(canonical) <= _MAX_URL else None,
            title=(clean_line(page.title or task.title) or "")[:_MAX_TITLE] or None,
            author=(clean_line(page.author) or "")[:_MAX_AUTHOR] or None,
            # A listing's or page's date out of the accepted range is a garbled one.
            published_at=usable_date(task.published) or usable_date(page.published),
        )
        try:
            check_limits(article, self.settings)
        except ArticleTooLargeError as exc:
            self._fail(task.url, "page", outlet.name, exc, task, permanent=True)
            return
        stored = self.store.lookup(claim.article_id)
        updated = stored is not None and stored.content_hash is not None
        self._hold(Filed(article, claim, task, got, urls, updated))

    def _hold(self, filed: Filed) -> None:
        """Hold an article to be queued with others (see :meth:`queue_held`)."""
        with self._lock:
            self._held.append(filed)
            held = self._take_held(due_only=True)
        self._queue(held)

    def queue_held(self, *, due_only: bool = False) -> None:
        """Queue the articles held as one job: all of them (the end of a cycle), or
        with ``due_only`` only once there are enough of them or the first has waited
        long enough (checked as each article is held and each page is read)."""
        with self._lock:
            held = self._take_held(due_only=due_only)
        self._queue(held)

    def _take_held(self, *, due_only: bool) -> list[Filed]:
        """The articles held, taken out (with :attr:`_lock` held)."""
        if not self._held:
            return []
        due = (
            len(self._held) >= self.settings.crawl_batch_articles
            or time.monotonic() - self._held[0].held_at >= self.settings.crawl_batch_seconds
        )
        if due_only and not due:
            return []
        held, self._held = self._held, []
        return held

    def _queue(self, held: list[Filed]) -> None:
        """Queue ``held`` as one job. Their pages are marked as read only after: a
        crawler stopped first reads them again next time instead of losing them."""
        if not held:
            return
        for filed in held:
            if filed.updated:
                self.store.archive_version(filed.article.id)
        articles = [filed.article.model_dump(mode="json") for filed in held]
        job = enqueue_ingest_batch(self.queue, articles, self.settings)
        read: dict[str, SeenPage] = {}
        for filed in held:
            read.update(self._read_pages(filed.urls, filed.claim, filed.task, filed.got))
        self._remember(read, [filed.task.url for filed in held])
        for filed in held:
            self.reporter.count("updated" if filed.updated else "new")
            self.reporter.event(
                "page.queued",
                outlet=filed.article.outlet,
                url=filed.task.url,
                id=filed.article.id,
                update=filed.updated,
                job=job.id,
            )

    def _already_have(self, claim: Claim, url: str) -> str | None:
        """``"duplicates"`` when another URL brought this article in this cycle or
        this text before, ``"known"`` when the page read from ``url`` holds the text
        already filed for it, None when the text is new. The article is claimed for
        the cycle first, so that no other URL of it (an AMP page with a few words
        more or less) queues it too, and so that the counts do not hang on which of
        its URLs was read first: the first is new (or known), the others duplicates."""
        with self._lock:
            claimed_already = claim.article_id in self._claims
            self._claims.add(claim.article_id)
        if claimed_already:
            return "duplicates"
        filed = self.store.seen_pages([claim.canonical]).get(claim.canonical)
        stored = self.store.lookup(claim.article_id)
        if (filed is not None and filed.content_hash == claim.digest) or (
            stored is not None and stored.content_hash == claim.digest
        ):
            return "known" if url == claim.canonical else "duplicates"
        return None

    def canonical_for(self, outlet: Outlet, url: str, declared: str | None) -> str:
        """The URL an article is filed under: the page's canonical link (or where it
        redirected to) when that is a page of the same outlet, else the URL it was
        read from. A canonical link to another site is ignored: scrapers copy them
        verbatim."""
        if not declared:
            return url
        try:
            canonical = canonical_url(declared)
        except UnsupportedUrlError:
            return url
        trusted = outlet.trusted_hosts() | {site_of(url)}
        return canonical if site_of(canonical) in trusted else url

    def _remember(self, pages: dict[str, SeenPage], fetched: list[str]) -> None:
        """Mark ``pages`` as read, and the URLs ``fetched`` as failing no more."""
        self.store.mark_seen(pages)
        self.store.clear_crawl_failures(fetched)

    @staticmethod
    def _read_pages(
        urls: list[str], claim: Claim, task: PageTask, got: Fetched
    ) -> dict[str, SeenPage]:
        """The URLs a page was reached by, each with what the page held. The
        validators belong to the URL fetched, not to the others it stands for."""
        seen = SeenPage(
            article_id=claim.article_id,
            canonical=claim.canonical,
            updated=task.updated,
            content_hash=claim.digest,
            fetched_at=time.time(),
        )
        validators = got.validators
        fetched = seen.model_copy(
            update={"etag": validators.etag, "last_modified": validators.last_modified}
        )
        return {url: fetched if url == task.url else seen for url in urls}

    def _touch(self, task: PageTask, known: SeenPage) -> None:
        """A page answered 304: unchanged since read; remember the listing's new time."""
        update = {"updated": task.updated or known.updated, "fetched_at": time.time()}
        self.store.mark_seen({task.url: known.model_copy(update=update)})

    # --- failures ------------------------------------------------------------
    def _fail(
        self,
        url: str,
        kind: FailureKind,
        outlet: str,
        exc: Exception,
        task: PageTask | None = None,
        *,
        permanent: bool = False,
    ) -> CrawlFailure:
        """Record why ``url`` failed and when to try it again; report it."""
        now = time.time()
        reason = exc.reason if isinstance(exc, FetchError) else str(exc)
        permanent = permanent or (isinstance(exc, FetchError) and exc.permanent)
        previous = self.store.crawl_failures([url]).get(url)
        attempts = previous.attempts + 1 if previous else 1
        next_try: float | None = None
        if not permanent and attempts < self.settings.crawl_max_failure_attempts:
            next_try = now + retry_delay(attempts, self.settings.crawl_failure_retry_seconds)
            if isinstance(exc, FetchError) and exc.retry_at:
                next_try = max(next_try, exc.retry_at)
        failure = CrawlFailure(
            url=url,
            kind=kind,
            outlet=outlet,
            reason=reason,
            attempts=attempts,
            first_failed_at=previous.first_failed_at if previous else now,
            last_failed_at=now,
            next_try_at=next_try,
            task=task,
        )
        self.store.record_crawl_failure(failure)
        self.reporter.count("failed")
        self.reporter.event(
            f"{kind}.failed",
            outlet=outlet,
            url=url,
            reason=reason,
            attempts=attempts,
            next_try_in=round(next_try - now, 1) if next_try else None,
        )
        return failure
