"""The one object that owns wiretrace's settings.

Every knob is read from the environment (``WIRETRACE_<NAME>``; the Redis URL is
plain ``REDIS_URL`` as most hosting platforms set it) so that the web process,
the workers and the CLI agree on them. The settings are declared in groups, one
class per subsystem (:data:`GROUPS`); :class:`Settings` is all of them at once.
The engine's group is :class:`workers.engine.params.EngineParams`, declared
beside the engine, which takes just that group (``settings.engine_params()``);
every origins record echoes it so that a result says what made it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from workers.engine.params import EngineParams

API_KEY_HASH_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")


class RedisSettings(BaseModel):
    """Where things live: the Redis servers, the data directory, key and queue names."""

    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "WIRETRACE_REDIS_URL"),
        description="Redis server to use. Unset: wiretrace starts its own embedded server.",
    )
    store_redis_url: str | None = Field(
        default=None,
        description="Redis for the store (articles, passages, the LSH index) when it is not "
        "the queue's: a standalone server or any one node of a Redis Cluster (detected). "
        "Unset: the store lives in REDIS_URL with the queue.",
    )
    data_dir: Path = Field(
        default=Path("data"),
        description="Where the embedded Redis keeps its snapshot and append-only file.",
    )
    key_prefix: str = Field(
        default="wt", description="Prefix of every Redis key (the store adds a version)."
    )
    queue_name: str = Field(default="ingest", description="RQ queue the ingest jobs go to.")
    redis_socket_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a Redis command may take before the web process gives up and "
        "answers 503: a frozen Redis must not hang requests.",
    )
    redis_retries: int = Field(
        default=1,
        ge=0,
        description="Retries of a Redis command after a connection error or timeout.",
    )


class StoreSettings(BaseModel):
    """How the store keeps the index and texts, and how workers read them back."""

    index_buckets: int = Field(
        default=1 << 18,
        ge=1,
        description="Number of Redis hashes the LSH band entries are spread over.",
    )
    posting_cap: int = Field(
        default=64,
        ge=1,
        description="Most articles a band holds. A band that holds this many serves quotations "
        "only: it is returned to and keeps the latest of the articles that carry it inside "
        "quotation marks, and is left alone for the rest.",
    )
    text_dictionary_articles: int = Field(
        default=500,
        ge=0,
        description="Articles a store holds before it trains a compression dictionary on their "
        "most frequent words; texts saved after are compressed against it, a fifth smaller. "
        "0: never.",
    )
    prepared_cache_articles: int = Field(
        default=5_000,
        ge=0,
        description="Texts each worker keeps prepared for matching (about 65 KB each; "
        "the most recently used, prepared_cache_full_articles of them, about 110 KB): the "
        "candidates of a new article are mostly recent ones, prepared once, not per comparison.",
    )
    prepared_cache_full_articles: int = Field(
        default=1_000,
        ge=0,
        description="Of those, how many keep what comparing derived from them (the units' "
        "word fragments, the words' original offsets): the rest have it worked out again when "
        "next compared. Never fewer than max_candidates + 1 (one ingest's texts).",
    )
    candidate_wait_seconds: float = Field(
        default=2.0,
        ge=0.0,
        description="Longest wait for a candidate that another worker has indexed but not yet "
        "saved: two copies of one story ingested at once would otherwise find each other "
        "from neither side.",
    )


class LimitSettings(BaseModel):
    """Limits of what the service accepts."""

    max_body_bytes: int = Field(default=2 * 1024 * 1024, description="Largest request body.")
    max_text_chars: int = Field(default=1_000_000, description="Longest article text accepted.")
    max_paragraphs: int = Field(default=5_000, description="Most paragraphs in one article.")
    max_units: int = Field(
        default=20_000, description="Most fingerprinted units per article (bounds worker memory)."
    )


class JobSettings(BaseModel):
    """Jobs and waiting: timeouts, results, the workers."""

    default_wait_seconds: float = Field(
        default=5.0, ge=0, le=60, description="How long POST waits for the origins by default."
    )
    job_timeout_seconds: int = Field(default=120, description="Hard limit of one ingest job.")
    result_ttl_seconds: int = Field(default=3600, description="How long job results are kept.")

    worker_fork: bool = Field(
        default=False,
        description="Run each job in a forked child (RQ's Worker: a job that crashes its "
        "process cannot take the worker down, at a few milliseconds per job) instead of in the "
        "worker process itself (RQ's SimpleWorker, the default: no fork per job, and the cache "
        "of prepared texts stays warm; job timeouts are enforced either way).",
    )
    worker_batch_jobs: int = Field(
        default=20,
        ge=1,
        description="Most single-article ingest jobs (the API's) an in-process worker takes "
        "at once when they wait in the queue, at most half of those waiting: taken, started "
        "and finished with a few Redis round trips for them all instead of a dozen each, "
        "each job still with its own result, failure and timeout. 1: one job at a time.",
    )
    worker_monitoring_seconds: int = Field(
        default=10,
        ge=1,
        description="How often a forked work horse's job is recorded as alive; a job whose "
        "worker died is requeued once that record lapses (a minute later; the job timeout "
        "plus a minute for in-process workers), at once when a worker starts on its host.",
    )
    worker_ttl_seconds: int = Field(
        default=60,
        ge=20,
        description="A worker that has not checked in for this long counts as gone "
        "(/readyz, recovery of its job).",
    )
    worker_maintenance_seconds: int = Field(
        default=60,
        ge=5,
        description="How often workers look for abandoned jobs and clean RQ's registries.",
    )


class AccessSettings(BaseModel):
    """Access to the API: keys, rate limits, CORS."""

    api_key_hashes: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated `sha256:<hex>` hashes of the API keys allowed to write "
        "(make one with `wiretrace keys new`). None set: every write is refused.",
    )
    read_requires_key: bool = Field(
        default=False, description="Whether reading articles, origins and jobs needs a key too."
    )
    write_rate_limit: int = Field(
        default=600,
        ge=0,
        description="Writes one key may make per rate-limit window (0: unlimited).",
    )
    rate_limit_window_seconds: int = Field(
        default=60, ge=1, description="Length of the rate-limit window."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins whose browser pages may call the API (CORS). "
        "Empty: CORS is off.",
    )

    @field_validator("api_key_hashes", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        """Lists come from the environment as comma-separated strings."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("api_key_hashes")
    @classmethod
    def _hashes_not_keys(cls, value: list[str]) -> list[str]:
        """Refuse a raw key where its hash belongs, before it sits in a config file."""
        for entry in value:
            if not API_KEY_HASH_PATTERN.fullmatch(entry):
                raise ValueError(
                    "each entry must be `sha256:` and 64 hex digits, as printed by "
                    "`wiretrace keys new` (the hash of a key, never the key itself)"
                )
        return value


class OperationSettings(BaseModel):
    """Operations: readiness and logs."""

    ready_max_queue_depth: int = Field(
        default=1000,
        ge=1,
        description="/readyz reports not ready while more ingest jobs than this wait.",
    )
    log_level: str = Field(default="INFO", description="Level of the JSON logs on stderr.")


class WebSettings(BaseModel):
    """The web processes: where they listen and how many."""

    host: str = Field(
        default="127.0.0.1", description="Address `wiretrace serve` and gunicorn bind."
    )
    port: int = Field(default=8000, description="Port `wiretrace serve` and gunicorn listen on.")
    web_processes: int = Field(
        default=2, ge=1, description="gunicorn worker processes (docker-compose's web service)."
    )
    web_threads: int = Field(
        default=8,
        ge=1,
        description="Threads per gunicorn process; a POST holds one while it waits for its job.",
    )


class CrawlerSettings(BaseModel):
    """The crawler: politeness, timeouts, retries, schedule."""

    outlets_file: Path | None = Field(
        default=None,
        description="TOML file of the outlets to crawl (see outlets.example.toml). When set, "
        "`wiretrace serve` starts the crawler too; `wiretrace crawl` reads it by default.",
    )
    crawl_contact_url: str = Field(
        default="https://wiretrace.example/crawler",
        description="Where site owners can read about the crawler or reach its operator; "
        "sent in the User-Agent. Set it to your own page.",
    )
    crawl_min_delay_seconds: float = Field(
        default=2.0,
        ge=0,
        description="Least time between two requests to one host (robots.txt Crawl-delay "
        "raises it). 0 turns politeness off, for local benchmarks only.",
    )
    crawl_concurrency: int = Field(
        default=4, ge=1, le=64, description="Hosts fetched from at the same time."
    )
    crawl_connect_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest wait to connect to a host."
    )
    crawl_read_timeout_seconds: float = Field(
        default=20.0, gt=0, description="Longest silence while reading a response."
    )
    crawl_total_timeout_seconds: float = Field(
        default=60.0, gt=0, description="Longest one response may take in all (slow trickles)."
    )
    crawl_max_response_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        description="Largest response body read (after decompression); larger ones are refused.",
    )
    crawl_retries: int = Field(
        default=3, ge=0, le=10, description="Retries of a request on network errors, 429 and 5xx."
    )
    crawl_backoff_seconds: float = Field(
        default=1.0,
        ge=0,
        description="First wait before a retry; doubles each time unless Retry-After says.",
    )
    crawl_max_retry_after_seconds: float = Field(
        default=120.0,
        ge=0,
        description="Longest Retry-After waited for in place; a longer one defers the URL to "
        "a later cycle.",
    )
    crawl_max_redirects: int = Field(default=5, ge=0, le=20, description="Redirects followed.")
    crawl_allow_private_addresses: bool = Field(
        default=False,
        description="Allow URLs that resolve to private, loopback, link-local or other "
        "non-public addresses. Off so a feed cannot make the crawler probe an internal "
        "network; tests and the local demo turn it on.",
    )
    crawl_interval_seconds: float = Field(
        default=900.0, gt=0, description="Crawl interval of an outlet that does not set its own."
    )
    crawl_robots_ttl_seconds: float = Field(
        default=3600.0, ge=0, description="How long a host's robots.txt is trusted before refetch."
    )
    crawl_failure_retry_seconds: float = Field(
        default=300.0,
        ge=0,
        description="Wait before a failed page is tried again in a later cycle; doubles each time.",
    )
    crawl_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="One crawler per store: the running one renews its lease every third of "
        "this; a crawler that died frees the store after it.",
    )
    crawl_max_failure_attempts: int = Field(
        default=6, ge=1, description="Attempts at a failing page before the crawler gives it up."
    )
    crawl_max_entries_per_feed: int = Field(
        default=500, ge=1, description="Most entries read from one feed or sitemap."
    )
    crawl_batch_articles: int = Field(
        default=20,
        ge=1,
        le=500,
        description="Articles the crawler queues as one ingest job. RQ spends about as long "
        "on a job as the ingest of an article takes, and a job of one article also builds "
        "its origins record, which nobody reads for a crawled article.",
    )
    crawl_batch_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long an article found by the crawler waits for others to be queued "
        "with, checked as pages are read (a cycle's end queues what is left).",
    )


class EditorSettings(BaseModel):
    """The editor's pages: sign-in, review, page size."""

    editor_token: SecretStr | None = Field(
        default=None,
        min_length=12,
        description="Secret editors sign in with on the editor pages to mark matches "
        "confirmed or false positive and to paste articles. Unset: nobody signs in and "
        "review is off (pages and API). Needs WIRETRACE_SECRET_KEY.",
    )
    editor_token_hash: str | None = Field(
        default=None,
        pattern=API_KEY_HASH_PATTERN.pattern,
        description="The editor token as its `sha256:<hex>` hash, instead of "
        "WIRETRACE_EDITOR_TOKEN: the server then holds no copy of the token itself (`wiretrace "
        "keys new` prints a random key, usable as a token, and its hash). Needs "
        "WIRETRACE_SECRET_KEY.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="Key that signs the editors' session cookies (e.g. `openssl rand -hex 32`); "
        "the same in every web process.",
    )
    editor_pages_public: bool = Field(
        default=True,
        description="Whether the editor's read pages are open to anyone (true) or only to "
        "signed-in editors (false, which needs WIRETRACE_EDITOR_TOKEN).",
    )
    editor_page_size: int = Field(
        default=50, ge=5, le=500, description="Rows per page of the near-duplicates list."
    )
    editor_session_seconds: int = Field(
        default=12 * 3600,
        ge=60,
        description="How long an editor's sign-in lasts; signing out ends it at once.",
    )
    editor_signin_attempts: int = Field(
        default=10,
        ge=1,
        description="Wrong editor tokens one client address may send per sign-in window; "
        "past them every sign-in from it is refused (429) until the window ends.",
    )
    editor_signin_window_seconds: int = Field(
        default=900, ge=1, description="Length of the sign-in throttle's window."
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the session cookie Secure on every answer. Answers to HTTPS "
        "requests are marked anyway; set this behind a proxy that ends TLS without telling "
        "the service (X-Forwarded-Proto, trusted by gunicorn from FORWARDED_ALLOW_IPS).",
    )

    @model_validator(mode="after")
    def _editor_sign_in_is_complete(self) -> EditorSettings:
        """Half a sign-in configuration is refused at start, not discovered at sign-in."""
        if self.editor_token is not None and self.secret_key is None:
            raise ValueError("WIRETRACE_EDITOR_TOKEN needs WIRETRACE_SECRET_KEY to sign sessions")
        if self.editor_token_hash is not None and self.secret_key is None:
            raise ValueError(
                "WIRETRACE_EDITOR_TOKEN_HASH needs WIRETRACE_SECRET_KEY to sign sessions"
            )
        if not self.editor_pages_public and not self.editor_sign_in_configured:
            raise ValueError(
                "WIRETRACE_EDITOR_PAGES_PUBLIC=false needs WIRETRACE_EDITOR_TOKEN "
                "(and WIRETRACE_SECRET_KEY) so that editors can sign in"
            )
        return self

    @property
    def editor_sign_in_configured(self) -> bool:
        """Whether an editor token is set, as itself or as its hash."""
        return self.editor_token is not None or self.editor_token_hash is not None

    @property
    def review_enabled(self) -> bool:
        return self.editor_sign_in_configured and self.secret_key is not None


class WatchSettings(BaseModel):
    """Watches' webhook deliveries and their retries; the index's retention window."""

    webhook_allow_private_addresses: bool = Field(
        default=False,
        description="Let watches post to loopback, private and link-local addresses (refused "
        "by default, as the crawler refuses them: a webhook must not reach into the network "
        "wiretrace runs in).",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="How long one webhook POST may take."
    )
    webhook_retry_seconds: Annotated[list[int], NoDecode] = Field(
        default=[10, 60, 300, 1800, 7200],
        description="Delays before each retry of a failed delivery (comma-separated seconds); "
        "after the last, the event counts as failed.",
    )
    webhook_disable_after: int = Field(
        default=5,
        ge=1,
        description="A watch whose URL failed this many events in a row (every retry spent) "
        "is disabled, and its record says why; its events still reach its feed.",
    )
    index_retention_days: float | None = Field(
        default=None,
        gt=0,
        description="Fingerprints of articles older than this (published_at, else when "
        "ingested) leave the LSH index, swept at most every index_retention_sweep_seconds "
        "while articles come in; their records, passages and pages stay. Unset: keep "
        "everything.",
    )
    index_retention_sweep_seconds: int = Field(
        default=3600, ge=1, description="How often the retention sweep runs, at most."
    )
    watch_events_kept: int = Field(
        default=10_000,
        ge=10,
        description="Events (and their outcomes) kept per watch, newest first; the feed "
        "shows the latest 100.",
    )

    @field_validator("webhook_retry_seconds", mode="before")
    @classmethod
    def _retry_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.split(",") if v.strip()]
        return value

    @field_validator("webhook_retry_seconds")
    @classmethod
    def _retry_delays(cls, value: list[int]) -> list[int]:
        if any(v < 1 for v in value):
            raise ValueError("retry delays are whole seconds, at least 1")
        return value


class Settings(
    BaseSettings,
    RedisSettings,
    StoreSettings,
    EngineParams,
    LimitSettings,
    JobSettings,
    AccessSettings,
    OperationSettings,
    WebSettings,
    CrawlerSettings,
    EditorSettings,
    WatchSettings,
):
    """Every setting, read from the environment: ``WIRETRACE_<NAME>`` (and ``REDIS_URL``)."""

    model_config = SettingsConfigDict(env_prefix="WIRETRACE_", extra="ignore")


# The settings' groups, one per subsystem, in the order the docs list them.
GROUPS: tuple[type[BaseModel], ...] = Settings.__bases__[1:]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
