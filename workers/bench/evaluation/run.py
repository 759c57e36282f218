"""A labelled corpus through the real pipeline, and the figures that come out.

The corpus goes in as articles (``workers.jobs.pipeline.ingest``, exactly what the
API's worker and ``wiretrace analyze`` run) and the figures are read off each
article's origins record (``workers.jobs.pipeline.load_origins``) once everything
is in. Sources are given an earlier ``published_at`` than the texts that reuse
them, as a newsroom's sources would be; every document is its own outlet.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise, product
from pathlib import Path
from typing import Protocol

from workers.bench.evaluation.corpora import (
    CLASSES,
    SIMULATED,
    Annotation,
    CloughStevenson,
    PanCorpus,
    read_clough_stevenson,
    read_pan,
)
from workers.bench.evaluation.plagdet import Scores, score, score_by_kind
from workers.bench.rewrites import ProxyCorpus, RewriteCorpusSpec, Script, proxy_corpus
from workers.engine.origins import verdict_for
from workers.engine.params import EngineParams
from workers.jobs.pipeline import ingest, load_origins
from workers.models import ArticleIn, Origins
from workers.store import Store

SOURCE_TIME = datetime(2000, 1, 1, tzinfo=UTC)
REUSE_TIME = SOURCE_TIME + timedelta(days=1)


def reordered(articles: Sequence[ArticleIn], order: str) -> list[ArticleIn]:
    """``articles`` in ``order``. ``published``: as built, sources first and dated
    earlier; ``newest-first`` and ``shuffled`` (the same shuffle each run) drop every
    date, so that no article is known to be the earlier: a record must not depend
    on which of a pair came in first."""
    if order == "published":
        return list(articles)
    undated = [a.model_copy(update={"published_at": None}) for a in articles]
    if order == "newest-first":
        return undated[::-1]
    if order == "shuffled":
        random.Random(1).shuffle(undated)
        return undated
    raise ValueError(f"unknown order {order!r}")


def ingest_all(
    store: Store,
    articles: Sequence[ArticleIn],
    progress: Callable[[ArticleIn], None] = lambda _: None,
) -> dict[str, Origins]:
    """Ingest ``articles`` in the order given; then every article's origins."""
    for article in articles:
        ingest(store, article)
        progress(article)
    found = {a.id: load_origins(store, a.id) for a in articles}
    return {k: v for k, v in found.items() if v is not None}


# --- Clough-Stevenson: document level ------------------------------------------


def clough_stevenson_articles(corpus: CloughStevenson) -> list[ArticleIn]:
    """The five sources first, then the answers; each participant is an outlet."""
    sources = [
        ArticleIn(id=name, text=text, outlet="wikipedia", published_at=SOURCE_TIME)
        for name, text in corpus.sources.values()
    ]
    answers = [
        ArticleIn(id=a.name, text=a.text, outlet=a.participant, published_at=REUSE_TIME)
        for a in corpus.answers
    ]
    return sources + answers


@dataclass(frozen=True)
class AnswerResult:
    name: str
    task: str
    label: str
    verdict: str  # against the task's source; non where it is not among the sources
    reused_fraction: float  # against the task's source
    verbatim_fraction: float  # the part of it taken word for word

    @property
    def derived(self) -> bool:
        return self.label != "non"

    @property
    def predicted_derived(self) -> bool:
        return self.verdict != "non"


def four_class(result: AnswerResult, light_from: float, cut_from: float) -> str:
    """Clough-Stevenson's class read off the answer's record against its source.

    ``non`` where the verdict is ``non``. A derived answer is told apart by how
    much of it was taken word for word (``verbatim_fraction``), not by how much
    was taken: ``cut`` from ``cut_from``, ``light`` from ``light_from``, else
    ``heavy`` (reworded throughout). The two cut-offs are the evaluation's, chosen
    on other tasks than the one scored (:func:`cross_validate_four_class`).
    """
    if not result.predicted_derived:
        return "non"
    if result.verbatim_fraction >= cut_from:
        return "cut"
    return "light" if result.verbatim_fraction >= light_from else "heavy"


def verdict_class(result: AnswerResult) -> str:
    """The class METER's verdicts give alone: ``wholly`` read as cut, ``partially``
    as heavy; ``light`` has no verdict of its own."""
    return {"wholly": "cut", "partially": "heavy"}.get(result.verdict, "non")


@dataclass(frozen=True)
class BinaryScores:
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int

    @property
    def total(self) -> int:
        return (
            self.true_positives + self.false_positives + self.true_negatives + self.false_negatives
        )

    @property
    def accuracy(self) -> float:
        return (self.true_positives + self.true_negatives) / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 0.0

    @property
    def recall(self) -> float:
        derived = self.true_positives + self.false_negatives
        return self.true_positives / derived if derived else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def best_cut_off(results: list[AnswerResult]) -> float:
    """The ``reused_fraction`` cut-off that best separates derived from non in ``results``:
    of the cut-offs between neighbouring fractions that get most answers right, the
    median one."""
    fractions = sorted({0.0, *(r.reused_fraction for r in results), 1.0})
    candidates = [(x + y) / 2 for x, y in pairwise(fractions)]
    right = [right_at(results, c) for c in candidates]
    best = [c for c, n in zip(candidates, right, strict=True) if n == max(right)]
    return best[len(best) // 2]


def right_at(results: Iterable[AnswerResult], cut_off: float) -> int:
    """Answers called derived or not rightly when derived means ``reused_fraction >= cut_off``."""
    return sum((r.reused_fraction >= cut_off) == r.derived for r in results)


def binary_scores(pairs: Iterable[tuple[bool, bool]]) -> BinaryScores:
    """Scores of ``(derived, predicted derived)`` pairs."""
    counts = Counter(pairs)
    return BinaryScores(
        true_positives=counts[(True, True)],
        false_positives=counts[(False, True)],
        true_negatives=counts[(False, False)],
        false_negatives=counts[(True, False)],
    )


EngineSetting = dict[str, float]  # settings a run overrides, by field name

# The engine cut-offs ``wiretrace eval --cross-validate`` chooses among on four tasks.
# The rewrite stage's similarity cut-offs stay as set: starting at 0.35 already finds
# copy between the news seeds that share only quotations (see README, Measured).
CROSS_VALIDATION_GRID: dict[str, tuple[float, ...]] = {
    "rewrite_start_shared_words": (0.0, 1.0, 2.0, 3.0, 4.0, 5.0),
}


def grid_settings(grid: dict[str, tuple[float, ...]]) -> list[EngineSetting]:
    """Every combination of the values in ``grid``, in grid order."""
    return [dict(zip(grid, values, strict=True)) for values in product(*grid.values())]


@dataclass(frozen=True)
class SettingRun:
    """Clough-Stevenson's answers scored with one setting of the engine."""

    setting: EngineSetting
    results: list[AnswerResult]
    # Higher wins between settings equally right on the training tasks: the PAN
    # plagdet of the same setting, a corpus apart from the one being tested.
    tie_break: float = 0.0


@dataclass(frozen=True)
class Fold:
    """One held-out task: what was chosen on the other four, and how it did on this one."""

    task: str
    setting: EngineSetting
    cut_off: float
    right: int
    answers: int


@dataclass(frozen=True)
class CrossValidation:
    """Derived-vs-non figures with everything the decision rests on chosen on the
    other tasks: leave one task out."""

    folds: list[Fold]
    binary: BinaryScores

    def lines(self) -> list[str]:
        b = self.binary
        out = [
            f"  derived vs non, chosen on the other four tasks (leave one task out): "
            f"accuracy {b.accuracy:.4f}  F1 {b.f1:.4f}  (TP {b.true_positives} "
            f"FP {b.false_positives} TN {b.true_negatives} FN {b.false_negatives})"
        ]
        for fold in self.folds:
            chosen = "".join(f"{name} {value:g}, " for name, value in fold.setting.items())
            out.append(
                f"    task {fold.task}: {chosen}reused_fraction cut-off {fold.cut_off:.3f}: "
                f"{fold.right}/{fold.answers} right"
            )
        return out


def cross_validate(runs: list[SettingRun]) -> CrossValidation:
    """For each task, the setting and ``reused_fraction`` cut-off that get most answers
    of the other tasks right (then: the higher tie-break; of remaining ties, the
    median in grid order), scored on that task."""
    folds: list[Fold] = []
    held_out: list[tuple[bool, bool]] = []
    for task in sorted({r.task for run in runs for r in run.results}):
        chosen = []
        for run in runs:
            train = [r for r in run.results if r.task != task]
            cut = best_cut_off(train)
            chosen.append(((right_at(train, cut), run.tie_break), run, cut))
        best = max(key for key, _, _ in chosen)
        tied = [(run, cut) for key, run, cut in chosen if key == best]
        run, cut = tied[len(tied) // 2]
        test = [r for r in run.results if r.task == task]
        held_out.extend((r.derived, r.reused_fraction >= cut) for r in test)
        folds.append(Fold(task, run.setting, cut, right_at(test, cut), len(test)))
    return CrossValidation(folds, binary_scores(held_out))


# verbatim_fraction cut-offs the four-class mapping chooses among.
VERBATIM_CUT_OFFS = tuple(step / 50 for step in range(51))


def best_class_cut_offs(results: list[AnswerResult]) -> tuple[float, float]:
    """The (light, cut) ``verbatim_fraction`` cut-offs that class most of ``results``
    rightly; of ties, the median in grid order."""
    grid = [
        (light, cut) for light in VERBATIM_CUT_OFFS for cut in VERBATIM_CUT_OFFS if light <= cut
    ]
    right = [sum(four_class(r, *cuts) == r.label for r in results) for cuts in grid]
    best = [cuts for cuts, n in zip(grid, right, strict=True) if n == max(right)]
    return best[len(best) // 2]


@dataclass(frozen=True)
class FourClassFold:
    task: str
    light_from: float
    cut_from: float
    right: int
    answers: int


@dataclass(frozen=True)
class FourClassFigures:
    """Four-class predictions of held-out tasks, the cut-offs chosen on the others."""

    confusion: Counter[tuple[str, str]]  # (label, predicted) -> answers
    folds: list[FourClassFold]

    @property
    def accuracy(self) -> float:
        total = sum(self.confusion.values())
        right = sum(n for (label, predicted), n in self.confusion.items() if label == predicted)
        return right / total if total else 0.0

    def lines(self) -> list[str]:
        out = [
            f"  4 classes, verbatim_fraction cut-offs chosen on the other four tasks (leave one "
            f"task out): accuracy {self.accuracy:.4f}  (rows: label, columns: predicted)",
            *confusion_lines(self.confusion),
        ]
        out.extend(
            f"    task {f.task}: light from {f.light_from:.2f}, cut from {f.cut_from:.2f}: "
            f"{f.right}/{f.answers} right"
            for f in self.folds
        )
        return out


def confusion_lines(confusion: Counter[tuple[str, str]]) -> list[str]:
    rows = ["    " + "".join(f"{c:>7}" for c in CLASSES)]
    for label in CLASSES:
        rows.append(f"  {label:>6}" + "".join(f"{confusion[(label, p)]:>7}" for p in CLASSES))
    return rows


def cross_validate_four_class(results: list[AnswerResult]) -> FourClassFigures:
    """Each task's answers classed with the cut-offs :func:`best_class_cut_offs` picks
    on the other tasks."""
    confusion: Counter[tuple[str, str]] = Counter()
    folds = []
    for task in sorted({r.task for r in results}):
        light_from, cut_from = best_class_cut_offs([r for r in results if r.task != task])
        test = [r for r in results if r.task == task]
        predicted = [four_class(r, light_from, cut_from) for r in test]
        confusion.update((r.label, p) for r, p in zip(test, predicted, strict=True))
        right = sum(r.label == p for r, p in zip(test, predicted, strict=True))
        folds.append(FourClassFold(task, light_from, cut_from, right, len(test)))
    return FourClassFigures(confusion, folds)


@dataclass(frozen=True)
class CloughStevensonReport:
    results: list[AnswerResult]

    @property
    def binary(self) -> BinaryScores:
        return binary_scores((r.derived, r.predicted_derived) for r in self.results)

    @property
    def verdict_class_accuracy(self) -> float:
        """Four-class accuracy of the verdicts alone (:func:`verdict_class`)."""
        right = sum(r.label == verdict_class(r) for r in self.results)
        return right / len(self.results) if self.results else 0.0

    def figures(self) -> dict[str, float]:
        held_out = cross_validate([SettingRun({}, self.results)]).binary
        return {
            "accuracy": self.binary.accuracy,
            "F1": self.binary.f1,
            "held-out accuracy": held_out.accuracy,
            "held-out F1": held_out.f1,
            "4 classes held out": cross_validate_four_class(self.results).accuracy,
        }

    def lines(self) -> list[str]:
        b = self.binary
        return [
            f"Clough-Stevenson: {len(self.results)} answers",
            f"  derived vs non: accuracy {b.accuracy:.4f}  F1 {b.f1:.4f}  "
            f"precision {b.precision:.4f}  recall {b.recall:.4f}  "
            f"(TP {b.true_positives} FP {b.false_positives} "
            f"TN {b.true_negatives} FN {b.false_negatives})",
            *cross_validate([SettingRun({}, self.results)]).lines(),
            *cross_validate_four_class(self.results).lines(),
            f"  4 classes by verdict alone (wholly: cut, partially: heavy): "
            f"accuracy {self.verdict_class_accuracy:.4f}",
        ]


def score_clough_stevenson(
    corpus: CloughStevenson, origins: dict[str, Origins]
) -> CloughStevensonReport:
    """Each answer's record against its own task's source, scored against its label."""
    results = []
    for answer in corpus.answers:
        source_name = corpus.sources[answer.task][0]
        record = origins.get(answer.name)
        source = next((s for s in record.sources if s.id == source_name), None) if record else None
        results.append(
            AnswerResult(
                name=answer.name,
                task=answer.task,
                label=answer.label,
                verdict=source.verdict if source else "non",
                reused_fraction=source.reused_fraction if source else 0.0,
                verbatim_fraction=(source.verbatim_fraction or 0.0) if source else 0.0,
            )
        )
    return CloughStevensonReport(results)


# --- PAN: passage level ---------------------------------------------------------


def pan_articles(corpus: PanCorpus) -> list[ArticleIn]:
    """Source documents first, then suspicious ones; each document its own outlet."""
    return [
        ArticleIn(id=name, text=text, outlet=name, published_at=when)
        for docs, when in ((corpus.sources, SOURCE_TIME), (corpus.suspicious, REUSE_TIME))
        for name, text in docs.items()
    ]


def pan_detections(corpus: PanCorpus, origins: dict[str, Origins]) -> list[Annotation]:
    """Every passage of a suspicious document's record shared with a source
    document, but boilerplate, exactly as the record gives it: one detection a
    passage (a whole aligned stretch, whatever kinds its segments are: text
    alignment asks where the text came from, and a quoted part came from its
    source all the same)."""
    return [
        Annotation(
            suspicious=name,
            this_offset=p.start,
            this_length=p.end - p.start,
            source=p.source_id,
            source_offset=p.source_start,
            source_length=p.source_end - p.source_start,
        )
        for name in corpus.suspicious
        if (record := origins.get(name)) is not None
        for p in record.passages
        if p.source_id in corpus.sources and p.kind != "boilerplate"
    ]


@dataclass(frozen=True)
class PanReport:
    overall: Scores
    by_kind: dict[str, Scores]

    def figures(self) -> dict[str, float]:
        simulated = self.by_kind.get(SIMULATED)
        return {
            "plagdet": self.overall.plagdet,
            "granularity": self.overall.granularity,
            **{f"{kind} plagdet": s.plagdet for kind, s in self.by_kind.items()},
            # Human rewrites, the hardest to find: their recall is a target of its own.
            **({"simulated recall": simulated.recall} if simulated else {}),
        }

    def lines(self) -> list[str]:
        def row(name: str, s: Scores) -> str:
            return (
                f"  {name:<20} plagdet {s.plagdet:.4f}  precision {s.precision:.4f}  "
                f"recall {s.recall:.4f}  granularity {s.granularity:.4f}  "
                f"({s.cases} cases, {s.detections} detections)"
            )

        return [
            "PAN (passage level, macro-averaged):",
            row("all", self.overall),
            *(row(kind, s) for kind, s in self.by_kind.items()),
        ]


def score_pan(corpus: PanCorpus, origins: dict[str, Origins]) -> PanReport:
    detections = pan_detections(corpus, origins)
    return PanReport(
        overall=score(corpus.cases, detections), by_kind=score_by_kind(corpus.cases, detections)
    )


# --- one corpus, start to finish ------------------------------------------------


class Report(Protocol):
    def lines(self) -> list[str]: ...

    def figures(self) -> dict[str, float]: ...


def seed_lines(figures: list[dict[str, float]]) -> list[str]:
    """Each run's headline figures (runs with MinHash seeds 1, 2, ...), then each
    figure's mean, lowest and highest over the runs."""
    lines = [
        f"  seed {seed}: " + "  ".join(f"{name} {value:.4f}" for name, value in run.items())
        for seed, run in enumerate(figures, start=1)
    ]
    lines.append(f"{f'  over {len(figures)} seeds:':<32}{'mean':>9}{'lowest':>9}{'highest':>9}")
    for name in figures[0]:
        values = [run[name] for run in figures]
        lines.append(
            f"    {name:<28}{sum(values) / len(values):>9.4f}{min(values):>9.4f}{max(values):>9.4f}"
        )
    return lines


@dataclass(frozen=True)
class CorpusRun:
    """What to ingest for one corpus, and how to score the origins that come out."""

    articles: list[ArticleIn]
    score: Callable[[dict[str, Origins]], Report]


def prepare_run(name: str, folder: Path, *, proxy_events: int = 150) -> CorpusRun:
    """The run for corpus ``name`` (``clough-stevenson`` or ``pan-indonesian``) in ``folder``."""
    if name == "clough-stevenson":
        cs = read_clough_stevenson(folder)
        return CorpusRun(clough_stevenson_articles(cs), lambda o: score_clough_stevenson(cs, o))
    if name == "pan-indonesian":
        pan = read_pan(folder)
        return CorpusRun(pan_articles(pan), lambda o: score_pan(pan, o))
    if name in PROXIES:
        proxy = proxy_corpus(RewriteCorpusSpec(script=PROXIES[name], events=proxy_events))
        return CorpusRun(proxy_articles(proxy), lambda o: score_proxy(proxy, o))
    raise ValueError(f"unknown corpus {name!r}")


# The generated rewrite corpora, by the name ``wiretrace eval`` knows them by.
PROXIES: dict[str, Script] = {"rewrites-latin": "latin", "rewrites-arabic": "arabic"}


# --- the rewrite proxy: document level, three classes ---------------------------


def proxy_articles(corpus: ProxyCorpus) -> list[ArticleIn]:
    """Every article of a generated rewrite corpus, agency stories and papers, in
    the order generated (each event's agency story before its papers)."""
    return [ArticleIn.model_validate(a.record) for a in corpus.articles]


def macro_f1(pairs: Sequence[tuple[str, str]], classes: Sequence[str]) -> float:
    """Mean over ``classes`` of each class's F1, from ``(label, predicted)`` pairs."""
    scores = []
    for c in classes:
        tp = sum(1 for label, predicted in pairs if label == c and predicted == c)
        fp = sum(1 for label, predicted in pairs if label != c and predicted == c)
        fn = sum(1 for label, predicted in pairs if label == c and predicted != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


@dataclass(frozen=True)
class ProxyResult:
    """One newspaper article's record against its event's agency story."""

    id: str
    event: int
    label: str  # wholly, partially, non
    verdict: str  # the agency story's source entry's verdict; non where not listed
    listed: bool
    reused: float  # the source entry's reused_fraction
    rewritten: float | None  # its rewrite_fraction where the pair is a rewrite

    def with_wholly(self, wholly: float) -> str:
        """The verdict had ``verdict_wholly_rewrite`` been ``wholly`` (the record says
        whether the article is derived at all; how much was taken says which class)."""
        if self.verdict == "non":
            return "non"
        return verdict_for(
            self.reused,
            wholly=EngineParams().verdict_wholly,
            partially=0.0,
            rewrite_fraction=self.rewritten,
            wholly_rewrite=wholly,
        )


# verdict_wholly_rewrite values the rewrite proxy's cross-validation chooses among.
WHOLLY_CUT_OFFS = tuple(round(0.3 + step / 50, 2) for step in range(26))
PROXY_FOLDS = 5


@dataclass(frozen=True)
class WhollyFold:
    fold: int
    wholly: float
    macro_f1: float
    articles: int


def best_wholly(results: Sequence[ProxyResult]) -> float:
    """The ``verdict_wholly_rewrite`` of :data:`WHOLLY_CUT_OFFS` under which the verdicts of
    ``results`` have the best 3-class macro-F1; of ties, the median."""
    scores = [
        macro_f1([(r.label, r.with_wholly(w)) for r in results], VERDICTS) for w in WHOLLY_CUT_OFFS
    ]
    best = [w for w, f in zip(WHOLLY_CUT_OFFS, scores, strict=True) if f == max(scores)]
    return best[len(best) // 2]


def cross_validate_wholly(results: Sequence[ProxyResult]) -> tuple[list[WhollyFold], float]:
    """``verdict_wholly_rewrite`` chosen on four fifths of the events, the 3-class macro-F1
    of the fifth scored with it (events by number, five folds); and the macro-F1
    of all held-out verdicts together."""
    folds, held_out = [], []
    for fold in range(PROXY_FOLDS):
        train = [r for r in results if r.event % PROXY_FOLDS != fold]
        test = [r for r in results if r.event % PROXY_FOLDS == fold]
        wholly = best_wholly(train)
        pairs = [(r.label, r.with_wholly(wholly)) for r in test]
        held_out.extend(pairs)
        folds.append(WhollyFold(fold, wholly, macro_f1(pairs, VERDICTS), len(test)))
    return folds, macro_f1(held_out, VERDICTS)


@dataclass(frozen=True)
class ProxyReport:
    script: str
    results: list[ProxyResult]

    @property
    def binary(self) -> BinaryScores:
        return binary_scores((r.label != "non", r.verdict != "non") for r in self.results)

    @property
    def macro_f1(self) -> float:
        return macro_f1([(r.label, r.verdict) for r in self.results], VERDICTS)

    @property
    def independent_non(self) -> float:
        """Share of the independent reports whose record calls the story ``non``."""
        independent = [r for r in self.results if r.label == "non"]
        return sum(r.verdict == "non" for r in independent) / max(len(independent), 1)

    def figures(self) -> dict[str, float]:
        return {
            "F1": self.binary.f1,
            "macro-F1": self.macro_f1,
            "macro-F1 held out": cross_validate_wholly(self.results)[1],
            "independent non": self.independent_non,
        }

    def lines(self) -> list[str]:
        b = self.binary
        confusion = Counter((r.label, r.verdict) for r in self.results)
        derived = [r for r in self.results if r.label != "non"]
        unlisted = sum(not r.listed for r in derived)
        return [
            f"Rewrite proxy ({self.script} script): {len(self.results)} newspaper articles "
            f"against their agency stories",
            f"  derived vs non: F1 {b.f1:.4f}  precision {b.precision:.4f}  "
            f"recall {b.recall:.4f}  (TP {b.true_positives} FP {b.false_positives} "
            f"TN {b.true_negatives} FN {b.false_negatives})",
            f"  3 classes: macro-F1 {self.macro_f1:.4f}  independent reports non: "
            f"{self.independent_non:.4f}  derived articles not listing their story: "
            f"{unlisted} of {len(derived)}  (rows: label, columns: verdict)",
            "    " + "".join(f"{c:>10}" for c in VERDICTS),
            *(
                f"  {label:>9}" + "".join(f"{confusion[(label, v)]:>10}" for v in VERDICTS)
                for label in VERDICTS
            ),
            *self.wholly_lines(),
        ]

    def wholly_lines(self) -> list[str]:
        folds, held_out = cross_validate_wholly(self.results)
        return [
            f"  3 classes, verdict_wholly_rewrite chosen on the other folds (5 folds by event): "
            f"macro-F1 {held_out:.4f}",
            "    " + "  ".join(f"fold {f.fold}: {f.wholly:.2f} -> {f.macro_f1:.4f}" for f in folds),
        ]


VERDICTS = ("wholly", "partially", "non")


def pooled_wholly_lines(reports: Sequence[ProxyReport]) -> list[str]:
    """``verdict_wholly_rewrite`` chosen on the articles of both scripts together:
    five folds by event (each fold holds the same events of every script), each
    scored with the value chosen on the other four; and the value all of them
    give, which is what the setting's default is."""
    results = [r for report in reports for r in report.results]
    folds, held_out = cross_validate_wholly(results)
    scripts = " and ".join(report.script for report in reports)
    return [
        f"Rewrite proxies, {scripts} scripts together: verdict_wholly_rewrite chosen on the "
        f"other folds (5 folds by event): macro-F1 {held_out:.4f}; on all of them: "
        f"{best_wholly(results):.2f}",
        "    " + "  ".join(f"fold {f.fold}: {f.wholly:.2f} -> {f.macro_f1:.4f}" for f in folds),
    ]


def score_proxy(corpus: ProxyCorpus, origins: dict[str, Origins]) -> ProxyReport:
    """Each newspaper article's verdict against its agency story, as its record says."""
    results = []
    for pair in corpus.pairs:
        record = origins.get(pair["id"])
        source = (
            next((s for s in record.sources if s.id == pair["source_id"]), None) if record else None
        )
        rewritten = None
        if source is not None and source.derived_score and source.rewrite_fraction is not None:
            rewritten = source.rewrite_fraction
        results.append(
            ProxyResult(
                pair["id"],
                int(pair["id"].rsplit("-", 1)[1]),
                pair["label"],
                source.verdict if source else "non",
                source is not None,
                source.reused_fraction if source else 0.0,
                rewritten,
            )
        )
    return ProxyReport(corpus.spec.script, results)
