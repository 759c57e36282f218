"""``wiretrace eval``: corpus readers, the figures on the shared corpora, the command.

The shared corpora (../shared/eval) are read where they lie and the tests that
need them skip cleanly where they are absent. The command itself is also run
on two tiny corpora in the same formats, written here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import SHARED, missing, run_wiretrace
from workers.bench.evaluation.corpora import read_clough_stevenson, read_pan
from workers.bench.evaluation.run import (
    AnswerResult,
    Report,
    best_class_cut_offs,
    clough_stevenson_articles,
    cross_validate_four_class,
    four_class,
    ingest_all,
    pan_articles,
    prepare_run,
    score_clough_stevenson,
    score_pan,
)
from workers.models import ArticleIn, Origins
from workers.settings import Settings
from workers.store import Store

EVAL = SHARED / "eval"


def corpus_dir(name: str) -> Path:
    folder = EVAL / name
    if not folder.is_dir():
        missing(f"{name} not found in {EVAL}")
    return folder


def test_pan_reader_reads_every_case_including_the_misspelled_tag() -> None:
    corpus = read_pan(corpus_dir("pan-indonesian"))
    assert (len(corpus.sources), len(corpus.suspicious), len(corpus.cases)) == (30, 35, 94)
    assert Counter(c.kind for c in corpus.cases) == {
        "simulated": 45,
        "semantic-variation": 18,
        "random-shuffling": 14,
        "none": 11,
        "pos-preserving": 6,
    }
    for case in corpus.cases:
        assert 0 <= case.this_offset < case.this_end <= len(corpus.suspicious[case.suspicious])
        assert 0 <= case.source_offset < case.source_end <= len(corpus.sources[case.source])


def test_clough_stevenson_reader_reads_answers_and_sources() -> None:
    corpus = read_clough_stevenson(corpus_dir("clough-stevenson"))
    assert sorted(corpus.sources) == ["a", "b", "c", "d", "e"]
    assert Counter(a.label for a in corpus.answers) == {
        "non": 38,
        "cut": 19,
        "light": 19,
        "heavy": 19,
    }
    assert all(a.text.strip() for a in corpus.answers)


SEEDS = range(1, 6)  # as `wiretrace eval --seeds 5`, whose figures the README gives


def over_seeds(
    store: Store, articles: list[ArticleIn], score: Callable[[dict[str, Origins]], Report]
) -> dict[str, float]:
    """Each figure's mean over runs with MinHash seeds 1-5, each in an emptied store:
    which paraphrases candidate retrieval finds is a random draw."""
    runs = []
    for seed in SEEDS:
        store.wipe()
        seeded = Store(store.client, store.settings.model_copy(update={"minhash_seed": seed}))
        runs.append(score(ingest_all(seeded, articles)).figures())
    return {name: sum(run[name] for run in runs) / len(runs) for name in runs[0]}


def test_figures_on_the_shared_corpora(clean_store: Store) -> None:
    """Floors under the figures measured when the cut-offs were set (see
    docs/provenance.md), as means over five MinHash seeds: PAN plagdet 0.928,
    granularity 1.000 and simulated recall 0.807 under every seed (the floors are the
    targets); Clough-Stevenson accuracy 0.962, F1 0.968, four classes 0.741 (cut-offs
    chosen on the other tasks)."""
    pan = read_pan(corpus_dir("pan-indonesian"))
    pan_figures = over_seeds(clean_store, pan_articles(pan), lambda o: score_pan(pan, o))
    assert pan_figures["plagdet"] >= 0.85, pan_figures
    assert pan_figures["granularity"] <= 1.1, pan_figures
    assert pan_figures["simulated recall"] >= 0.80, pan_figures
    cs = read_clough_stevenson(corpus_dir("clough-stevenson"))
    cs_figures = over_seeds(
        clean_store, clough_stevenson_articles(cs), lambda o: score_clough_stevenson(cs, o)
    )
    assert cs_figures["accuracy"] >= 0.955, cs_figures
    assert cs_figures["F1"] >= 0.96, cs_figures
    assert cs_figures["4 classes held out"] >= 0.72, cs_figures


@pytest.mark.parametrize(
    ("name", "floors"),
    [
        ("rewrites-latin", {"F1": 0.93, "macro-F1": 0.85, "independent non": 0.95}),
        ("rewrites-arabic", {"F1": 0.90, "macro-F1": 0.75, "independent non": 0.95}),
    ],
)
def test_figures_on_the_rewrite_proxy(
    clean_store: Store, name: str, floors: dict[str, float]
) -> None:
    """The issue's targets on the generated rewrite corpora (one draw: the corpus
    and the MinHash seed are fixed; see docs/provenance.md for the figures)."""
    run = prepare_run(name, EVAL)
    figures = run.score(ingest_all(clean_store, run.articles)).figures()
    for figure, floor in floors.items():
        assert figures[figure] >= floor, figures


def answer(task: str, label: str, verdict: str, verbatim: float) -> AnswerResult:
    return AnswerResult(f"{label}_{task}", task, label, verdict, 0.9 * (verdict != "non"), verbatim)


def test_four_classes_come_from_how_much_was_taken_word_for_word() -> None:
    results = [
        answer(task, label, verdict, verbatim)
        for task in "abc"
        for label, verdict, verbatim in (
            ("cut", "wholly", 0.97),
            ("light", "wholly", 0.7),
            ("heavy", "wholly", 0.2),  # all of it taken, reworded
            ("heavy", "partially", 0.1),
            ("non", "non", 0.0),
        )
    ]
    light_from, cut_from = best_class_cut_offs(results)
    assert 0.2 < light_from <= 0.7 < cut_from <= 0.97
    assert [four_class(r, light_from, cut_from) for r in results] == [r.label for r in results]
    held_out = cross_validate_four_class(results)
    assert held_out.accuracy == 1.0 and [f.task for f in held_out.folds] == ["a", "b", "c"]


SOURCE = (
    "A lighthouse is a tower built to guide ships at night and in bad weather. Its lamp "
    "turns behind large lenses that bend the light into a beam seen far out at sea. "
    "Keepers once lived beside the tower, trimming wicks and winding the clockwork that "
    "turned the lamp every few seconds."
)
CUT = (
    "Lighthouses help sailors. A lighthouse is a tower built to guide ships at night and in "
    "bad weather. Its lamp turns behind large lenses that bend the light into a beam seen "
    "far out at sea."
)
NON = (
    "My grandfather sailed small fishing boats for forty years. He trusted his compass and "
    "his own eyes more than anything on the coast, and he never once got lost in the fog."
)

SOURCE_B = (
    "A glacier is a mass of ice that moves slowly downhill under its own weight. Snow that "
    "survives the summer is pressed into firn and then into dense blue ice over many years. "
    "Where a glacier meets the sea, blocks break from its front and float away as icebergs."
)
CUT_B = (
    "Glaciers in short. Snow that survives the summer is pressed into firn and then into dense "
    "blue ice over many years. Where a glacier meets the sea, blocks break from its front and "
    "float away as icebergs."
)
NON_B = (
    "We walked up to the foot of the valley on a grey morning. The guide pointed at a line of "
    "rocks far above us and told us the valley floor had been buried when her mother was young."
)


def write_small_corpora(root: Path) -> None:
    cs = root / "clough-stevenson"
    cs.mkdir(parents=True)
    listing = ["File,Task,Category"]
    for task, texts in (("a", (SOURCE, CUT, NON)), ("b", (SOURCE_B, CUT_B, NON_B))):
        for name, category, text in zip(
            ("orig", "g0pA", "g0pB"), ("orig", "cut", "non"), texts, strict=True
        ):
            (cs / f"{name}_task{task}.txt").write_text(text, encoding="utf-8")
            listing.append(f"{name}_task{task}.txt,{task},{category}")
    (cs / "file_information.csv").write_text("\n".join(listing) + "\n", encoding="utf-8")
    pan = root / "pan-indonesian"
    (pan / "source-documents").mkdir(parents=True)
    (pan / "suspicious-documents").mkdir(parents=True)
    (pan / "source-documents" / "source-document00001.txt").write_text(SOURCE, encoding="utf-8")
    suspicious = f"{NON}\n\n{SOURCE}"
    (pan / "suspicious-documents" / "suspicious-document00001.txt").write_text(
        suspicious, encoding="utf-8"
    )
    (pan / "suspicious-documents" / "suspicious-document00001.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<document reference="suspicious-document00001.txt">\n'
        f'<featue name="plagiarism" type="artificial" obfuscation="none" '
        f'this_offset="{len(NON) + 2}" this_length="{len(SOURCE) - 1}" '
        'source_reference="source-document00001.txt" source_offset="0" '
        f'source_length="{len(SOURCE) - 1}"/>\n</document>\n',
        encoding="utf-8",
    )


def test_the_eval_command_prints_the_figures(tmp_path: Path, settings: Settings) -> None:
    write_small_corpora(tmp_path)
    done = run_wiretrace(
        settings, "eval", "--dir", str(tmp_path), "--proxy-events", "10", timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"derived vs non: accuracy 1\.0000\s+F1 1\.0000", out), out
    plagdet = re.search(r"^\s+all\s+plagdet (\S+)", out, re.MULTILINE)
    assert plagdet and float(plagdet.group(1)) >= 0.99, out
    assert re.search(r"^\s+none\s+plagdet", out, re.MULTILINE), out
    # The generated rewrite corpora, both scripts, beside the shared ones.
    for script in ("latin", "arabic"):
        assert f"Rewrite proxy ({script} script)" in out, out
    assert len(re.findall(r"3 classes: macro-F1 \d\.\d{4}", out)) == 2, out
    assert len(re.findall(r"independent reports non: \d\.\d{4}", out)) == 2, out


def test_the_eval_command_runs_over_seeds(tmp_path: Path, settings: Settings) -> None:
    write_small_corpora(tmp_path)
    done = run_wiretrace(
        settings,
        "eval",
        "clough-stevenson",
        "pan-indonesian",
        "--seeds",
        "2",
        "--dir",
        str(tmp_path),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for seed in (1, 2):
        assert re.search(rf"seed {seed}: accuracy 1\.0000\s+F1 1\.0000", out), out
    assert re.search(r"^\s+accuracy\s+1\.0000\s+1\.0000\s+1\.0000$", out, re.MULTILINE), out
    plagdet = re.search(r"^\s+plagdet\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.MULTILINE)
    assert plagdet and min(map(float, plagdet.groups())) >= 0.99, out
    assert "over 2 seeds" in out


def test_the_eval_command_says_when_a_corpus_is_missing(tmp_path: Path, settings: Settings) -> None:
    done = run_wiretrace(settings, "eval", "pan-indonesian", "--dir", str(tmp_path), timeout=120)
    assert done.returncode != 0
    assert "pan-indonesian not found" in done.stderr


def test_the_eval_command_cross_validates_over_tasks(tmp_path: Path, settings: Settings) -> None:
    write_small_corpora(tmp_path)
    done = run_wiretrace(settings, "eval", "--cross-validate", "--dir", str(tmp_path), timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "6 runs; ties: PAN plagdet" in out, out
    assert re.search(r"leave one task out\): accuracy 1\.0000\s+F1 1\.0000", out), out
    for task in "ab":
        assert re.search(rf"task {task}: rewrite_start_shared_words \S+, .* 2/2 right", out), out
