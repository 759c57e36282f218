"""A synthetic news corpus with syndication built in, and its ground truth.

Benchmarks and evaluations need news at any size whose reuse is known exactly.
This module writes it: articles of 300-1,500 words in paragraphs, over a
vocabulary of generated pseudo-words drawn from a Zipf distribution (so that,
as in real text, a few words are everywhere and most are rare), from a set of
outlets with publication times. Reuse comes in the forms news really has:

- **wire stories**: a wire (AP, Reuters, AFP, PA, PTI) files a story with a
  credited dateline ("LISBON (AP) —"); several outlets run it later with the
  ending trimmed, paragraphs merged or split, a lead of their own inserted, a
  word changed here and there, the dateline kept, dropped or replaced by a
  credit line ("The Associated Press contributed to this report.");
- **copied stories**: an outlet's own story republished by others (a scraper);
- **shared quotes**: two independent reports quoting the same speaker;
- **boilerplate**: an outlet's newsletter line at the foot of some articles
  (not listed in the ground truth: it is reuse within one outlet).

Everything is drawn from ``numpy`` generators seeded by ``(seed, story)``, so a
corpus is the same on every machine, and a corpus of ``n`` articles is the
first ``n`` articles of any larger one with the same seed: a benchmark can
measure at 10k and carry on to 100k on one corpus.

The ground truth says, for each article, which earlier article of its story it
shares text with and where: maximal passages, as character spans into both
texts, built from the sentences the two have in common in the same order. It is
written one JSON line per (article, source) pair:

``{"id", "source_id", "kind": "copy"|"quote", "relation": "common-source"|
"copied-from", "wire": "AP"|null, "passages": [{"start", "end", "source_start",
"source_end"}]}``
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import IO, Any

import numpy as np

# --- the fixed material ------------------------------------------------------

# Wire: (credit as a dateline, outlet name the wire publishes under, credit line).
WIRES: dict[str, tuple[str, str, str]] = {
    "AP": ("{city} (AP) —", "Associated Press", "The Associated Press contributed to this report."),
    "Reuters": ("{city}, {month} {day} (Reuters) -", "Reuters", "Reporting by Reuters."),
    "AFP": ("{city} (AFP) -", "Agence France-Presse", "With reporting by AFP."),
    "PA": ("{city} (PA) -", "PA Media", "Additional reporting by PA Media."),
    "PTI": ("{city}, {month} {day} (PTI)", "Press Trust of India", "With inputs from PTI."),
}
# fmt: off
_OUTLET_NOUNS = [
    "Courier", "Herald", "Gazette", "Times", "Post", "Observer", "Tribune", "Chronicle",
    "Ledger", "Record", "Sentinel", "Express", "Journal", "Star", "Monitor", "Bulletin",
    "Dispatch", "Examiner", "Register", "Review",
]
_ONSETS = [
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "y",
    "z", "b", "d", "l", "m", "n", "r", "s", "t", "br", "ch", "dr", "gr", "pl", "sh", "st",
    "th", "tr",
]
_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "u", "ai", "ea", "ee", "oa", "ou"]
_CODAS = ["", "", "", "", "n", "r", "s", "l", "t", "m", "nd", "st", "ng"]
_MONTHS = [
    "Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec",
]
# fmt: on
_ADDED_WORDS = 300
_DATELINE_WORDS = 6
_SAID = ("said", "told reporters", "said in a statement", "added", "wrote on social media")


@dataclass(frozen=True)
class CorpusSpec:
    """What kind of corpus to generate. Same spec, same corpus."""

    seed: int = 1
    vocabulary_size: int = 40_000
    zipf_exponent: float = 1.07
    median_words: int = 600
    min_words: int = 300
    max_words: int = 1_500
    outlets: int = 150
    wire_stories: float = 0.30  # shares of stories by type; the rest are standalone
    copied_stories: float = 0.10
    quote_stories: float = 0.10
    boilerplate_rate: float = 0.10  # share of an outlet's articles with its newsletter line
    edit_rate: float = 0.25  # share of reused sentences with one word changed
    start: datetime = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    story_gap_seconds: float = 120.0  # mean time between stories


# --- vocabulary ----------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """Pseudo-words ranked by frequency, and capitalized names for people and places."""

    words: list[str]
    cdf: np.ndarray
    names: list[str]

    def sample(self, rng: np.random.Generator, n: int) -> list[str]:
        ranks = np.searchsorted(self.cdf, rng.random(n), side="right")
        words = self.words
        return [words[r] for r in ranks.tolist()]

    def name(self, rng: np.random.Generator) -> str:
        return self.names[int(rng.integers(len(self.names)))]


def _pseudo_word(rng: np.random.Generator, syllables: int) -> str:
    parts = []
    for _ in range(syllables):
        parts.append(_ONSETS[int(rng.integers(len(_ONSETS)))])
        parts.append(_VOWELS[int(rng.integers(len(_VOWELS)))])
    parts.append(_CODAS[int(rng.integers(len(_CODAS)))])
    return "".join(parts)


def build_lexicon(spec: CorpusSpec) -> Lexicon:
    """A vocabulary where frequent words are short, as in natural language."""
    rng = np.random.default_rng([spec.seed, 0x5EED])
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < spec.vocabulary_size:
        rank = len(words) + 1
        syllables = 1 + min(2, int(np.log10(rank) / 1.5)) + int(rng.random() < 0.25)
        word = _pseudo_word(rng, syllables)
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = 1.0 / np.arange(1, spec.vocabulary_size + 1) ** spec.zipf_exponent
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    names: list[str] = []
    while len(names) < 5_000:
        word = _pseudo_word(rng, 2 + int(rng.integers(2)))
        if word not in seen:
            seen.add(word)
            names.append(word.capitalize())
    return Lexicon(words=words, cdf=cdf, names=names)


# --- drafts: articles as sentences that remember where they came from --------

Origin = tuple[int, int]  # (story, sentence number in the story's first telling)


@dataclass(frozen=True)
class Segment:
    """A sentence (or dateline, or quotation) and the story sentence it carries."""

    text: str
    origin: Origin | None  # None: written for this article only


@dataclass
class Draft:
    """An article being written: paragraphs of segments, and its metadata."""

    outlet: str
    slug: str
    published_at: datetime
    title: str
    paragraphs: list[list[Segment]]
    wire: str | None = None

    @cached_property
    def rendered(self) -> tuple[str, list[tuple[int, int, Origin | None]]]:
        """The text, and each segment's ``(start, end, origin)`` in it."""
        pieces: list[str] = []
        spans: list[tuple[int, int, Origin | None]] = []
        pos = 0
        for p, paragraph in enumerate(self.paragraphs):
            if p:
                pieces.append("\n\n")
                pos += 2
            for s, segment in enumerate(paragraph):
                if s:
                    pieces.append(" ")
                    pos += 1
                pieces.append(segment.text)
                spans.append((pos, pos + len(segment.text), segment.origin))
                pos += len(segment.text)
        return "".join(pieces), spans

    @property
    def id(self) -> str:
        return self.slug

    def record(self) -> dict[str, Any]:
        """The article as a line of a ``wiretrace analyze`` input file."""
        when = self.published_at
        outlet_host = self.slug.split("-")[0]
        return {
            "id": self.slug,
            "text": self.rendered[0],
            "outlet": self.outlet,
            "url": f"https://{outlet_host}.example/{when:%Y/%m/%d}/{self.slug}",
            "title": self.title,
            "published_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def word_count(self) -> int:
        return sum(len(s.text.split()) for p in self.paragraphs for s in p)


def shared_passages(later: Draft, earlier: Draft) -> list[dict[str, int]]:
    """Maximal runs of segments the two drafts share in the same order, as spans."""
    _, earlier_spans = earlier.rendered
    where = {origin: i for i, (_, _, origin) in enumerate(earlier_spans) if origin is not None}
    runs: list[list[int]] = []  # [start, end, source_start, source_end, last source index]
    extending = False
    for start, end, origin in later.rendered[1]:
        j = where.get(origin) if origin is not None else None
        if j is None:
            extending = False
            continue
        source_start, source_end, _ = earlier_spans[j]
        if extending and runs[-1][4] == j - 1:
            runs[-1][1], runs[-1][3], runs[-1][4] = end, source_end, j
        else:
            runs.append([start, end, source_start, source_end, j])
        extending = True
    return [{"start": r[0], "end": r[1], "source_start": r[2], "source_end": r[3]} for r in runs]


# --- writing stories -------------------------------------------------------------


@dataclass(frozen=True)
class Outlet:
    name: str
    slug: str
    newsletter: str  # the line it puts at the foot of some articles


@dataclass
class StoryDesk:
    """What the articles of one story share: its people, its place, its numbering."""

    number: int
    rng: np.random.Generator
    lexicon: Lexicon
    people: list[str]
    city: str
    sentences: int = 0

    def next_origin(self) -> Origin:
        self.sentences += 1
        return (self.number, self.sentences)

    def words(self, n: int) -> list[str]:
        words = self.lexicon.sample(self.rng, n)
        rng = self.rng
        for i in np.flatnonzero(rng.random(n) < 0.06).tolist():
            words[i] = self.people[int(rng.integers(len(self.people)))].split()[-1]
        if rng.random() < 0.2:
            words[int(rng.integers(n))] = self.city
        for i in np.flatnonzero(rng.random(n - 1) < 0.05).tolist():
            words[i] += ","
        return words

    def sentence(self) -> Segment:
        n = int(np.clip(self.rng.normal(20, 7), 6, 42))
        words = self.words(n)
        words[0] = words[0].capitalize()
        return Segment(" ".join(words).rstrip(",") + ".", self.next_origin())

    def quotation(self) -> Segment:
        words = self.words(int(np.clip(self.rng.normal(16, 6), 6, 36)))
        words[0] = words[0].capitalize()
        return Segment("“" + " ".join(words).rstrip(",") + ",”", self.next_origin())

    def attribution(self) -> Segment:
        person = self.people[int(self.rng.integers(len(self.people)))]
        said = _SAID[int(self.rng.integers(len(_SAID)))]
        return Segment(f"{person} {said}.", self.next_origin())

    def paragraph(self, quotation: Segment | None = None) -> list[Segment]:
        rng = self.rng
        if quotation is not None or rng.random() < 0.15:
            quote = quotation or self.quotation()
            tail = [self.sentence()] if rng.random() < 0.3 else []
            return [quote, self.attribution(), *tail]
        return [self.sentence() for _ in range(1 + int(rng.choice(3, p=[0.35, 0.45, 0.2])))]

    def body(self, target_words: int, quotations: Sequence[Segment] = ()) -> list[list[Segment]]:
        """Paragraphs of fresh text up to ``target_words``, with ``quotations`` in it."""
        paragraphs: list[list[Segment]] = []
        count = 0
        while count < target_words:
            paragraphs.append(self.paragraph())
            count += sum(len(s.text.split()) for s in paragraphs[-1])
        for quotation in quotations:
            at = int(self.rng.integers(1, len(paragraphs) + 1))
            paragraphs.insert(at, self.paragraph(quotation))
        return paragraphs

    def title(self) -> str:
        words = self.words(int(self.rng.integers(5, 11)))
        return " ".join(w.rstrip(",").capitalize() for w in words)


def _sentence_breaks(paragraph: list[Segment]) -> list[int]:
    """Where a paragraph can be split: not between a quotation and who said it."""
    return [i for i in range(1, len(paragraph)) if not paragraph[i - 1].text.endswith("”")]


class Newsroom:
    """Writes the stories of one corpus, each from its own seeded generator."""

    def __init__(self, spec: CorpusSpec) -> None:
        self.spec = spec
        self.lexicon = build_lexicon(spec)
        rng = np.random.default_rng([spec.seed, 0x0071E7])
        self.outlets: list[Outlet] = []
        for i in range(spec.outlets):
            place = self.lexicon.names[i]
            noun = _OUTLET_NOUNS[int(rng.integers(len(_OUTLET_NOUNS)))]
            newsletter = " ".join(self.lexicon.sample(rng, 12))
            self.outlets.append(
                Outlet(
                    name=f"The {place} {noun}",
                    slug=f"{place.lower()}{noun.lower()}",
                    newsletter=f"Sign up for the {place} {noun} newsletter: {newsletter}.",
                )
            )
        popularity = 1.0 / np.arange(1, spec.outlets + 1) ** 0.8
        self.popularity = popularity / popularity.sum()

    # --- pieces ----------------------------------------------------------------
    def desk(self, number: int) -> StoryDesk:
        rng = np.random.default_rng([self.spec.seed, number])
        lex = self.lexicon
        people = [f"{lex.name(rng)} {lex.name(rng)}" for _ in range(int(rng.integers(3, 7)))]
        return StoryDesk(number, rng, lex, people, lex.name(rng))

    def target_words(self, rng: np.random.Generator) -> int:
        spec = self.spec
        words = spec.median_words * np.exp(rng.normal(0.0, 0.35))
        # Room for what may come on top: a last paragraph, a lead, a newsletter line.
        return int(np.clip(words, spec.min_words, spec.max_words - _ADDED_WORDS))

    def pick_outlets(self, rng: np.random.Generator, n: int) -> list[Outlet]:
        chosen = rng.choice(len(self.outlets), size=n, replace=False, p=self.popularity)
        return [self.outlets[i] for i in chosen.tolist()]

    def draft(
        self, desk: StoryDesk, outlet: Outlet, when: datetime, paragraphs: list[list[Segment]]
    ) -> Draft:
        if desk.rng.random() < self.spec.boilerplate_rate:
            paragraphs = [*paragraphs, [Segment(outlet.newsletter, desk.next_origin())]]
        return Draft(
            outlet=outlet.name,
            slug=f"{outlet.slug}-{desk.number}",
            published_at=when,
            title=desk.title(),
            paragraphs=paragraphs,
        )

    def rerun(self, desk: StoryDesk, source: Draft, trim: bool) -> list[list[Segment]]:
        """The source's paragraphs as another outlet runs them: trimmed, re-split,
        lightly edited, sometimes under a lead of its own."""
        rng = desk.rng
        paragraphs = [list(p) for p in source.paragraphs]
        if trim:
            keep, words = 0, 0
            cut = rng.uniform(0.6, 1.0) * len(paragraphs)
            least = self.spec.min_words + _DATELINE_WORDS
            while keep < len(paragraphs) and (keep < cut or words < least):
                words += sum(len(s.text.split()) for s in paragraphs[keep])
                keep += 1
            paragraphs = paragraphs[:keep]
        resplit: list[list[Segment]] = []
        for paragraph in paragraphs:
            if resplit and rng.random() < 0.2:
                resplit[-1].extend(paragraph)
            elif len(cuts := _sentence_breaks(paragraph)) and rng.random() < 0.15:
                at = cuts[int(rng.integers(len(cuts)))]
                resplit.extend([paragraph[:at], paragraph[at:]])
            else:
                resplit.append(paragraph)
        edited = [[self.edit(desk, s) for s in p] for p in resplit]
        if rng.random() < 0.35:
            edited.insert(0, desk.paragraph())
        return edited

    def edit(self, desk: StoryDesk, segment: Segment) -> Segment:
        """Change one word of ``segment`` now and then (its origin stays)."""
        words = segment.text.split(" ")
        if len(words) < 4 or desk.rng.random() >= self.spec.edit_rate:
            return segment
        at = int(desk.rng.integers(1, len(words) - 1))
        if not words[at].isalpha():
            return segment
        words[at] = self.lexicon.sample(desk.rng, 1)[0]
        return replace(segment, text=" ".join(words))

    # --- stories -------------------------------------------------------------
    def story(self, number: int) -> list[tuple[Draft, list[dict[str, Any]]]]:
        """The articles of story ``number`` in publication order, each with its truth."""
        desk = self.desk(number)
        rng = desk.rng
        spec = self.spec
        when = spec.start + timedelta(seconds=spec.story_gap_seconds * (number + rng.random()))
        kind, relation, wire = "copy", "copied-from", None
        roll = rng.random()
        if roll < spec.wire_stories:
            wire = list(WIRES)[int(rng.integers(len(WIRES)))]
            drafts = self.wire_story(desk, wire, when)
            relation = "common-source"
        elif roll < spec.wire_stories + spec.copied_stories:
            drafts = self.copied_story(desk, when)
        elif roll < spec.wire_stories + spec.copied_stories + spec.quote_stories:
            drafts = self.quote_story(desk, when)
            kind, relation = "quote", "common-source"
        else:
            (outlet,) = self.pick_outlets(rng, 1)
            drafts = [self.draft(desk, outlet, when, desk.body(self.target_words(rng)))]
        drafts.sort(key=lambda d: d.published_at)
        out = []
        for k, later in enumerate(drafts):
            truth = []
            for j, earlier in enumerate(drafts[:k]):
                passages = shared_passages(later, earlier)
                if passages:
                    truth.append(
                        {
                            "id": later.id,
                            "source_id": earlier.id,
                            "kind": kind,
                            "relation": relation if j == 0 else "common-source",
                            "wire": wire,
                            "passages": passages,
                        }
                    )
            out.append((later, truth))
        return out

    def wire_story(self, desk: StoryDesk, wire: str, when: datetime) -> list[Draft]:
        rng = desk.rng
        dateline_form, wire_outlet, credit = WIRES[wire]
        dateline = dateline_form.format(
            city=desk.city.upper(), month=_MONTHS[when.month - 1], day=when.day
        )
        body = desk.body(self.target_words(rng))
        body[0].insert(0, Segment(dateline, desk.next_origin()))
        slug = wire_outlet.lower().replace(" ", "").replace("-", "")
        original = Draft(wire_outlet, f"{slug}-{desk.number}", when, desk.title(), body, wire)
        drafts = [original]
        for outlet in self.pick_outlets(rng, int(rng.integers(2, 9))):
            paragraphs = self.rerun(desk, original, trim=True)
            if rng.random() < 0.5:  # drop the dateline, maybe credit the wire at the end
                paragraphs = [[s for s in p if s.origin != body[0][0].origin] for p in paragraphs]
                paragraphs = [p for p in paragraphs if p]
                if rng.random() < 0.6:
                    paragraphs.append([Segment(credit, desk.next_origin())])
            later = when + timedelta(minutes=float(rng.uniform(10, 600)))
            drafts.append(self.draft(desk, outlet, later, paragraphs))
        return drafts

    def copied_story(self, desk: StoryDesk, when: datetime) -> list[Draft]:
        rng = desk.rng
        outlets = self.pick_outlets(rng, 1 + int(rng.integers(1, 3)))
        original = self.draft(desk, outlets[0], when, desk.body(self.target_words(rng)))
        drafts = [original]
        for outlet in outlets[1:]:
            later = when + timedelta(hours=float(rng.uniform(1, 48)))
            paragraphs = self.rerun(desk, original, trim=rng.random() < 0.5)
            drafts.append(self.draft(desk, outlet, later, paragraphs))
        return drafts

    def quote_story(self, desk: StoryDesk, when: datetime) -> list[Draft]:
        rng = desk.rng
        quotations = [desk.quotation() for _ in range(int(rng.integers(1, 3)))]
        drafts = []
        for k, outlet in enumerate(self.pick_outlets(rng, 2)):
            body = desk.body(self.target_words(rng), quotations)
            later = when + timedelta(minutes=float(rng.uniform(0, 240)) * k)
            drafts.append(self.draft(desk, outlet, later, body))
        return drafts


# --- the corpus ------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedArticle:
    record: dict[str, Any]  # id, text, outlet, url, title, published_at
    truth: list[dict[str, Any]]  # what it reuses from earlier articles of its story
    paragraphs: int


@dataclass
class CorpusStats:
    articles: int = 0
    paragraphs: int = 0
    words: int = 0
    truth_pairs: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def generate(spec: CorpusSpec, articles: int) -> Iterator[GeneratedArticle]:
    """The first ``articles`` articles of the corpus ``spec`` describes, streamed."""
    newsroom = Newsroom(spec)
    emitted = 0
    story = 0
    while emitted < articles:
        for draft, truth in newsroom.story(story):
            if emitted == articles:
                return
            yield GeneratedArticle(draft.record(), truth, len(draft.paragraphs))
            emitted += 1
        story += 1


def write_corpus(
    spec: CorpusSpec, articles: int, out: IO[str], truth: IO[str] | None = None
) -> CorpusStats:
    """Write ``articles`` articles as JSON lines to ``out`` and their truth to ``truth``."""
    stats = CorpusStats()
    for item in generate(spec, articles):
        out.write(json.dumps(item.record, ensure_ascii=False) + "\n")
        stats.articles += 1
        stats.paragraphs += item.paragraphs
        stats.words += len(item.record["text"].split())
        for pair in item.truth:
            stats.truth_pairs += 1
            stats.by_kind[pair["kind"]] = stats.by_kind.get(pair["kind"], 0) + 1
            if truth is not None:
                truth.write(json.dumps(pair) + "\n")
    return stats
