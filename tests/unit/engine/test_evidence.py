"""The evidence stage: a rewrite told from an independent report of the same event.

Each fixture is a small agency story, a newspaper's rewrite of it (sentences
reworded, merged and reordered within themselves, the names and figures kept,
a sentence of its own added) and an independent report of the same event (the
same names, places and figures, other wording and order). All of it is text
written for these tests: in English, and in a language made up for them,
written in Arabic script (every word invented; full stops ``۔`` with no space
after some; a word typed joined to the next in the rewrite).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from workers.engine.compare import compare_pair, evidence_params, prepare_article
from workers.engine.document import Document, prepare_document
from workers.engine.evidence import (
    Evidence,
    chain_runs,
    document_evidence,
    ordered_chain,
    rewritten_unit_pairs,
    unit_evidence,
)
from workers.engine.params import EngineParams

AGENCY = (
    "VALMORA, March 4 - The port authority of Valmora closed the northern ferry terminal on "
    "Tuesday after a fire in an engine room forced 412 passengers to leave the Stella Marin "
    "at the quay. Harbour master Teodor Lisk said nobody was hurt and that the fire brigade "
    "put out the flames within forty minutes.\n\n"
    "The ship, built in 1987, had been due to sail for the islands at noon. Its operator, "
    "Coastline Ferries, said two of its three engines were damaged and that repairs would "
    "take at least six weeks.\n\n"
    "Passengers were taken by bus to the southern terminal, where a second vessel left for "
    "the islands four hours late. Lisk said inspectors would examine the engine room on "
    "Wednesday before deciding when the northern terminal could reopen.\n\n"
    "The union representing the crew said it had warned the operator in January about "
    "worn fuel lines on the Stella Marin. Coastline Ferries declined to comment on the "
    "union's claim."
)
REWRITE = (
    "A fire that broke out in the engine room of the Stella Marin on Tuesday led the port "
    "authority of Valmora to shut the northern ferry terminal, and 412 passengers had to "
    "leave the ship at the quay. Nobody was hurt, harbour master Teodor Lisk said, adding "
    "that firefighters had put the flames out in forty minutes.\n\n"
    "The vessel was built in 1987 and was meant to leave for the islands at noon. Two of "
    "its three engines were damaged, according to the operator, Coastline Ferries, which "
    "expects the repairs to last six weeks or more.\n\n"
    "Buses took the passengers to the southern terminal, and another ship sailed for the "
    "islands four hours behind schedule. Inspectors will look at the engine room on "
    "Wednesday, Lisk said, before a decision on reopening the terminal.\n\n"
    "Residents of the old town said the smoke could be seen from the cathedral square."
)
INDEPENDENT = (
    "Smoke rose over the harbour of Valmora on Tuesday morning as the Stella Marin, a ferry "
    "in service since 1987, caught fire while still moored. All 412 people on board walked "
    "off safely, according to Teodor Lisk, who runs the harbour.\n\n"
    "Crew members told this newspaper they had complained for months about the state of "
    "the fuel lines. The operator, Coastline Ferries, has not answered our questions.\n\n"
    "Travellers bound for the islands waited most of the day in the southern terminal. "
    "Shopkeepers near the quay said the northern terminal, now closed, was the busiest "
    "in the region during the summer."
)

# The made-up language: names (زارکون بیلار, تومیرہ), figures (۳۴۵, ۱۹۹۸, ۱۲), and
# words invented for the story; the rewrite writes ۳۴۵ in the same digits and
# types دوریل سی joined.
AGENCY_AR = (
    "تومیرہ سی سوموار دیو، کیلم نیماری فا پرانا ساوند گاپیر میزوک تاسیف ہورک بیلانی۔"
    "زارکون بیلار نار ۳۴۵ دوریل سی حاسور پیلون دیتما کوشات رولان فیرتا۔\n\n"
    "ساوند گاپیر ۱۹۹۸ سی بیلانی دیو، تاسیف زارکون نار شیمال کوداری پاتیو ناسیر فا "
    "لوبیرا۔ کیلم ہورک نیماری سی ۱۲ زوناک فیرتا میزوک دوتار پیسول کاندیر۔\n\n"
    "بیلار نار گوسیرا وادیم سی پیلون رولان فا سیناک تومیرہ دیو ہاپور۔"
    "شیمال کوداری زارکون سی پاتیو ناسیر ماسول بیلانی گاپیر نار تیمور۔"
)
REWRITE_AR = (
    "سوموار دیو تومیرہ سی کیلم فا پرانا ساوند گاپیر تاسیف میزوک بیلانی ہورک، زارکون "
    "بیلار نار ۳۴۵ دوریلسی حاسور پیلون دیتما رولان کوشات۔\n\n"
    "ساوند گاپیر ۱۹۹۸ سی بیلانی، زارکون تاسیف شیمال کوداری نار پاتیو لوبیرا ناسیر۔"
    "۱۲ زوناک سی کیلم نیماری ہورک فیرتا دوتار میزوک پیسول۔\n\n"
    "بیلار نار گوسیرا وادیم پیلون رولان سی تومیرہ سیناک ہاپور۔ "
    "فانیکو بیراس تولیم سی ماریدا گوشان ریبالی نار تاکور۔"
)
INDEPENDENT_AR = (
    "زارکون بیلار سی ساوند گاپیر دیو شوراک ماتین ۳۴۵ نار ہولیس فا گاندیرو۔\n\n"
    "تومیرہ سی سوموار ۱۹۹۸ پالونا ریداس کیلم پوسار تیکان میرون بیلانی دوسا فیلار۔ "
    "۱۲ زوناک نار سافیرو ماکال، بیلار سی ہیرون تولیم گاسیر۔\n\n"
    "شیمال کوداری پیلون سی بوسار ناتیم رولان کی فاریس دیو سولان۔"
)

PARAMS = EngineParams()
STORIES = {
    "English": (AGENCY, REWRITE, INDEPENDENT),
    "Arabic script": (AGENCY_AR, REWRITE_AR, INDEPENDENT_AR),
}
# Where each rewrite's sentence of its own begins (its last).
OWN = {"English": "Residents of the old town", "Arabic script": "فانیکو بیراس"}


def evidence_of(text: str, source: str) -> Evidence:
    a, b = prepare_article(text, "paper", PARAMS), prepare_article(source, "agency", PARAMS)
    return document_evidence(a.doc, b.doc, evidence_params(PARAMS), quoted=(a.quoted, b.quoted))


@pytest.mark.parametrize("script", STORIES)
def test_a_rewrite_is_a_rewrite_and_an_independent_report_is_not(script: str) -> None:
    agency, rewrite, independent = STORIES[script]
    rewritten = evidence_of(rewrite, agency)
    assert rewritten.is_rewrite
    assert rewritten.a_score > 0.1  # of the rewrite's fragment weight, in order
    assert rewritten.a_aligned > 0.6  # of its words in chained sentences
    assert len(rewritten_unit_pairs(rewritten, evidence_params(PARAMS))) >= 3
    # Ordered sentence pairs: each follows the last in both texts.
    pairs = rewritten.pairs
    assert all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in pairwise(pairs))
    report = evidence_of(independent, agency)
    assert not report.is_rewrite
    assert (report.a_score, report.a_aligned) == (0.0, 0.0)


@pytest.mark.parametrize("script", STORIES)
def test_the_rewrite_is_one_passage_of_copy_with_low_verbatim(script: str) -> None:
    agency, rewrite, independent = STORIES[script]
    a, b = prepare_article(rewrite, "paper", PARAMS), prepare_article(agency, "agency", PARAMS)
    match = compare_pair(a, b, PARAMS)
    (passage,) = match.forward
    assert passage.kind == "copy"
    assert passage.verbatim is not None and passage.verbatim < 0.5  # reworded, not pasted
    copied = sum(s.end - s.start for s in passage.segments if s.kind == "copy")
    assert copied > 0.5 * len(rewrite)
    # The outlet's own last sentence is no part of what it took.
    assert all(s.end <= rewrite.index(OWN[script]) for s in passage.segments)
    # Seen from the agency story: the same passage, mirrored.
    (mirror,) = match.backward
    assert (mirror.start, mirror.end) == (passage.source_start, passage.source_end)
    independent_match = compare_pair(prepare_article(independent, "other", PARAMS), b, PARAMS)
    assert independent_match.forward == []


def test_the_evidence_is_the_same_seen_from_either_side() -> None:
    forward = evidence_of(REWRITE, AGENCY)
    backward = evidence_of(AGENCY, REWRITE)
    assert backward.flipped().pairs == forward.pairs
    assert (backward.b_score, backward.b_aligned) == (forward.a_score, forward.a_aligned)


def test_a_word_typed_joined_is_shared_with_the_two_it_joins() -> None:
    def doc(first: str) -> Document:
        # A second sentence of other words, so that a shared word weighs something.
        return prepare_document(
            f"{first}۔ بوسار ناتیم فاریس سولان۔", shingle_size=4, min_words=2, max_words=40
        )

    apart = doc("کیلم دوریل سی حاسور")
    joined = doc("کیلم دوریلسی حاسور")
    with_join = unit_evidence(joined, apart).shared_words[0, 0]
    words_alone = unit_evidence(doc("کیلم حاسور"), apart).shared_words[0, 0]
    assert with_join > words_alone > 0  # the joined word counts beside the two shared
    # In both directions.
    assert unit_evidence(apart, joined).shared_words[0, 0] == pytest.approx(with_join)


def test_the_ordered_chain_is_the_heaviest_ascending_in_both() -> None:
    values = np.array(
        [
            [0.0, 0.9, 0.0],
            [0.5, 0.0, 0.0],
            [0.0, 0.0, 0.4],
        ]
    )
    # (1, 0) then (2, 2) weighs 0.9; (0, 1) then (2, 2) weighs 1.3: the heavier.
    assert ordered_chain(values) == [(0, 1), (2, 2)]
    assert ordered_chain(np.zeros((2, 2))) == []


def test_runs_are_cut_where_two_pairs_lie_far_apart() -> None:
    a = prepare_document(REWRITE, shingle_size=4, min_words=8, max_words=40)
    b = prepare_document(AGENCY, shingle_size=4, min_words=8, max_words=40)
    units = unit_evidence(a, b)
    runs = chain_runs([(0, 0), (1, 1), (4, 4)], units, units.similarity, gap=2)
    assert [run.pairs for run in runs] == [[(0, 0), (1, 1)], [(4, 4)]]
    assert all(run.distinctive > 0 and 0 < run.density <= 1 for run in runs)
