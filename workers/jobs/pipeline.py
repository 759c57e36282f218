"""Ingesting one article: the engine's stages wired to the store.

normalize -> segment -> fingerprint -> candidates -> verify -> align ->
classify -> attribute -> store. The text engine does the work; this module only
moves data between it and Redis, in a fixed number of round trips per article.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import redis

from workers.engine.attribute import wire_credits, wire_patterns
from workers.engine.candidates import quoted_sentence_sources, rank_candidates
from workers.engine.classify import quoted_units
from workers.engine.compare import PreparedArticle, compare_with_candidates, prepare_article
from workers.engine.copies import copy_relations
from workers.engine.fingerprint import band_keys, shingle_hashes, unit_signatures
from workers.engine.origins import build_origins
from workers.engine.params import EngineParams
from workers.logs import log_event
from workers.models import ArticleIn, MatchedPassage, Origins, StoredArticle
from workers.settings import Settings, get_settings
from workers.store import Store, content_hash

log = logging.getLogger("wiretrace.pipeline")


class PreparedCache:
    """Texts recently prepared for matching, by content hash; least recently used go.

    The candidates of a new article are mostly recent articles (the other
    outlets running the same wire story), and each is compared with several
    newcomers: preparing it once per process instead of once per comparison
    saves most of the engine's work, and its text need not be fetched from
    Redis and decompressed again. Keyed by content, so never stale.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], PreparedArticle] = OrderedDict()
        self._texts: dict[str, str] = {}

    @staticmethod
    def _key(digest: str, params: EngineParams) -> tuple[object, ...]:
        return (digest, *params.prepared_key())

    def text(self, digest: str) -> str | None:
        """The text with content hash ``digest``, if one is held."""
        return self._texts.get(digest)

    def prepare(
        self, text: str, digest: str, outlet: str | None, params: EngineParams
    ) -> PreparedArticle:
        """``text`` prepared for matching (``digest`` is its content hash)."""
        key = self._key(digest, params)
        prepared = self._items.get(key)
        if prepared is None:
            prepared = prepare_article(text, None, params)
            self._items[key] = prepared
            self._texts[digest] = text
            while len(self._items) > self.size:
                evicted, _ = self._items.popitem(last=False)
                self._texts.pop(str(evicted[0]), None)
        else:
            self._items.move_to_end(key)
        return replace(prepared, outlet=outlet)


@lru_cache(maxsize=1)
def process_cache() -> PreparedCache:
    """This process's cache of prepared texts, sized by the settings."""
    return PreparedCache(get_settings().prepared_cache_articles)


class ArticleTooLargeError(ValueError):
    """The article is over a configured limit; it is refused, not truncated."""


def check_limits(article: ArticleIn, settings: Settings) -> None:
    if len(article.text) > settings.max_text_chars:
        raise ArticleTooLargeError(
            f"text is {len(article.text)} characters; the limit is {settings.max_text_chars}"
        )


@dataclass(frozen=True)
class ArticleBands:
    """The LSH band keys an article is filed under, sorted and distinct, the
    unit (an index into its ``doc.units``) each key comes from, and which units
    lie inside quotation marks."""

    keys: np.ndarray
    units: np.ndarray
    quoted_units: np.ndarray  # bool, one flag a unit

    @property
    def quoted(self) -> np.ndarray:
        """Whether each key comes from a quoted unit."""
        return self.quoted_units[self.units]


def article_bands(prepared: PreparedArticle, settings: Settings) -> ArticleBands:
    """The LSH bands of an article: what the index files it under."""
    if len(prepared.doc.units) > settings.max_units:
        raise ArticleTooLargeError(
            f"article has {len(prepared.doc.units)} sentences; the limit is {settings.max_units}"
        )
    k = settings.candidate_shingle_size
    signatures, covered = unit_signatures(
        shingle_hashes(prepared.doc.words, k),
        prepared.doc.units,
        k,
        settings.num_perm,
        settings.minhash_seed,
    )
    keys, rows = band_keys(signatures, settings.lsh_rows)
    quoted = quoted_units(prepared.doc, prepared.quotes, settings.quote_share)
    return ArticleBands(keys, np.asarray(covered, dtype=np.int64)[rows], quoted)


def choose_candidates(
    prepared: PreparedArticle,
    bands: ArticleBands,
    hits: tuple[np.ndarray, np.ndarray, np.ndarray],
    settings: Settings,
) -> list[int]:
    """The indexed articles to compare with ``prepared``, from its band ``hits``
    (article numbers, their rarity, the position of their band in ``bands``):
    those sharing enough rare text, then those sharing a quoted sentence."""
    numbers, rarity, positions = hits
    chosen = rank_candidates(
        numbers,
        settings.max_candidates,
        rarity,
        settings.candidate_min_rarity,
        settings.candidate_min_bands,
    )
    if settings.candidate_quote_bands and bands.quoted_units.any() and numbers.size:
        sources = quoted_sentence_sources(
            numbers, bands.units[positions], bands.quoted_units, settings.candidate_quote_bands
        )
        chosen += [n for n in sources if n not in chosen]
    return chosen[: settings.max_candidates]


# How often a candidate still being ingested elsewhere is looked for again.
_CANDIDATE_POLL_SECONDS = 0.005


def load_candidates(
    store: Store, numbers: list[int], cache: PreparedCache
) -> dict[int, StoredArticle]:
    """The candidate articles ``numbers``, in that order, waiting for those not saved yet.

    An article enters the index before it is saved, and the index only tells a
    later article about it. When two workers ingest copies of one story at
    once, the later one finds the earlier in the index but not yet in the
    store: it waits for the save (milliseconds away) rather than leave the
    pair found from neither side. A new article waits only for those indexed
    before it, so no two new articles wait for each other; the wait is bounded
    by ``candidate_wait_seconds`` for an article whose ingest failed or whose
    worker died between the two steps (its job, run again, finds the later
    article in the index).
    """
    found = store.load_articles(numbers, known_text=cache.text)
    missing = [n for n in numbers if n not in found]
    deadline = time.monotonic() + store.settings.candidate_wait_seconds
    while missing and time.monotonic() < deadline:
        time.sleep(_CANDIDATE_POLL_SECONDS)
        found.update(store.load_articles(missing, known_text=cache.text))
        missing = [n for n in missing if n not in found]
    return {n: found[n] for n in numbers if n in found}


@dataclass(frozen=True)
class Indexed:
    """An article just stored, with the passages it shares with earlier ones."""

    stored: StoredArticle
    matches: dict[int, tuple[list[MatchedPassage], list[MatchedPassage]]]
    sources: dict[int, StoredArticle]  # the matched articles, by number


def index_article(
    store: Store, article: ArticleIn, *, force: bool = False, cache: PreparedCache | None = None
) -> Indexed | None:
    """Fingerprint, match and store ``article``; None if it is stored unchanged.

    Submitting the same id with the same text again changes nothing (unless
    ``force``); the same id with other text replaces it. ``cache`` (default:
    this process's) keeps prepared texts for the comparisons of later articles.
    """
    cache = cache if cache is not None else process_cache()
    settings = store.settings
    params = settings.engine_params()
    check_limits(article, settings)
    digest = content_hash(article.text)
    number, fresh = store.resolve(article.id)
    if not fresh and not force and store.stored_hash(number) == digest:
        return None

    prepared = cache.prepare(article.text, digest, article.outlet, params)
    bands = article_bands(prepared, settings)
    hits = store.index_and_query(number, bands.keys, quoted=bands.quoted, fresh=fresh)
    try:
        chosen = choose_candidates(prepared, bands, hits, settings)
        candidates = load_candidates(store, chosen, cache)
        prepared_candidates = [
            cache.prepare(c.text, c.content_hash, c.outlet, params) for c in candidates.values()
        ]
        compared = compare_with_candidates(prepared, prepared_candidates, params)
        matches = {
            other: (forward, backward)
            for other, (forward, backward) in zip(candidates, compared, strict=True)
            if forward
        }
        stored = StoredArticle(
            **article.model_dump(),
            content_hash=digest,
            wire=wire_credits(article.text, wire_patterns(params.extra_wires)),
        )
        matched = {candidates[n].id: candidates[n] for n in matches}
        copies = copy_relations(
            stored,
            {candidates[n].id: forward for n, (forward, _) in matches.items()},
            {candidates[n].id: backward for n, (_, backward) in matches.items()},
            matched,
            params,
        )
        store.save_article(number, stored, matches, candidates, fresh=fresh, copies=copies)
    except Exception:
        if fresh:
            withdraw_unsaved(store, number, bands.keys)
        raise
    return Indexed(stored, matches, {n: candidates[n] for n in matches})


def withdraw_unsaved(store: Store, number: int, band_keys: np.ndarray) -> None:
    """Take article ``number``, new to the index and whose ingest failed after
    indexing it, out of the index again, unless it was saved after all.

    Left in, every later article sharing its text would find it in the index
    but not in the store and wait ``candidate_wait_seconds`` for it in vain,
    until its job runs again. If Redis cannot be reached it stays in: the job,
    run again, indexes and saves it.
    """
    try:
        if store.stored_hash(number) is None:
            store.unindex(number, band_keys)
    except redis.RedisError as exc:
        log_event(log, "failed article left in the index", number=number, error=str(exc))


def ingest(store: Store, article: ArticleIn) -> Origins:
    """Fingerprint, match and store ``article``; return its origins."""
    indexed = index_article(store, article)
    if indexed is None:
        origins = load_origins(store, article.id)
        if origins is not None:
            return origins
        indexed = index_article(store, article, force=True)  # deleted meanwhile
    assert indexed is not None
    sources = indexed.sources
    return build_origins(
        indexed.stored,
        {sources[n].id: forward for n, (forward, _) in indexed.matches.items()},
        {source.id: source for source in sources.values()},
        store.settings.engine_params(),
    )


def load_origins(store: Store, article_id: str) -> Origins | None:
    """The origins of a stored article, derived from its stored matches."""
    found = store.load_article(article_id)
    if found is None:
        return None
    number, article = found
    matches = store.load_matches(number)
    sources = store.load_articles(matches)
    return build_origins(
        article,
        {sources[n].id: passages for n, passages in matches.items() if n in sources},
        {a.id: a for a in sources.values()},
        store.settings.engine_params(),
    )
