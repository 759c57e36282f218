"""Fetching as a good citizen would, and safely.

- robots.txt is read with a parser (protego, which knows the wildcards and
  longest-match rules of RFC 9309) and honoured for every URL, redirects
  included; its ``Crawl-delay`` raises the per-host delay. A robots.txt that
  is missing (4xx) allows everything; one that cannot be read (5xx, network
  error) disallows everything for a while, as RFC 9309 says.
- Per host (``host:port``, the server a URL names): one request at a time, at
  least ``min_delay`` apart; a 429 or 503 keeps the whole host waiting for its
  ``Retry-After``.
- Conditional GET: the caller passes the ETag / Last-Modified it stored and
  gets a 304 back as ``not_modified`` with no body.
- Timeouts to connect, between reads and in total (a server trickling bytes
  is cut off); retries with exponential backoff on network errors, 429 and
  5xx; a maximum body size counted after decompression (gzip bombs stop at
  the limit); http and https only; redirects followed by hand so each hop is
  checked again.
- Addresses are checked where the socket is opened: unless allowed, a host
  that resolves to a private, loopback, link-local or otherwise non-public
  address is refused. Checking at connect time, on the address actually
  used, leaves no gap for a DNS answer that changes between check and use.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from workers.fetch.urls import authority, origin
from workers.settings import Settings
from workers.store.crawl_records import Validators

ROBOTS_AGENT = "wiretrace"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
ACCEPTED_STATUSES = REDIRECTS | {200, 304}
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses after which trying the same URL again is pointless.
PERMANENT_STATUSES = frozenset({400, 401, 405, 410, 414, 451})
HOLD_STATUSES = frozenset({429, 503})
_ROBOTS_MAX_BYTES = 500 * 1024
_ROBOTS_UNREACHABLE_TTL = 60.0
_MAX_CRAWL_DELAY = 60.0


def crawler_version() -> str:
    try:
        return version("wiretrace")
    except PackageNotFoundError:
        return "dev"


def user_agent(contact_url: str) -> str:
    """An identifying User-Agent: who we are and where to read about us."""
    return f"{ROBOTS_AGENT}-crawler/{crawler_version()} (+{contact_url})"


@dataclass(frozen=True)
class FetchPolicy:
    """The limits and manners of the fetcher, from the settings."""

    user_agent: str
    min_delay: float
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_bytes: int
    retries: int
    backoff: float
    max_retry_after: float
    max_redirects: int
    allow_private: bool
    robots_ttl: float
    concurrency: int

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            user_agent=user_agent(settings.crawl_contact_url),
            min_delay=settings.crawl_min_delay_seconds,
            connect_timeout=settings.crawl_connect_timeout_seconds,
            read_timeout=settings.crawl_read_timeout_seconds,
            total_timeout=settings.crawl_total_timeout_seconds,
            max_bytes=settings.crawl_max_response_bytes,
            retries=settings.crawl_retries,
            backoff=settings.crawl_backoff_seconds,
            max_retry_after=settings.crawl_max_retry_after_seconds,
            max_redirects=settings.crawl_max_redirects,
            allow_private=settings.crawl_allow_private_addresses,
            robots_ttl=settings.crawl_robots_ttl_seconds,
            concurrency=settings.crawl_concurrency,
        )


class FetchError(Exception):
    """A URL could not be fetched. ``permanent``: trying again will not help;
    ``retry_at``: a server asked us (Retry-After) not to come back before then."""

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        permanent: bool = False,
        retry_at: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.permanent = permanent
        self.retry_at = retry_at
        self.status = status


class RobotsDisallowedError(FetchError):
    """robots.txt does not let us fetch the URL; not an error of the site."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "disallowed by robots.txt", permanent=True)


class NonPublicAddressError(Exception):
    """Raised at connect time: the host resolves to a non-public address."""


class AddressRefusedError(FetchError):
    """The URL's host resolves to an address the crawler may not connect to."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason, permanent=True)


class StoppedError(Exception):
    """The crawler is shutting down; the fetch was abandoned."""


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a public unicast address (IPv4-mapped IPv6 unwrapped)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, refusing non-public addresses unless allowed."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        if not self.allow_private:
            refused = [a for a in addresses if not is_public_address(a)]
            if refused:
                # The message reaches whoever submitted the URL: it must not say
                # what an internal host name resolves to.
                what = "is" if host in addresses else "resolves to"
                raise NonPublicAddressError(
                    f"{host} {what} a non-public address; refused "
                    "(WIRETRACE_CRAWL_ALLOW_PRIVATE_ADDRESSES allows it)"
                )
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address for {host}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over :class:`GuardedBackend`. httpx has no public switch
    for the socket backend, so the connection pool is rebuilt with one."""

    def __init__(self, policy: FetchPolicy) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max(10, policy.concurrency * 2),
            max_keepalive_connections=max(10, policy.concurrency * 2),
            network_backend=GuardedBackend(policy.allow_private),
        )


class HostGate:
    """One request at a time per host, ``delay`` apart; hosts can be held longer."""

    def __init__(self, min_delay: float, stop: threading.Event) -> None:
        self.min_delay = min_delay
        self.stop = stop
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._ready_at: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, seconds: float) -> None:
        """A host's own delay (robots.txt Crawl-delay), never below the minimum."""
        with self._guard:
            self._delays[host] = max(self.min_delay, min(seconds, _MAX_CRAWL_DELAY))

    def hold(self, host: str, seconds: float) -> None:
        """Send nothing to ``host`` for ``seconds`` (a 429/503 Retry-After)."""
        with self._guard:
            self._ready_at[host] = max(self._ready_at.get(host, 0.0), time.monotonic() + seconds)

    def pause(self, seconds: float) -> None:
        """Sleep, unless the crawler is told to stop first."""
        if seconds > 0 and self.stop.wait(seconds):
            raise StoppedError

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            with self._guard:
                wait = self._ready_at.get(host, 0.0) - time.monotonic()
            self.pause(wait)
            try:
                yield
            finally:
                with self._guard:
                    delay = self._delays.get(host, self.min_delay)
                    ready = max(self._ready_at.get(host, 0.0), time.monotonic() + delay)
                    self._ready_at[host] = ready


@dataclass(frozen=True)
class Fetched:
    """A response as the crawler keeps it: final URL, status, bounded body."""

    url: str
    status: int
    body: bytes
    headers: httpx.Headers

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def validators(self) -> Validators:
        return Validators(self.headers.get("etag"), self.headers.get("last-modified"))


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass
class _RobotsEntry:
    parser: Protego | None  # None: no rules
    unreadable: str | None  # why robots.txt could not be read: crawl nothing
    expires: float


class Fetcher:
    """The crawler's HTTP client. Thread-safe: the crawl runs several at once."""

    def __init__(self, policy: FetchPolicy, stop: threading.Event | None = None) -> None:
        self.policy = policy
        self.gate = HostGate(policy.min_delay, stop or threading.Event())
        self.client = httpx.Client(
            transport=GuardedTransport(policy),
            timeout=httpx.Timeout(
                policy.read_timeout, connect=policy.connect_timeout, pool=policy.total_timeout
            ),
            headers={"User-Agent": policy.user_agent},
            follow_redirects=False,
            trust_env=False,
        )
        self._robots: dict[str, _RobotsEntry] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_guard = threading.Lock()
        self._counter = threading.Lock()
        self.requests_made = 0

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the public call -----------------------------------------------------
    def fetch(self, url: str, validators: Validators | None = None) -> Fetched:
        """GET ``url`` politely: robots.txt checked at every hop, redirects followed.

        Returns a 200 with its body or a 304 (``not_modified``); raises
        :class:`FetchError` (or :class:`RobotsDisallowedError`) otherwise.
        """
        return self._follow(url, validators or Validators(), check_robots=True)

    # --- robots.txt ----------------------------------------------------------
    def check_robots(self, url: str) -> None:
        """Raise unless robots.txt of ``url``'s origin lets the crawler fetch it."""
        entry = self._robots_entry(origin(url))
        if entry.unreadable is not None:
            raise FetchError(
                url, f"robots.txt cannot be read ({entry.unreadable}); host skipped until it can"
            )
        if entry.parser is not None and not entry.parser.can_fetch(url, self.policy.user_agent):
            raise RobotsDisallowedError(url)

    def _robots_entry(self, site: str) -> _RobotsEntry:
        with self._robots_guard:
            lock = self._robots_locks.setdefault(site, threading.Lock())
        with lock:
            entry = self._robots.get(site)
            if entry is None or entry.expires <= time.monotonic():
                entry = self._load_robots(site)
                self._robots[site] = entry
            return entry

    def _load_robots(self, site: str) -> _RobotsEntry:
        now = time.monotonic()
        try:
            got = self._follow(f"{site}/robots.txt", Validators(), check_robots=False)
        except AddressRefusedError:
            raise
        except FetchError as exc:
            # RFC 9309: a robots.txt that is missing (4xx, but not 429) means no rules;
            # one that cannot be read means no crawling until it can.
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _RobotsEntry(None, None, now + self.policy.robots_ttl)
            return _RobotsEntry(None, exc.reason, now + _ROBOTS_UNREACHABLE_TTL)
        text = got.body[:_ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        parser = Protego.parse(text)
        delay = parser.crawl_delay(self.policy.user_agent)
        if delay:
            self.gate.set_delay(authority(site), float(delay))
        return _RobotsEntry(parser, None, now + self.policy.robots_ttl)

    # --- redirects, retries, one request ------------------------------------
    def _follow(self, url: str, validators: Validators, *, check_robots: bool) -> Fetched:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            if urlsplit(current).scheme.lower() not in {"http", "https"}:
                raise FetchError(current, "only http and https URLs are fetched", permanent=True)
            if check_robots:
                self.check_robots(current)
            got = self._with_retries(current, validators)
            if got.status not in REDIRECTS:
                return got
            location = got.headers.get("location")
            if not location:
                raise FetchError(current, f"HTTP {got.status} without a Location", permanent=True)
            current = urljoin(current, location)
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects", permanent=True)

    def _with_retries(self, url: str, validators: Validators) -> Fetched:
        policy = self.policy
        host = authority(url)
        for attempt in range(policy.retries + 1):
            backoff = policy.backoff * (2**attempt)
            try:
                got = self._request(url, validators)
            except httpx.TransportError as exc:
                error = FetchError(url, f"network error: {type(exc).__name__}: {exc}".strip(": "))
                wait = backoff
            else:
                if got.status in ACCEPTED_STATUSES:
                    return got
                if got.status not in RETRIED_STATUSES:
                    permanent = got.status in PERMANENT_STATUSES
                    raise FetchError(
                        url, f"HTTP {got.status}", permanent=permanent, status=got.status
                    )
                asked = retry_after_seconds(got.headers.get("retry-after"), time.time())
                wait = backoff if asked is None else asked
                if got.status in HOLD_STATUSES:
                    self.gate.hold(host, wait)
                if wait > policy.max_retry_after:
                    retry_at = time.time() + wait
                    raise FetchError(
                        url, f"HTTP {got.status}", retry_at=retry_at, status=got.status
                    )
                error = FetchError(url, f"HTTP {got.status}", status=got.status)
            if attempt == policy.retries:
                raise error
            self.gate.pause(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _request(self, url: str, validators: Validators) -> Fetched:
        deadline = time.monotonic() + self.policy.total_timeout
        with self.gate.turn(authority(url)):
            with self._counter:
                self.requests_made += 1
            try:
                with self.client.stream("GET", url, headers=validators.headers()) as response:
                    body = b""
                    if response.status_code == 200:
                        body = self._read_body(url, response, deadline)
                    return Fetched(str(response.url), response.status_code, body, response.headers)
            except NonPublicAddressError as exc:
                raise AddressRefusedError(url, str(exc)) from exc

    def _read_body(self, url: str, response: httpx.Response, deadline: float) -> bytes:
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                url, f"response of {declared} bytes is over the limit of {limit}", permanent=True
            )
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(
                    url, f"response is over the limit of {limit} bytes", permanent=True
                )
            if time.monotonic() > deadline:
                raise FetchError(url, f"response took over {self.policy.total_timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)
