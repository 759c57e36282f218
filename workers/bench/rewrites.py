"""A proxy for rewritten agency copy: agency stories, newspaper rewrites of them,
and independent reports of the same events, with document-level ground truth.

Much of the world's news reuses agency copy by rewriting it: a newspaper keeps
the agency story's facts, names, figures and some phrases, but reorders,
merges, splits and rewords most sentences, and often adds material of its own.
The hard negatives are same-day reports of the same event written
independently: they share the names, places and figures, but not the order of
the story or its phrasing. This module writes such a corpus in a language it
makes up, in Latin script or in an Arabic-script pseudo-language, so that the
engine can be measured on both without copying a line of real text.

The language: function words (a few dozen, very frequent), content *concepts*
each with one to three synonyms (drawn from a Zipf distribution, so a few are
in every story and most are rare), and names of people, places and
organisations. An event is a list of *facts*; a fact is a list of slots
(concepts, an entity, now and then a figure). A writer *realises* a fact: puts
its slots in an order, picks a synonym for each concept and scatters function
words between them. So:

- the **agency story** realises the event's facts in story order;
- a **rewrite** keeps its agency sentences' realisations chunk by chunk with a
  probability (its *intensity* says how much is redone: a redone chunk takes
  another synonym half of the time, fresh function words always), moves
  chunks within a sentence, merges and splits sentences, swaps neighbouring
  ones, and adds facts of its own; *wholly* derived articles take nearly all
  of the story, *partially* derived ones a part of it beside their own
  material;
- an **independent report** realises a subset of the same facts afresh (its
  own synonym choices, slot orders and function words), in its own order, with
  facts of its own: the same names, places and figures, other phrasing.

In Arabic script, sentences end in ``۔`` (U+06D4, which a segmenter that knows
only ``.`` does not split on), often with no space after it; words ending in a
letter that does not join the next are now and then typed without the space
after them (each writer in its own places); figures are written in Extended
Arabic-Indic digits by some outlets and in ASCII digits by others.

The truth is one JSON object per newspaper article: its agency story's id,
its label (``wholly``, ``partially``, ``non``) and the share of its words
derived from the story. Everything is drawn from ``numpy`` generators seeded
by ``(seed, script, event)``: the same spec gives the same corpus everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal

import numpy as np

Script = Literal["latin", "arabic"]
Label = Literal["wholly", "partially", "non"]
LABELS: tuple[Label, ...] = ("wholly", "partially", "non")

# Latin pseudo-words: syllables of an onset and a vowel, and a coda.
# fmt: off
_LA_ONSETS = [
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
    "z", "br", "ch", "dr", "gr", "pl", "sh", "st", "th", "tr", "kl", "sk",
]
_LA_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "u", "ai", "ea", "ou", "ie"]
_LA_CODAS = ["", "", "", "n", "r", "s", "l", "t", "m", "nd", "st", "ng", "k"]
# fmt: on
# Arabic-script letters the pseudo-language is spelt with (Urdu's set, with the
# letters Arabic shares). Words end in one of the endings; short vowels are
# not written, so a syllable is a consonant and a long vowel letter or nothing.
# fmt: off
_AR_CONSONANTS = [
    "ب", "پ", "ت", "ٹ", "ج", "چ", "ح", "خ", "د", "ڈ", "ر", "ز", "س", "ش", "ص", "ط",
    "ع", "غ", "ف", "ق", "ک", "گ", "ل", "م", "ن", "ہ", "ب", "ت", "د", "ر", "س", "ک",
    "ل", "م", "ن",
]
_AR_VOWELS = ["ا", "و", "ی", "", "", "", "ا", "ی"]
_AR_ENDINGS = ["", "", "", "ا", "ے", "ی", "ں", "ہ", "ر", "د"]
# fmt: on
# Letters that do not join the letter after them: a typist leaving out the
# space after a word ending in one sees no difference on screen.
_AR_NON_JOINING = set("اآدڈذرڑزژوے")
_AR_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_AR_FULL_STOP = "\u06d4"
_AR_COMMA = "\u060c"


@dataclass(frozen=True)
class RewriteCorpusSpec:
    """What to generate. Same spec, same corpus."""

    seed: int = 1
    script: Script = "latin"
    events: int = 150
    papers_per_event: tuple[int, int] = (2, 4)  # inclusive
    wholly: float = 0.22  # shares of newspaper articles by label; the rest: independent
    partially: float = 0.48
    intensity: tuple[float, float] = (0.6, 1.0)  # share of a rewrite's chunks redone
    reframe: float = 0.35  # share of redone framing words replaced by the rewriter's own
    concepts: int = 4_000
    function_words: int = 60
    start: datetime = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


# --- the made-up language ---------------------------------------------------------


@dataclass(frozen=True)
class Language:
    """Words of one script: function words, concepts with synonyms, names."""

    script: Script
    function_words: list[str]
    function_cdf: np.ndarray
    concepts: list[list[str]]  # each concept's synonyms
    concept_cdf: np.ndarray
    given_names: list[str]
    family_names: list[str]
    places: list[str]
    org_words: list[str]

    @property
    def full_stop(self) -> str:
        return _AR_FULL_STOP if self.script == "arabic" else "."

    @property
    def comma(self) -> str:
        return _AR_COMMA if self.script == "arabic" else ","

    def function_word(self, rng: np.random.Generator) -> str:
        return self.function_words[int(np.searchsorted(self.function_cdf, rng.random()))]

    def concept(self, rng: np.random.Generator) -> int:
        return int(np.searchsorted(self.concept_cdf, rng.random(), side="right"))


def _latin_word(rng: np.random.Generator, syllables: int) -> str:
    parts = []
    for _ in range(syllables):
        parts.append(_LA_ONSETS[int(rng.integers(len(_LA_ONSETS)))])
        parts.append(_LA_VOWELS[int(rng.integers(len(_LA_VOWELS)))])
    parts.append(_LA_CODAS[int(rng.integers(len(_LA_CODAS)))])
    return "".join(parts)


def _arabic_word(rng: np.random.Generator, syllables: int) -> str:
    parts = []
    for _ in range(syllables):
        parts.append(_AR_CONSONANTS[int(rng.integers(len(_AR_CONSONANTS)))])
        parts.append(_AR_VOWELS[int(rng.integers(len(_AR_VOWELS)))])
    parts.append(_AR_ENDINGS[int(rng.integers(len(_AR_ENDINGS)))])
    return "".join(parts)


def _zipf_cdf(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


def build_language(spec: RewriteCorpusSpec) -> Language:
    """The spec's made-up language: short frequent function words, longer content
    words, each word distinct."""
    rng = np.random.default_rng([spec.seed, 0x1A76, 1 if spec.script == "arabic" else 0])
    seen: set[str] = set()

    def fresh(syllables: int) -> str:
        while True:
            if spec.script == "arabic":
                word = _arabic_word(rng, syllables)
            else:
                word = _latin_word(rng, syllables)
            if len(word) > 1 and word not in seen:
                seen.add(word)
                return word

    function_words = [fresh(1) for _ in range(spec.function_words)]
    concepts = [
        [
            fresh(2 + int(rng.random() < 0.4))
            for _ in range(int(rng.choice(3, p=[0.3, 0.4, 0.3])) + 1)
        ]
        for _ in range(spec.concepts)
    ]

    def names(n: int) -> list[str]:
        made = [fresh(2 + int(rng.integers(2))) for _ in range(n)]
        return [w.capitalize() for w in made] if spec.script == "latin" else made

    return Language(
        script=spec.script,
        function_words=function_words,
        function_cdf=_zipf_cdf(spec.function_words, 1.0),
        concepts=concepts,
        concept_cdf=_zipf_cdf(spec.concepts, 0.9),
        given_names=names(300),
        family_names=names(600),
        places=names(300),
        org_words=names(200),
    )


# --- events and facts ---------------------------------------------------------------

# A slot: ("c", key concept), ("w", framing concept), ("p", person), ("l", place),
# ("o", organisation), ("f", figure).
Slot = tuple[str, int]


@dataclass(frozen=True)
class Event:
    number: int
    persons: list[tuple[str, str]]  # (given name, family name)
    places: list[str]
    orgs: list[list[str]]
    figures: list[int]
    facts: list[list[Slot]]


def make_event(lang: Language, rng: np.random.Generator, number: int, recurring: Event) -> Event:
    """An event: its people, places, organisations and figures (some of them the
    recurring ones that many events share: a head of state, the capital), and
    its facts."""
    persons = [
        (
            lang.given_names[int(rng.integers(len(lang.given_names)))],
            lang.family_names[int(rng.integers(len(lang.family_names)))],
        )
        for _ in range(int(rng.integers(2, 5)))
    ]
    places = [
        lang.places[int(rng.integers(len(lang.places)))] for _ in range(int(rng.integers(1, 3)))
    ]
    orgs = [
        [
            lang.org_words[int(rng.integers(len(lang.org_words)))]
            for _ in range(int(rng.integers(1, 3)))
        ]
        for _ in range(int(rng.integers(1, 3)))
    ]
    if recurring.persons and rng.random() < 0.5:
        persons.append(recurring.persons[int(rng.integers(len(recurring.persons)))])
    if recurring.places and rng.random() < 0.5:
        places.append(recurring.places[int(rng.integers(len(recurring.places)))])
    figures = [
        int(rng.choice([rng.integers(2, 60), rng.integers(60, 2000)]))
        for _ in range(int(rng.integers(2, 6)))
    ]
    facts = []
    for _ in range(int(rng.integers(12, 26))):
        # What anyone reporting the fact says: one or two key words beside its
        # people, places and figures; the rest is the writer's framing.
        slots: list[Slot] = [("c", lang.concept(rng)) for _ in range(int(rng.integers(1, 3)))]
        entity_slots: list[Slot] = []
        for _ in range(1 + int(rng.random() < 0.5)):
            kind = str(rng.choice(["p", "l", "o"], p=[0.55, 0.25, 0.2]))
            pools: dict[str, list[Any]] = {"p": persons, "l": places, "o": orgs}
            pool = pools[kind]
            # The first people of an event are its main actors: named most.
            entity_slots.append((kind, int(min(rng.geometric(0.5) - 1, len(pool) - 1))))
        if rng.random() < 0.35:
            entity_slots.append(("f", int(rng.integers(len(figures)))))
        for slot in entity_slots:
            slots.insert(int(rng.integers(len(slots) + 1)), slot)
        facts.append(slots)
    return Event(number, persons, places, orgs, figures, facts)


# --- writing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """One slot's words with the function words before it."""

    slot: Slot
    words: tuple[str, ...]


@dataclass(frozen=True)
class Sentence:
    """Realised facts (each a list of chunks), and which agency facts it carries."""

    clauses: tuple[tuple[Chunk, ...], ...]
    derived: bool  # carries (reworded) agency text


@dataclass
class Writer:
    """One outlet's hand: its synonym choices, digits and typing habits."""

    lang: Language
    rng: np.random.Generator
    arabic_digits: bool = False
    join_rate: float = 0.0  # spaces left out after non-joining letters
    glued_stops: float = 0.0  # sentences run on after the full stop with no space
    synonym: dict[int, int] = field(default_factory=dict)
    named: set[int] = field(default_factory=set)  # people already named in full

    def concept_word(self, concept: int, keep: str | None = None, keep_rate: float = 0.0) -> str:
        forms = self.lang.concepts[concept]
        if keep is not None and self.rng.random() < keep_rate:
            return keep
        if concept not in self.synonym or self.rng.random() < 0.3:
            self.synonym[concept] = int(self.rng.integers(len(forms)))
        return forms[self.synonym[concept]]

    def figure(self, value: int) -> str:
        text = str(value)
        if self.arabic_digits:
            text = "".join(_AR_DIGITS[int(d)] for d in text)
        return text

    def entity(self, event: Event, slot: Slot) -> tuple[str, ...]:
        kind, index = slot
        if kind == "p":
            given, family = event.persons[index]
            if index in self.named:
                return (family,)
            self.named.add(index)
            return (given, family)
        if kind == "l":
            return (event.places[index],)
        if kind == "o":
            return tuple(event.orgs[index])
        return (self.figure(event.figures[index]),)

    def fillers(self, rate: float = 0.55) -> tuple[str, ...]:
        n = 0
        while n < 2 and self.rng.random() < rate:
            n += 1
        return tuple(self.lang.function_word(self.rng) for _ in range(n))

    def realise(self, event: Event, fact: list[Slot]) -> tuple[Chunk, ...]:
        """A fact in this writer's words: its key slots and framing of the writer's
        own (two to five concepts), in the fact's own order half of the time,
        else shuffled; a synonym per concept; function words between."""
        framing: list[Slot] = [
            ("w", self.lang.concept(self.rng)) for _ in range(int(self.rng.integers(2, 6)))
        ]
        order = list(fact) + framing
        if self.rng.random() < 0.5:
            self.rng.shuffle(order)
        chunks = []
        for slot in order:
            words = (self.concept_word(slot[1]),) if slot[0] in "cw" else self.entity(event, slot)
            chunks.append(Chunk(slot, self.fillers() + words))
        return tuple(chunks)

    def reword(
        self, event: Event, clause: tuple[Chunk, ...], intensity: float, reframe: float
    ) -> tuple[Chunk, ...]:
        """Another outlet's clause rewritten: each chunk kept word for word with
        probability ``1 - intensity``, else redone with fresh function words: a
        key word or name as it was (a key word's synonym now and then), a word of
        the framing left out now and then, replaced by a word of the rewriter's
        own with probability ``reframe``, else the same synonym two times in
        five; chunks moved within the sentence, and words of its own added."""
        rng = self.rng
        out: list[Chunk] = []
        for chunk in clause:
            if rng.random() >= intensity:
                out.append(chunk)
                continue
            kind, index = chunk.slot
            slot = chunk.slot
            if kind == "w":
                roll = rng.random()
                if roll < 0.15 * intensity:
                    continue  # left out
                if roll < 0.15 * intensity + reframe:
                    slot = ("w", self.lang.concept(rng))
                    words: tuple[str, ...] = (self.concept_word(slot[1]),)
                else:
                    words = (self.concept_word(index, chunk.words[-1], 0.4),)
            elif kind == "c":
                words = (self.concept_word(index, chunk.words[-1], 0.7),)
            else:
                words = self.entity(event, chunk.slot)
            out.append(Chunk(slot, self.fillers() + words))
        for _ in range(int(rng.random() < 0.6 * intensity) + int(rng.random() < 0.3 * intensity)):
            if len(out) > 2:  # a chunk moved elsewhere in the sentence
                moved = out.pop(int(rng.integers(len(out))))
                out.insert(int(rng.integers(len(out) + 1)), moved)
        for _ in range(int(rng.random() < 0.5 * intensity) + int(rng.random() < 0.3 * intensity)):
            extra: Slot = ("w", self.lang.concept(rng))  # a word of its own
            chunk = Chunk(extra, (*self.fillers(), self.concept_word(extra[1])))
            out.insert(int(rng.integers(len(out) + 1)), chunk)
        return tuple(out)

    # --- text -------------------------------------------------------------------
    def render_sentence(self, sentence: Sentence) -> str:
        lang = self.lang
        words: list[str] = []
        for c, clause in enumerate(sentence.clauses):
            if c:
                words[-1] += lang.comma
                words.append(lang.function_word(self.rng))
            words.extend(w for chunk in clause for w in chunk.words)
        if lang.script == "latin" and words:
            words[0] = words[0][:1].upper() + words[0][1:]
        text = words[0] if words else ""
        for word in words[1:]:
            glue = (
                lang.script == "arabic"
                and text[-1] in _AR_NON_JOINING
                and self.rng.random() < self.join_rate
            )
            text += ("" if glue else " ") + word
        return text + lang.full_stop

    def render(self, paragraphs: list[list[Sentence]]) -> tuple[str, int, int]:
        """The text, its words in all and its words in derived sentences."""
        out: list[str] = []
        total = derived = 0
        for paragraph in paragraphs:
            text = ""
            for sentence in paragraph:
                rendered = self.render_sentence(sentence)
                n = len(rendered.split())
                total += n
                derived += n if sentence.derived else 0
                if text:
                    glued = self.lang.script == "arabic" and self.rng.random() < self.glued_stops
                    text += "" if glued else " "
                text += rendered
            out.append(text)
        return "\n\n".join(out), total, derived


def _sentences(
    clauses: list[tuple[tuple[Chunk, ...], bool]], rng: np.random.Generator, merge: float
) -> list[Sentence]:
    """Clauses into sentences, two to a sentence with probability ``merge``."""
    out: list[Sentence] = []
    i = 0
    while i < len(clauses):
        take = 2 if i + 1 < len(clauses) and rng.random() < merge else 1
        group = clauses[i : i + take]
        out.append(Sentence(tuple(c for c, _ in group), any(d for _, d in group)))
        i += take
    return out


def _paragraphs(sentences: list[Sentence], rng: np.random.Generator) -> list[list[Sentence]]:
    out: list[list[Sentence]] = []
    i = 0
    while i < len(sentences):
        take = 1 + int(rng.choice(3, p=[0.4, 0.4, 0.2]))
        out.append(sentences[i : i + take])
        i += take
    return out


# --- the corpus ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyArticle:
    record: dict[str, Any]  # id, text, outlet, title, published_at
    truth: dict[str, Any] | None  # newspaper articles: source_id, label, derived_share


_PAPERS = 12


class RewriteDesk:
    """Writes the events of one corpus, each from its own seeded generator."""

    def __init__(self, spec: RewriteCorpusSpec) -> None:
        self.spec = spec
        self.lang = build_language(spec)
        rng = self._rng(-1)
        empty = Event(-1, [], [], [], [], [])
        # The people and places that turn up in many events: a head of state, a capital.
        self.recurring = make_event(self.lang, rng, -1, empty)
        self.papers = [
            self.lang.places[int(rng.integers(len(self.lang.places)))] + f" {k}"
            for k in range(_PAPERS)
        ]
        # Each paper's typing habits: its digits, how often it leaves out spaces.
        self.habits = [
            (bool(rng.random() < 0.5), float(rng.uniform(0.0, 0.25))) for _ in range(_PAPERS)
        ]

    def _rng(self, number: int) -> np.random.Generator:
        script = 1 if self.spec.script == "arabic" else 0
        return np.random.default_rng([self.spec.seed, 0x2E_0D1, script, number + 1])

    def writer(self, rng: np.random.Generator, paper: int | None) -> Writer:
        arabic = self.spec.script == "arabic"
        digits, joins = self.habits[paper] if paper is not None else (True, 0.05)
        return Writer(
            self.lang,
            rng,
            arabic_digits=arabic and digits,
            join_rate=joins if arabic else 0.0,
            glued_stops=float(rng.uniform(0.3, 0.9)) if arabic else 0.0,
        )

    def event_articles(self, number: int) -> list[ProxyArticle]:
        """Event ``number``'s agency story, then its newspaper articles."""
        spec, lang = self.spec, self.lang
        rng = self._rng(number)
        event = make_event(lang, rng, number, self.recurring)
        when = spec.start + timedelta(minutes=37.0 * number)
        prefix = "ar" if spec.script == "arabic" else "la"
        agency = self.writer(rng, None)
        story = [(agency.realise(event, fact), True) for fact in event.facts]
        story_sentences = _sentences(story, rng, merge=0.25)
        text, _, _ = agency.render(_paragraphs(story_sentences, rng))
        agency_id = f"{prefix}-agency-{number}"
        out = [
            ProxyArticle(
                {
                    "id": agency_id,
                    "text": text,
                    "outlet": "Agency",
                    "title": f"{prefix} event {number}",
                    "published_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
                None,
            )
        ]
        low, high = spec.papers_per_event
        papers = rng.choice(_PAPERS, size=int(rng.integers(low, high + 1)), replace=False)
        for k, paper in enumerate(papers.tolist()):
            roll = rng.random()
            label: Label = (
                "wholly"
                if roll < spec.wholly
                else "partially"
                if roll < spec.wholly + spec.partially
                else "non"
            )
            writer = self.writer(rng, paper)
            if label == "non":
                sentences = self.independent(event, writer, rng)
            else:
                sentences = self.rewrite(event, story, writer, rng, wholly=label == "wholly")
            text, total, derived = writer.render(_paragraphs(sentences, rng))
            later = when + timedelta(hours=float(rng.uniform(1, 20)))
            article_id = f"{prefix}-paper{paper}-{number}"
            out.append(
                ProxyArticle(
                    {
                        "id": article_id,
                        "text": text,
                        "outlet": self.papers[paper],
                        "title": f"{prefix} report {number}.{k}",
                        "published_at": later.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    },
                    {
                        "id": article_id,
                        "source_id": agency_id,
                        "label": label,
                        "script": spec.script,
                        "derived_share": round(derived / max(total, 1), 4),
                    },
                )
            )
        return out

    def own_facts(self, event: Event, rng: np.random.Generator, n: int) -> list[list[Slot]]:
        """Facts an outlet adds of its own: about the same people half of the time."""
        own = make_event(self.lang, rng, event.number, self.recurring)
        pools: dict[str, list[Any]] = {
            "p": event.persons,
            "l": event.places,
            "o": event.orgs,
            "f": event.figures,
        }
        facts = []
        for fact in own.facts[:n]:
            facts.append(
                [
                    (kind, index)
                    if kind == "c"
                    else (kind, index % len(pools[kind]))
                    if rng.random() < 0.5
                    else ("c", self.lang.concept(rng))
                    for kind, index in fact
                ]
            )
        return facts

    def rewrite(
        self,
        event: Event,
        story: list[tuple[tuple[Chunk, ...], bool]],
        writer: Writer,
        rng: np.random.Generator,
        *,
        wholly: bool,
    ) -> list[Sentence]:
        """A newspaper's rewrite of the agency story: wholly (nearly all of it, a
        little of its own) or partially (a part of it, beside its own material)."""
        n = len(story)
        if wholly:
            kept = [i for i in range(n) if i == 0 or rng.random() < 0.9]
            own_count = int(rng.integers(0, max(2, len(kept) // 8)))
        else:
            share = rng.uniform(0.15, 0.5)
            size = max(2, round(share * n))
            if rng.random() < 0.5:  # the lead and what follows it
                kept = list(range(size))
            else:  # scattered through the story, the lead first
                kept = sorted({0, *rng.choice(n, size=size - 1, replace=False).tolist()})
            own_count = max(2, round(len(kept) * rng.uniform(0.8, 2.5)))
        intensity = float(rng.uniform(*self.spec.intensity))
        derived = [
            (writer.reword(event, story[i][0], intensity, self.spec.reframe), True) for i in kept
        ]
        for i in range(len(derived) - 1):  # neighbouring facts swapped now and then
            if rng.random() < 0.15:
                derived[i], derived[i + 1] = derived[i + 1], derived[i]
        own = [(writer.realise(event, f), False) for f in self.own_facts(event, rng, own_count)]
        clauses = derived
        for clause in own:  # own material goes in between, more towards the end
            at = int(len(clauses) * rng.uniform(0.15, 1.0) ** 0.5) if clauses else 0
            clauses.insert(at, clause)
        sentences = _sentences(clauses, rng, merge=0.3)
        return _split_some(sentences, rng)

    def independent(self, event: Event, writer: Writer, rng: np.random.Generator) -> list[Sentence]:
        """The same event reported independently: some of its facts, in this
        writer's own words and order, and facts of its own."""
        n = len(event.facts)
        chosen = rng.choice(n, size=max(3, round(n * rng.uniform(0.4, 0.8))), replace=False)
        facts = [event.facts[i] for i in chosen.tolist()]
        if 0 not in chosen.tolist() or rng.random() < 0.5:
            rng.shuffle(facts)
        else:  # the lead stays first; the rest in the writer's own order
            rest = [event.facts[i] for i in chosen.tolist() if i != 0]
            rng.shuffle(rest)
            facts = [event.facts[0], *rest]
        facts += self.own_facts(event, rng, int(rng.integers(2, 8)))
        order = list(range(len(facts)))
        rng.shuffle(order)
        clauses = [(writer.realise(event, facts[i]), False) for i in order]
        return _sentences(clauses, rng, merge=0.3)


def _split_some(sentences: list[Sentence], rng: np.random.Generator) -> list[Sentence]:
    """Two-clause sentences split in two now and then."""
    out: list[Sentence] = []
    for s in sentences:
        if len(s.clauses) == 2 and rng.random() < 0.4:
            out.extend(Sentence((c,), s.derived) for c in s.clauses)
        else:
            out.append(s)
    return out


def generate_rewrites(spec: RewriteCorpusSpec) -> Iterator[ProxyArticle]:
    """Every article of the corpus: each event's agency story, then its papers."""
    desk = RewriteDesk(spec)
    for number in range(spec.events):
        yield from desk.event_articles(number)


@dataclass(frozen=True)
class ProxyCorpus:
    """A generated corpus in one script: its articles and its labelled pairs."""

    spec: RewriteCorpusSpec
    articles: list[ProxyArticle]

    @cached_property
    def pairs(self) -> list[dict[str, Any]]:
        return [a.truth for a in self.articles if a.truth is not None]


def proxy_corpus(spec: RewriteCorpusSpec) -> ProxyCorpus:
    return ProxyCorpus(spec, list(generate_rewrites(spec)))
