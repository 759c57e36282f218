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
from functools import cached_property, lru_cache

import numpy as np
import redis

from workers.engine.attribute import wire_credits, wire_patterns
from workers.engine.candidates import (
    common_text_sources,
    quoted_sentence_sources,
    rank_candidates,
)
from workers.engine.compare import PreparedArticle, compare_with_candidates, prepare_article
from workers.engine.copies import copy_relations, shares_copy
from workers.engine.fingerprint import (
    band_keys,
    distinct_with_first,
    shingle_hashes,
    unit_signatures,
)
from workers.engine.origins import OriginFacts, build_origins, origin_facts, origins_record
from workers.engine.params import EngineParams
from workers.jobs.stages import stage_clock
from workers.logs import log_event
from workers.models import ArticleIn, MatchedPassage, Origins, PairEvidence, StoredArticle
from workers.settings import Settings, get_settings
from workers.store import ConcurrentWriteError, Store, content_hash
from workers.store.codec import encode_metadata

log = logging.getLogger("wiretrace.pipeline")


class PreparedCache:
    """Texts recently prepared for matching, by content hash; least recently used go.

    The candidates of a new article are mostly recent articles (the other
    outlets running the same wire story), and each is compared with several
    newcomers: preparing it once per process instead of once per comparison
    saves most of the engine's work, and its text need not be fetched from
    Redis and decompressed again. Keyed by content, so never stale.

    Comparing a text works out more from it (its units' fragments, its words'
    original offsets), as much again as preparing it. Only the ``full`` most
    recently used entries keep that; the others drop it (it is worked out again
    if they are compared again), so that the cache holds more texts in the same
    memory: a candidate that fell out costs a fetch and a full preparation.
    """

    def __init__(self, size: int, full: int | None = None) -> None:
        self.size = size
        self.full = size if full is None else full
        self._items: OrderedDict[tuple[str, tuple[object, ...]], PreparedArticle] = OrderedDict()
        self._texts: dict[str, str] = {}
        # The entries used last, which keep what comparing derived from them.
        self._recent: OrderedDict[tuple[str, tuple[object, ...]], None] = OrderedDict()

    @staticmethod
    def _key(digest: str, params: EngineParams) -> tuple[str, tuple[object, ...]]:
        return (digest, params.prepared_key())

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
                self._texts.pop(evicted[0], None)
                self._recent.pop(evicted, None)
        else:
            self._items.move_to_end(key)
        self._recent[key] = None
        self._recent.move_to_end(key)
        while len(self._recent) > self.full:
            lean, _ = self._recent.popitem(last=False)
            if lean in self._items:
                self._items[lean].doc.forget_derived()
        return replace(prepared, outlet=outlet)


@lru_cache(maxsize=1)
def process_cache() -> PreparedCache:
    """This process's cache of prepared texts, sized by the settings."""
    settings = get_settings()
    # An entry going lean while its own ingest still compares it would only get
    # its derived values back: the ones kept full are at least one ingest's texts.
    full = max(settings.prepared_cache_full_articles, settings.max_candidates + 1)
    return PreparedCache(settings.prepared_cache_articles, full)


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
    words: np.ndarray | None = None  # bool, one flag a key: a band of single words

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
    units = np.asarray(covered, dtype=np.int64)[rows]
    if settings.candidate_word_bands:
        # Bands of single words beside those of word pairs: a rewritten sentence keeps
        # more of its source's words (its names, figures, rarer terms) than of its
        # word pairs. A band of a word many articles hold fills and is left alone.
        words, word_covered = unit_signatures(
            shingle_hashes(prepared.doc.words, 1),
            prepared.doc.units,
            1,
            settings.candidate_word_bands,
            settings.minhash_seed,
        )
        word_keys, word_rows = band_keys(words, 1)
        pair_count = keys.size
        keys, first = distinct_with_first(np.concatenate((keys, word_keys ^ _WORD_BANDS)))
        units = np.concatenate((units, np.asarray(word_covered, dtype=np.int64)[word_rows]))
        return ArticleBands(keys, units[first], prepared.quoted, first >= pair_count)
    return ArticleBands(keys, units, prepared.quoted)


# Word bands' keys live apart from word pairs' (a constant of their own).
_WORD_BANDS = np.uint64(0x5BD1E9955BD1E995)


def choose_candidates(
    prepared: PreparedArticle,
    bands: ArticleBands,
    hits: tuple[np.ndarray, np.ndarray, np.ndarray],
    settings: Settings,
) -> list[int]:
    """The indexed articles to compare with ``prepared``, from its band ``hits``
    (article numbers, their rarity, the position of their band in ``bands``):
    those sharing enough rare text, then those sharing a quoted sentence.

    A band of single words counts only where at most
    ``candidate_word_band_holders`` articles held it: a rare word (a name, a
    figure, a rarer term) says which story a rewrite retells; a word many
    articles carry says nothing. Quoted sentences are found by word-pair bands.
    """
    numbers, rarity, positions = hits
    if bands.words is not None and numbers.size:
        word = bands.words[positions]
        kept = ~word | (rarity * settings.candidate_word_band_holders >= 1)
        pairs_only = ~word
        quoted_hits = (numbers[pairs_only], positions[pairs_only])
        numbers, rarity, positions = numbers[kept], rarity[kept], positions[kept]
    else:
        quoted_hits = (numbers, positions)
    chosen = rank_candidates(
        numbers,
        settings.max_candidates,
        rarity,
        settings.candidate_min_rarity,
        settings.candidate_min_bands,
    )
    if settings.candidate_quote_bands and bands.quoted_units.any() and quoted_hits[0].size:
        sources = quoted_sentence_sources(
            quoted_hits[0],
            bands.units[quoted_hits[1]],
            bands.quoted_units,
            settings.candidate_quote_bands,
        )
        chosen += [n for n in sources if n not in chosen]
    return chosen[: settings.max_candidates]


def widely_carried(
    store: Store, hits: np.ndarray, bands: ArticleBands, chosen: list[int]
) -> list[int]:
    """Candidates besides ``chosen`` for text carried so widely that its carriers
    weigh under the rarity floor (or fill the postings cap): a few of the articles
    that hold most of the new article's bands, and the origins of the copy
    clusters they are in, which the text already has. Every carrier of a wire
    brief is thus compared with its earliest ones, not with all of them."""
    settings = store.settings
    common = common_text_sources(
        hits, bands.keys.size, settings.common_text_share, settings.common_text_candidates
    )
    common = [n for n in common if n not in chosen]
    if not common:
        return []
    found = dict.fromkeys([*common, *store.cluster_origins(common)])
    return [n for n in found if n not in chosen]


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
    # Each pair's document-level evidence: as this article sees it, as the other does.
    evidence: dict[int, tuple[PairEvidence, PairEvidence]]
    params: EngineParams  # what it was worked out with

    @cached_property
    def facts(self) -> OriginFacts:
        """What the article's origins record says, worked out once: the copy
        relations read it, and the record the API answers with is built from it."""
        return origin_facts(
            self.stored,
            {self.sources[n].id: forward for n, (forward, _) in self.matches.items()},
            {source.id: source for source in self.sources.values()},
            self.params,
            {self.sources[n].id: own for n, (own, _) in self.evidence.items()},
        )


# Times an ingest is worked out again when another write of the same article
# was saved first; beyond that the job fails, and RQ tries it again later.
_WRITE_ATTEMPTS = 5


def index_article(
    store: Store, article: ArticleIn, *, force: bool = False, cache: PreparedCache | None = None
) -> Indexed | None:
    """Fingerprint, match and store ``article``; None if it is stored unchanged.

    Submitting the same id with the same text and metadata again changes
    nothing (unless ``force``); the same id with other text or metadata
    replaces it: its text, index postings, passages and clusters. Writes of
    one id are serialised: when two ingests of it run at once, the first to
    save wins, and the other is worked out again as an update of it, so the
    last saved text is stored with its own passages, never another's.
    ``cache`` (default: this process's) keeps prepared texts for the
    comparisons of later articles.
    """
    cache = cache if cache is not None else process_cache()
    check_limits(article, store.settings)
    stage_clock().start()
    attempt = 1
    while True:
        try:
            return _index_once(store, article, force, cache)
        except ConcurrentWriteError:
            if attempt == _WRITE_ATTEMPTS:
                raise
            attempt += 1
            log_event(log, "article saved meanwhile; working it out again", article=article.id)


def _index_once(
    store: Store, article: ArticleIn, force: bool, cache: PreparedCache
) -> Indexed | None:
    """One attempt of :func:`index_article`."""
    settings = store.settings
    params = settings.engine_params()
    clock = stage_clock()
    digest = content_hash(article.text)
    number, fresh = store.resolve(article.id)
    stored = None if fresh else store.stored_version(number)
    unchanged = stored is not None and (stored.content_hash, stored.metadata) == (
        digest,
        encode_metadata(article),
    )
    clock.lap("number")
    if unchanged and not force:
        return None

    prepared = cache.prepare(article.text, digest, article.outlet, params)
    clock.lap("prepare")
    bands = article_bands(prepared, settings)
    replaced = stored.content_hash if stored is not None else None
    if replaced is None:
        replaced_keys = NO_BANDS
    elif replaced == digest:  # new metadata only: the text keeps its postings
        replaced_keys = bands.keys
    else:
        replaced_keys = stored_bands(store, number, cache)
    clock.lap("bands")
    hits = store.index_and_query(number, bands.keys, quoted=bands.quoted, fresh=fresh)
    clock.lap("index")
    try:
        chosen = choose_candidates(prepared, bands, hits, settings)
        chosen = [*chosen, *widely_carried(store, hits[0], bands, chosen)]
        clock.lap("candidates")
        candidates = load_candidates(store, chosen[: settings.max_candidates], cache)
        prepared_candidates = [
            cache.prepare(c.text, c.content_hash, c.outlet, params) for c in candidates.values()
        ]
        clock.lap("load")
        compared = compare_with_candidates(prepared, prepared_candidates, params, clock.lap)
        found = {
            other: match for other, match in zip(candidates, compared, strict=True) if match.forward
        }
        matches = {other: (match.forward, match.backward) for other, match in found.items()}
        evidence = {
            other: (
                PairEvidence(match.evidence.a_score, match.evidence.a_aligned),
                PairEvidence(match.evidence.b_score, match.evidence.b_aligned),
            )
            for other, match in found.items()
            if match.evidence.worked_out
        }
        clock.lap("compare")
        saved = StoredArticle(
            **article.model_dump(),
            content_hash=digest,
            wire=wire_credits(article.text, wire_patterns(params.extra_wires)),
        )
        indexed = Indexed(saved, matches, {n: candidates[n] for n in matches}, evidence, params)
        copies = (
            copy_relations(
                saved,
                indexed.facts,
                {candidates[n].id: backward for n, (_, backward) in matches.items()},
                {candidates[n].id: candidates[n] for n in matches},
                params,
            )
            if shares_copy(forward for forward, _ in matches.values())
            else []
        )
        clock.lap("attribute")
        store.save_article(
            number,
            saved,
            matches,
            candidates,
            fresh=fresh,
            replacing=replaced,
            copies=copies,
            evidence=evidence,
        )
    except Exception:
        withdraw_unsaved(store, number, bands.keys, replaced, replaced_keys)
        raise
    # The replaced text leaves the index: left in, its postings would make the
    # article a candidate of every later article sharing the old text, and
    # outlive a delete (which unindexes the text it finds). Should the process
    # die just before, they are only a wasted comparison: the article exists.
    # Most ingests replace nothing, and np.setdiff1d sorts both arrays whatever
    # their size: a tenth of a millisecond spent on an empty answer.
    if replaced_keys.size:
        store.unindex(number, np.setdiff1d(replaced_keys, bands.keys))
    clock.lap("save")
    return indexed


NO_BANDS = np.empty(0, dtype=np.uint64)


def stored_bands(store: Store, number: int, cache: PreparedCache) -> np.ndarray:
    """The band keys of the text stored as article ``number`` (none if it is gone)."""
    old = store.load_articles([number], known_text=cache.text).get(number)
    if old is None:
        return NO_BANDS
    params = store.settings.engine_params()
    prepared = cache.prepare(old.text, old.content_hash, old.outlet, params)
    return article_bands(prepared, store.settings).keys


def withdraw_unsaved(
    store: Store,
    number: int,
    band_keys: np.ndarray,
    replaced: str | None = None,
    replaced_keys: np.ndarray = NO_BANDS,
) -> None:
    """Take the postings of article ``number``'s text out of the index again
    (``band_keys``) after its ingest failed, where no other text needs them:
    when nothing is saved as ``number`` now, or the text it was to replace
    (content hash ``replaced``, filed under ``replaced_keys``) still is. If
    another write of the article was saved meanwhile, its next attempt sees to them.

    Left in, every later article sharing the text would find it in the index
    but not in the store (a new article's) and wait ``candidate_wait_seconds``
    for it in vain, until its job runs again. If Redis cannot be reached they
    stay in: the job, run again, indexes and saves the article.
    """
    try:
        now = store.stored_hash(number)
        if now is None:
            store.unindex(number, band_keys)
        elif now == replaced:
            store.unindex(number, np.setdiff1d(band_keys, replaced_keys))
    except redis.RedisError as exc:
        log_event(log, "failed article left in the index", number=number, error=str(exc))


def ingest(store: Store, article: ArticleIn) -> Origins:
    """Fingerprint, match and store ``article``; return its origins."""
    indexed = index_article(store, article)
    if indexed is None:
        origins = load_origins(store, article.id)
        if origins is not None:
            stage_clock().lap("origins")
            return origins
        indexed = index_article(store, article, force=True)  # deleted meanwhile
    assert indexed is not None
    origins = origins_record(indexed.stored, indexed.facts, indexed.params)
    stage_clock().lap("origins")
    return origins


def load_origins(store: Store, article_id: str) -> Origins | None:
    """The origins of a stored article, derived from its stored matches."""
    found = store.load_article(article_id)
    if found is None:
        return None
    number, article = found
    pairs = store.load_pairs(number)
    sources = store.load_articles(pairs)
    return build_origins(
        article,
        {sources[n].id: pair.passages for n, pair in pairs.items() if n in sources},
        {a.id: a for a in sources.values()},
        store.settings.engine_params(),
        {
            sources[n].id: pair.evidence
            for n, pair in pairs.items()
            if n in sources and pair.evidence is not None
        },
    )
