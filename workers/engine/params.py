"""The engine's parameters: the one declaration of every knob that shapes a result.

The engine's functions take an :class:`EngineParams` (never the service's whole
settings). Each parameter says here what it does; ``shapes`` says what else it
decides besides the passages and verdicts:

- ``index``: what the LSH index holds, so an index built under one value cannot
  serve another (:meth:`EngineParams.index_fingerprint`);
- ``prepared``: how a text is prepared for matching, so the workers' cache of
  prepared texts is keyed by it (:meth:`EngineParams.prepared_key`).

Every origins record echoes all of them (:meth:`EngineParams.echo`), so a result
says what made it. The service's settings (:class:`workers.settings.Settings`)
read the same fields from the environment (``WIRETRACE_SHINGLE_SIZE`` ...).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, Field


class EngineParams(BaseModel):
    """Parameters of segmenting, fingerprinting, candidates, alignment and verdicts."""

    shingle_size: int = Field(
        default=4,
        ge=2,
        le=12,
        description="Words per shingle of exact alignment (its seeds).",
        json_schema_extra={"shapes": ["index", "prepared"]},
    )
    candidate_shingle_size: int = Field(
        default=2,
        ge=1,
        le=12,
        description="Words per shingle of the MinHash signatures that find candidates. "
        "Shorter than alignment shingles so rewritten sentences still share some.",
        json_schema_extra={"shapes": ["index"]},
    )
    num_perm: int = Field(
        default=8,
        ge=2,
        le=256,
        description="MinHash permutations per fingerprinted unit (bands x rows).",
        json_schema_extra={"shapes": ["index"]},
    )
    minhash_seed: int = Field(
        default=1,
        ge=0,
        description="Seed of the MinHash permutations (datasketch's seed). Which sentences "
        "share a band is a random draw: a paraphrase sharing few word pairs with its "
        "source is found under some seeds and not others (`wiretrace eval --seeds` "
        "measures the spread).",
        json_schema_extra={"shapes": ["index"]},
    )
    candidate_word_bands: int = Field(
        default=4,
        ge=0,
        le=64,
        description="MinHash values over single words per fingerprinted unit, each its own "
        "LSH band, beside the word-pair bands: a rewritten sentence keeps more of its "
        "source's words (names, figures, rarer terms) than of its word pairs, and these "
        "find the rewrite's source among the candidates. A band of a word that many "
        "articles hold fills (posting_cap) and is left alone. 0: none.",
        json_schema_extra={"shapes": ["index"]},
    )
    candidate_word_band_holders: int = Field(
        default=4,
        ge=1,
        description="A word band counts toward a candidate only where at most this many "
        "articles held it: a rare word (a name, a figure, a rarer term) says which story a "
        "rewrite retells, one that many articles carry says nothing.",
    )
    lsh_rows: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Rows per LSH band. Bands = num_perm / lsh_rows. One row: two sentences "
        "share a band whenever one of their MinHash values agrees (Jaccard J finds them "
        "with probability 1 - (1 - J)**bands), so rewritten sentences sharing few word "
        "pairs are still found.",
        json_schema_extra={"shapes": ["index"]},
    )
    unit_max_tokens: int = Field(
        default=40,
        ge=8,
        description="Longest fingerprinted unit (a sentence, or a window of a long one).",
        json_schema_extra={"shapes": ["index", "prepared"]},
    )
    unit_min_tokens: int = Field(
        default=8,
        ge=2,
        description="Short sentences are joined with the next until they reach this many words.",
        json_schema_extra={"shapes": ["index", "prepared"]},
    )
    max_candidates: int = Field(
        default=40, ge=1, description="Most candidate articles aligned per ingested article."
    )
    candidate_min_rarity: float = Field(
        default=1.0,
        ge=0.0,
        description="A candidate's band hits, each weighing one over the number of articles "
        "its band holds, must sum to this much: an article sharing only bands that many "
        "articles carry (a credit line, a common phrase) is not compared.",
    )
    candidate_min_bands: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Bands a candidate must share with the new article: one band is one "
        "shared word pair, however rare, which two articles of a large archive share by "
        "chance (at 30,000 articles, half the candidates above the rarity floor did).",
    )
    candidate_quote_bands: int = Field(
        default=4,
        ge=0,
        le=64,
        description="An article sharing this many bands with one quoted sentence of the new "
        "article is a candidate whatever their rarity: a quotation of common words lands in "
        "bands that tens of articles hold, and would weigh under the floor (0: no exception).",
    )
    common_text_candidates: int = Field(
        default=4,
        ge=0,
        le=64,
        description="Text carried so widely that its bands weigh under the rarity floor (or "
        "fill the postings cap) is still traced: this many of the articles sharing most of "
        "the new article's bands (common_text_share), the earliest indexed first, are "
        "compared with it, and so are the origins of the copy clusters they are in. A wire "
        "brief run everywhere gets its origin, at the cost of a few comparisons (0: off).",
    )
    common_text_share: float = Field(
        default=0.5,
        gt=0.0,
        le=1.0,
        description="Share of the new article's bands an article must hold to be one of the "
        "common_text_candidates: the article is (mostly) that widely carried text, not a "
        "story that merely shares a credit line or a footer with it.",
    )
    min_passage_tokens: int = Field(
        default=8, ge=2, description="Shortest reported passage, in words."
    )
    min_sentence_tokens: int = Field(
        default=6,
        ge=2,
        description="A verbatim match holding a whole sentence is reported from this many "
        "words, even under min_passage_tokens: a short sentence copied whole is a copy.",
    )
    merge_gap_tokens: int = Field(
        default=6,
        ge=0,
        description="Aligned runs this close in both texts merge into one passage (light edits).",
    )
    rewrite_start_similarity: float = Field(
        default=0.4,
        gt=0.0,
        le=1.0,
        description="Rewrite stage: weighted Dice similarity of two sentences' word sets "
        "from which they can start a rewritten passage.",
    )
    rewrite_start_shared_words: float = Field(
        default=3.0,
        ge=0.0,
        description="Rewrite stage: the words a starting sentence pair shares must weigh "
        "this many distinctive words (a word found in just those two sentences weighs one; "
        "one found in most sentences, next to nothing): sentences made of a topic's common "
        "words alone can be alike without one being taken from the other.",
    )
    rewrite_extend_similarity: float = Field(
        default=0.3,
        gt=0.0,
        le=1.0,
        description="Rewrite stage: similarity from which neighbouring sentence pairs "
        "extend a rewritten passage (a passage needs one pair at the start cut-off).",
    )
    rewrite_in_order_similarity: float = Field(
        default=0.15,
        ge=0.0,
        le=1.0,
        description="Rewrite stage, in a pair whose document-level evidence makes it a "
        "rewrite: similarity from which the sentence pairs that follow a rewritten "
        "passage's last pair (or precede its first) in both texts, within "
        "rewrite_in_order_gap_units of it in each, extend it, one after the other (0: none). A "
        "heavy rewrite rewords each sentence below rewrite_extend_similarity, but keeps "
        "them in the source's order.",
    )
    rewrite_in_order_gap_units: int = Field(
        default=3,
        ge=1,
        description="Rewrite stage: the sentences a rewritten passage grows by in order "
        "(rewrite_in_order_similarity) lie within this many sentences of its last (or "
        "first) pair in each text: a rewrite drops some of its source's sentences and adds "
        "its own between those it keeps.",
    )
    rewrite_gap_units: int = Field(
        default=6,
        ge=0,
        description="Resembling sentences this many sentences apart, in both texts, chain "
        "into one rewritten passage (in any order within the source region).",
    )
    rewrite_min_sentences: int = Field(
        default=2,
        ge=1,
        description="Resembling sentences a rewritten passage needs in each text: one "
        "sentence alike can be chance.",
    )
    rewrite_max_partners: int = Field(
        default=8,
        ge=1,
        description="Rewrite stage: a sentence alike to more than this many sentences of the "
        "other text takes no part (a line the text repeats, a text of a few words over and "
        "over): it says nothing about where it came from, and bounds the pairs one pair of "
        "texts makes to chain at sentences x this.",
    )
    rewrite_max_units: int = Field(
        default=3000,
        ge=0,
        description="Pairs of texts with more than this many fingerprinted units squared "
        "between them (units of one times units of the other) skip the rewrite and "
        "evidence stages, which compare every unit of one with every unit of the other: "
        "an article beside a book is compared, two books are not.",
    )
    evidence_similarity: float = Field(
        default=0.12,
        gt=0.0,
        le=1.0,
        description="Evidence stage: weighted Dice similarity of two sentences' fragments "
        "(words, word pairs and triples, each weighed by its rarity) from which they may "
        "take part in the ordered chain of alike sentences, a pair's document-level evidence "
        "of a rewrite.",
    )
    evidence_gap_units: int = Field(
        default=2,
        ge=0,
        description="Evidence stage: chained sentences this many sentences apart or closer, "
        "in both texts, are one run (a rewrite merges, splits and swaps sentences, and adds "
        "its own between them).",
    )
    evidence_density: float = Field(
        default=0.12,
        ge=0.0,
        le=1.0,
        description="Evidence stage: a run of chained sentences is dense where the fragments "
        "its sentence pairs share weigh this share of all the fragments of the sentences it "
        "spans, in each text; a sparse run is chance.",
    )
    evidence_min_words: float = Field(
        default=10.0,
        ge=0.0,
        description="Evidence stage: a pair is a rewrite (at least 'partially' derived) where "
        "one dense run's sentence pairs share words weighing this many distinctive words (a "
        "word found in just one sentence of each text weighs one; one in most sentences, next "
        "to nothing; a word inside quotation marks, nothing). Below it, alike sentences are a "
        "shared topic's or event's names and words.",
    )
    evidence_passage_similarity: float = Field(
        default=0.2,
        gt=0.0,
        le=1.0,
        description="Evidence stage: in a rewrite, the chained sentences of its dense runs at "
        "least this alike (weighted Dice over fragments) are passages (copy, low verbatim): "
        "sentences that can be aligned to one of the other's. Less alike chained sentences "
        "count in the pair's derived_score and rewrite_fraction only.",
    )
    quote_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A passage with at least this share of its characters inside quotation "
        "marks is a shared quote, not copy.",
        json_schema_extra={"shapes": ["prepared"]},
    )
    extra_wires: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Wires to recognise besides AP, Reuters, AFP, PA, PTI, Bloomberg, The "
        "Guardian, dpa, ANI, UPI, Xinhua, China News Service, Kyodo, Jiji, Yonhap, CNA, TNA, "
        'KPL, AKP and VNA, as JSON: {"Antara": ["Antara", "ANTARA News"]} (the names each is '
        "credited by, in any script; an existing wire's entry replaces its names).",
    )
    boilerplate_min_outlets: int = Field(
        default=20,
        ge=2,
        description="A stretch of an article (under half of it) that this many other "
        "outlets share with it, each sharing nothing else, is boilerplate (a scraper footer, "
        "a newsletter blurb). Many: a wire story reused in part by a few outlets is not.",
    )
    verdict_wholly: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="reused_fraction from which a source is 'wholly' (see also "
        "verdict_wholly_rewrite).",
    )
    verdict_wholly_rewrite: float = Field(
        default=0.54,
        ge=0.0,
        le=1.0,
        description="For a rewrite (a pair with a derived_score above 0): the larger of "
        "reused_fraction and rewrite_fraction from which it is 'wholly' derived. A rewrite's "
        "sentences are aligned only where alike enough, and a heavily reworded one is missed, "
        "so both fall short of the share of the article taken: this cut-off is chosen on the "
        "rewrite proxy by cross-validation (`wiretrace eval`).",
    )
    verdict_partially: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="reused_fraction from which a source is 'partially' (below: 'non', unless "
        "the pair's document-level evidence makes it a rewrite: see evidence_min_words).",
    )

    @property
    def lsh_bands(self) -> int:
        return self.num_perm // self.lsh_rows

    @classmethod
    @cache  # read for every text a worker prepares: the fields never change
    def shaping(cls, what: str) -> tuple[str, ...]:
        """The names of the parameters whose ``shapes`` include ``what``."""
        return tuple(
            name
            for name, field in cls.model_fields.items()
            if isinstance(field.json_schema_extra, dict)
            and what in field.json_schema_extra.get("shapes", [])  # type: ignore[operator]
        )

    def engine_params(self) -> EngineParams:
        """Just the engine's parameters (of a :class:`Settings`, which has them all)."""
        names = EngineParams.model_fields
        return EngineParams.model_construct(**{name: getattr(self, name) for name in names})

    def echo(self) -> dict[str, Any]:
        """Every parameter, for the origins record: what made the result."""
        return {**self.engine_params().model_dump(mode="json"), "lsh_bands": self.lsh_bands}

    def index_fingerprint(self) -> dict[str, str]:
        """The parameters that decide what the LSH index holds, as text."""
        return {name: str(getattr(self, name)) for name in self.shaping("index")}

    def prepared_key(self) -> tuple[Any, ...]:
        """The parameters that decide how a text is prepared for matching."""
        return tuple(getattr(self, name) for name in self.shaping("prepared"))
