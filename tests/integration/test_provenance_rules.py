"""Provenance rules on texts written for these tests: rewrites, short sentences,
quotes, wire credits, direction, verdicts, boilerplate and other languages.

Engine-level checks run on strings; record-level checks ingest through the real
pipeline into the real Redis (``clean_store``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.helpers import SHARED, missing
from workers.bench.evaluation.corpora import read_text
from workers.engine.attribute import credit_positions, wire_credits, wire_patterns
from workers.engine.classify import quote_spans
from workers.engine.compare import compare_articles, prepare_article
from workers.engine.document import prepare_document
from workers.engine.rewrite import shared_word_weights, unit_similarity
from workers.jobs.pipeline import ingest, load_origins
from workers.models import ArticleIn, MatchedPassage, Origins
from workers.settings import Settings
from workers.store import IndexMismatchError, Store, index_fingerprint

SETTINGS = Settings()
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

SOURCE = (
    "The harbour authority closed the northern pier on Monday after engineers found deep "
    "cracks in the concrete supports below the ferry ramp. "
    "Ferries to the islands will leave from the southern terminal until repairs are "
    "finished, which the authority expects to take at least six weeks. "
    "Island councillors said the detour would add nearly an hour to every crossing and "
    "asked the government to pay for extra sailings during the summer season. "
    "The ferry company said tickets already sold would remain valid on the new route."
)
REWRITE = (
    "Engineers discovered deep cracks in the concrete supports under the ferry ramp, and "
    "the harbour authority shut the northern pier on Monday. "
    "Until the repairs are done, expected to last six weeks at least, ferries bound for "
    "the islands will sail from the southern terminal. "
    "Councillors on the islands warned the detour would add almost an hour to each "
    "crossing and urged the government to fund additional summer sailings. "
    "Tickets already sold stay valid on the new route, the ferry company said."
)
INDEPENDENT = (
    "Commuters crowded the southern terminal on Monday as the northern pier stayed shut. "
    "Maria Lopes, who crosses to the islands every morning for work, said her journey had "
    "doubled and that nobody at the terminal could say when normal service would resume. "
    "A spokesman for the ferry company apologised for the queues and promised more staff."
)


def compare(a: str, b: str, a_outlet: str = "A", b_outlet: str = "B") -> list[MatchedPassage]:
    forward, _ = compare_articles(
        prepare_article(a, a_outlet, SETTINGS), prepare_article(b, b_outlet, SETTINGS), SETTINGS
    )
    return forward


# --- the engine, on strings -----------------------------------------------------


def test_a_rewritten_story_is_found_and_an_independent_one_is_not() -> None:
    (passage,) = compare(REWRITE, SOURCE)
    assert passage.kind == "copy"
    assert passage.end - passage.start > 0.9 * len(REWRITE)
    assert passage.source_end - passage.source_start > 0.9 * len(SOURCE)
    assert passage.similarity < 0.9  # reworded, not copied verbatim
    assert compare(INDEPENDENT, SOURCE) == []


def test_a_caption_printed_twice_counts_once() -> None:
    caption = "Passengers wait at the southern terminal after the northern pier was closed."
    printed_twice = f"{caption}\n\n{caption}\n\n{INDEPENDENT}"
    other = (
        "Passengers waited at the southern terminal once the northern pier had been shut.\n\n"
        "Elsewhere in the city, the council debated a new budget for street lighting."
    )
    assert compare(printed_twice, other) == []


def test_a_short_sentence_copied_whole_is_a_passage() -> None:
    shared = "The mayor denied having any closure plans."  # 7 words, a whole sentence
    a = f"Residents gathered outside the town hall on Friday evening. {shared}"
    b = (
        "Shops on the high street put up posters against the proposal. "
        f"{shared[:-1]} and called the reports false."
    )
    (passage,) = compare(a, b)
    assert a[passage.start : passage.end] == shared[:-1]
    too_short = "Officials denied the plans."  # 4 words
    assert compare(f"{a[:58]} {too_short}", f"{b[:62]} {too_short}") == []


def test_a_passage_is_copy_where_narrative_and_quote_where_quoted() -> None:
    narrative = (
        "The union said its members would stay away from the docks until the port "
        "authority put a written offer on the table."
    )
    quoted = (
        "“We have waited three months for an answer and we will not wait any longer,” "
        "the union's secretary said."
    )
    a = f"Opening words of the first outlet.\n\n{narrative} {quoted}"
    b = f"A different opening, written by another newsroom.\n\n{narrative} {quoted}"
    (passage,) = compare(a, b)  # one aligned stretch, copy then quote inside it
    assert passage.kind == "copy"
    kinds = [(s.kind, a[s.start : s.end][:12]) for s in passage.segments]
    assert kinds == [("copy", narrative[:12]), ("quote", quoted[1:13])]  # from its first word


def test_a_quotation_running_on_into_the_next_paragraph_is_quoted() -> None:
    text = (
        "The minister spoke after the vote.\n\n"
        "‘We expected a close result. The margin surprised everyone here.\n\n"
        "‘Now the work of rebuilding trust begins,’ she said."
    )
    quoted = [text[s:e] for s, e in quote_spans(text)]
    assert quoted[0].startswith("‘We expected") and quoted[0].endswith("everyone here.")
    assert quoted[1] == "‘Now the work of rebuilding trust begins,’"


def test_photo_credits_are_not_wire_credits() -> None:
    captions = [
        "Fishermen block the harbour entrance. (AP Photo/Jane Doe)",
        "Trawlers wait at the quay on Thursday. (Provincial Press Service via AP)",
        "A boat leaves port. Photo: Reuters",
    ]
    for caption in captions:
        assert wire_credits(caption) == [], caption
    assert wire_credits(f"HALIFAX (AP) — Fishermen blocked the harbour.\n\n{captions[0]}") == ["AP"]


def test_a_wire_merely_mentioned_is_not_credited() -> None:
    for text in [
        "The museum opened with a grant from Bloomberg Philanthropies.",
        "The minister told Reuters in an interview that the talks would go on.",
        "A letter from The Guardian's readers was read out in parliament.",
    ]:
        assert wire_credits(text) == [], text


def test_more_wires_come_from_settings() -> None:
    patterns = wire_patterns(
        Settings(extra_wires={"Tanjug": ["Tanjug", "Tanjug News"]}).extra_wires
    )
    text = "BELGRADE (Tanjug) — The cabinet met. Later, AP reported more."
    assert [w for _, w in credit_positions(text, patterns)] == ["Tanjug", "AP"]
    assert wire_credits(text) == ["AP"]


def test_diacritics_and_script_variants_do_not_hide_a_copy() -> None:
    french = (
        "Le conseil régional a décidé de fermer la jetée nord après la découverte de "
        "fissures profondes dans les piliers en béton sous la rampe des ferries."
    )
    stripped = french.translate(str.maketrans("éèêà", "eeea"))
    (p,) = compare(f"Première phrase à nous.\n\n{french}", f"Autre début ici.\n\n{stripped}")
    assert p.similarity == 1.0 and p.end - p.start >= len(french) - 2
    arabic = (
        "أعلن المجلس إغلاق الرصيف الشمالي بعد اكتشاف تشققات عميقة في الدعامات الخرسانية تحت المنحدر"
    )
    plain = arabic.replace("أ", "ا").replace("إ", "ا")
    (p,) = compare(arabic, f"خبر قصير اليوم. {plain}")
    assert p.similarity == 1.0 and p.end - p.start == len(arabic)


def test_an_indonesian_rewrite_is_found_without_any_stopword_list() -> None:
    source = (
        "Otoritas pelabuhan menutup dermaga utara pada hari Senin setelah para insinyur "
        "menemukan retakan dalam pada tiang beton di bawah jembatan kapal feri. "
        "Kapal feri menuju pulau akan berangkat dari terminal selatan sampai perbaikan "
        "selesai, yang diperkirakan memakan waktu paling sedikit enam minggu. "
        "Anggota dewan pulau mengatakan jalan memutar itu akan menambah hampir satu jam "
        "pada setiap penyeberangan."
    )
    rewrite = (
        "Para insinyur menemukan retakan dalam pada tiang beton di bawah jembatan kapal "
        "feri, dan otoritas pelabuhan menutup dermaga utara pada hari Senin. "
        "Sampai perbaikan selesai, yang diperkirakan memakan waktu enam minggu, kapal feri "
        "menuju pulau berangkat dari terminal selatan. "
        "Menurut anggota dewan pulau, jalan memutar itu menambah hampir satu jam pada "
        "setiap penyeberangan."
    )
    (p,) = compare(rewrite, source)
    assert p.kind == "copy" and p.end - p.start > 0.9 * len(rewrite)


def test_shared_words_are_counted_in_distinctive_words() -> None:
    """A word found in just one sentence of each text weighs one; a word found in
    every sentence of both weighs nothing."""
    a = prepare_document(
        "Lanterns swung above every harbour gate that night. "
        "Every harbour gate had a keeper with a bell.",
        shingle_size=4,
        min_words=8,
        max_words=40,
    )
    b = prepare_document(
        "Lanterns and brass bells hung on every harbour gate. "
        "Every harbour gate closed at ten in winter.",
        shingle_size=4,
        min_words=8,
        max_words=40,
    )
    # "lanterns" is in one sentence of each: 1; "every", "harbour", "gate": in all four.
    similarity = unit_similarity(a, b)

    def shared_words(i: int, j: int) -> float:
        return float(shared_word_weights(a, b, similarity, np.array([i]), np.array([j]))[0])

    assert shared_words(0, 0) == pytest.approx(1.0)
    # "bell" and "bells" differ; "a" / "at": not shared; nothing distinctive.
    assert shared_words(1, 1) == pytest.approx(0.0)
    assert unit_similarity(a, b)[0, 0] > 0


def test_sentences_of_a_topics_common_words_start_no_rewrite() -> None:
    """A Clough-Stevenson answer written without the source (its label: non) states the
    topic in the topic's own common words; a heavy rewrite of the source shares the
    source's distinctive words. Read where the corpus lies; skipped where absent."""
    folder = SHARED / "eval" / "clough-stevenson"
    if not folder.is_dir():
        missing(f"{folder} not found")

    def read(name: str) -> str:
        return read_text(folder / f"{name}.txt")

    assert compare(read("g1pD_taskd"), read("orig_taskd")) == []
    assert compare(read("g1pA_taskb"), read("orig_taskb")) != []
    lenient = Settings(rewrite_start_shared_words=0)
    found, _ = compare_articles(
        prepare_article(read("g1pD_taskd"), "A", lenient),
        prepare_article(read("orig_taskd"), "B", lenient),
        lenient,
    )
    assert found  # the Dice cut-off alone lets it through


# --- records, through the pipeline ---------------------------------------------------


def put(store: Store, **fields: object) -> None:
    ingest(store, ArticleIn.model_validate(fields))


def origins(store: Store, article_id: str) -> Origins:
    found = load_origins(store, article_id)
    assert found is not None
    return found


def relations(store: Store, ids: list[str]) -> dict[tuple[str, str], tuple[str, str]]:
    return {(i, s.id): (s.relation, s.confidence) for i in ids for s in origins(store, i).sources}


def test_the_earlier_article_is_the_source_in_either_ingest_order(clean_store: Store) -> None:
    articles = [
        {"id": "early", "text": SOURCE, "outlet": "Harbour News", "published_at": T0},
        {
            "id": "late",
            "text": f"Our own introduction.\n\n{SOURCE}",
            "outlet": "Copy Daily",
            "published_at": T0 + timedelta(hours=2),
        },
        {"id": "undated", "text": f"{SOURCE}\n\nOur own ending.", "outlet": "Undated Post"},
    ]
    ids = [a["id"] for a in articles]
    for article in articles:
        put(clean_store, **article)
    forward = relations(clean_store, ids)
    assert forward[("late", "early")] == ("copied-from", "high")
    assert forward[("early", "late")] == ("copied-by", "high")
    assert forward[("undated", "early")] == ("common-source", "low")
    for key in clean_store.client.scan_iter(match=f"{clean_store.settings.key_prefix}:*"):
        clean_store.client.unlink(key)
    for article in reversed(articles):
        put(clean_store, **article)
    assert relations(clean_store, ids) == forward


def test_an_articles_record_is_the_same_whichever_of_a_pair_came_in_first(
    clean_store: Store,
) -> None:
    # A paper that rewrote part of the story between sentences of its own: its
    # record says what it took, and only that, also where the story came in after
    # it (and it is the story's passages that are stored, read from the paper's side).
    sentences = REWRITE.split(". ")
    paper = (
        "Harbour traders fear a quiet summer. "
        + ". ".join(sentences[:2])
        + ". The town's mayor has called a public meeting for Thursday evening at the "
        "library, where residents can put their questions to the harbour authority. "
        + ". ".join(sentences[2:])
    )
    story = f"{SOURCE} The pier was built in 1962 and last strengthened in 1998."
    articles = [
        {"id": "story", "text": story, "outlet": "Harbour News"},
        {"id": "paper", "text": paper, "outlet": "Island Times"},
    ]
    seen = []
    for order in (articles, articles[::-1]):
        for key in clean_store.client.scan_iter(match=f"{clean_store.settings.key_prefix}:*"):
            clean_store.client.unlink(key)
        for article in order:
            put(clean_store, **article)
        seen.append({a["id"]: origins(clean_store, a["id"]) for a in articles})
    assert seen[0] == seen[1]
    (source,) = seen[0]["paper"].sources
    assert source.derived_score and source.verdict != "non"
    mayor = paper.index("The town's mayor")
    copied = [
        (g.start, g.end) for p in seen[0]["paper"].passages for g in p.parts if g.kind == "copy"
    ]
    assert copied and not any(start <= mayor < end for start, end in copied)


def test_text_a_later_article_copied_is_not_reused_by_the_original(clean_store: Store) -> None:
    put(clean_store, id="original", text=SOURCE, outlet="Harbour News", published_at=T0)
    put(
        clean_store,
        id="copier",
        text=f"Our own introduction to the story.\n\n{SOURCE}",
        outlet="Copy Daily",
        published_at=T0 + timedelta(hours=2),
    )
    original, copier = origins(clean_store, "original"), origins(clean_store, "copier")
    (taken_by,) = original.sources
    assert (taken_by.id, taken_by.relation) == ("copier", "copied-by")
    assert taken_by.reused_fraction > 0.95  # what the two share, seen from the original
    assert (original.reused_fraction, original.verdict) == (0.0, "non")
    assert copier.reused_fraction > 0.8 and copier.verdict == "wholly"


def test_an_index_fingerprinted_with_alignment_shingles_is_not_mixed(clean_store: Store) -> None:
    key = clean_store.keys.key("index")  # the store names it
    fingerprint = index_fingerprint(clean_store.settings)
    del fingerprint["candidate_shingle_size"]  # as written before the setting existed
    clean_store.client.hset(key, mapping=fingerprint)
    with pytest.raises(IndexMismatchError, match="candidate_shingle_size: index 4 vs settings 2"):
        clean_store.check_index()


def test_an_index_from_before_the_word_hash_was_named_is_not_mixed(clean_store: Store) -> None:
    fingerprint = index_fingerprint(clean_store.settings)
    del fingerprint["word_hash"]  # as written when words were hashed with xxh3
    clean_store.client.hset(clean_store.keys.key("index"), mapping=fingerprint)
    with pytest.raises(IndexMismatchError, match="word_hash: index xxh3 vs settings poly64"):
        clean_store.check_index()


def test_two_outlets_running_wire_copy_are_common_source(clean_store: Store) -> None:
    wire = f"HALIFAX (AP) — {SOURCE}"
    put(clean_store, id="w1", text=wire, outlet="One", published_at=T0)
    put(
        clean_store,
        id="w2",
        text=f"{wire}\n\nSubscribe to our newsletter.",
        outlet="Two",
        published_at=T0 + timedelta(hours=1),
    )
    record = origins(clean_store, "w2")
    (source,) = record.sources
    assert (source.relation, source.confidence, source.wire) == ("common-source", "high", "AP")
    assert {p.wire for p in record.passages} == {"AP"}


def test_a_shared_quotation_is_neither_copy_nor_wire(clean_store: Store) -> None:
    quote = (
        "“We have waited three months for an answer and we will not wait any longer for "
        "the port authority to decide,” the union's secretary said."
    )
    put(
        clean_store,
        id="q1",
        text=f"Dock workers walked out. {quote}",
        outlet="One",
        published_at=T0,
    )
    put(
        clean_store,
        id="q2",
        outlet="Two",
        published_at=T0 + timedelta(hours=1),
        text=f"The strike began at dawn, Reuters reported.\n\n{quote}",
    )
    record = origins(clean_store, "q2")
    assert {p.kind for p in record.passages} == {"quote"}
    (source,) = record.sources
    assert (source.relation, source.wire, source.reused_fraction) == ("common-source", None, 0.0)
    assert record.reused_fraction == 0.0 and record.verdict == "non"


def test_reused_fraction_is_a_share_of_the_articles_own_text(clean_store: Store) -> None:
    own_quote = "“" + "This long quotation is the speaker's, not the outlet's. " * 6 + "”"
    text = f"{own_quote}\n\n{SOURCE}"
    put(clean_store, id="src", text=SOURCE, outlet="One", published_at=T0)
    put(clean_store, id="mix", text=text, outlet="Two", published_at=T0 + timedelta(hours=1))
    record = origins(clean_store, "mix")
    copied = sum(p.end - p.start for p in record.passages if p.kind == "copy")
    assert record.reused_fraction > 0.95 > copied / len(text)
    assert record.verdict == "wholly"


def test_verbatim_fraction_tells_a_cut_and_paste_from_a_rewrite(clean_store: Store) -> None:
    put(clean_store, id="src", text=SOURCE, outlet="One", published_at=T0)
    later = T0 + timedelta(hours=1)
    put(
        clean_store,
        id="cut",
        text=f"Our own opening line.\n\n{SOURCE}",
        outlet="Two",
        published_at=later,
    )
    put(clean_store, id="rewrite", text=REWRITE, outlet="Three", published_at=later)
    (cut,) = [s for s in origins(clean_store, "cut").sources if s.id == "src"]
    (rewrite,) = [s for s in origins(clean_store, "rewrite").sources if s.id == "src"]
    assert cut.verbatim_fraction is not None and rewrite.verbatim_fraction is not None
    assert cut.verbatim_fraction == pytest.approx(cut.reused_fraction, abs=0.01)
    assert rewrite.reused_fraction > 0.9  # most of it taken ...
    assert rewrite.verbatim_fraction < 0.5 * rewrite.reused_fraction  # ... most of it reworded


FOOTER = (
    "Sign up for our morning newsletter to get the day's top stories, local weather and "
    "community events delivered straight to your inbox every weekday."
)
STORIES = [
    "The city council approved a new cycle lane along the river after a long debate on "
    "parking. Work starts in April and should be finished before the summer festival.",
    "A bakery on Elm Street won a national prize for its rye bread, beating more than two "
    "hundred entries. The owners said they would use the prize money to hire an apprentice.",
    "Heavy rain flooded two underpasses overnight and the fire brigade pumped water until "
    "dawn. Drivers were told to avoid the ring road during the morning rush.",
    "The school board will vote next week on moving the start of classes to nine o'clock, "
    "after a survey in which most parents backed the later time.",
    "A retired teacher has catalogued every tree in the old cemetery, counting forty kinds, "
    "and the parish plans to publish her map in the spring newsletter.",
]


def test_an_outlets_own_footer_does_not_make_it_a_source(clean_store: Store) -> None:
    put(clean_store, id="x1", text=f"{STORIES[0]}\n\n{FOOTER}", outlet="X", published_at=T0)
    put(clean_store, id="x2", text=f"{STORIES[1]}\n\n{FOOTER}", outlet="X", published_at=T0)
    put(
        clean_store,
        id="y1",
        text=f"{STORIES[2]}\n\n{FOOTER}",
        outlet="Y",
        published_at=T0 + timedelta(hours=1),
    )
    for record in (origins(clean_store, "y1"), origins(clean_store, "x1")):
        assert record.passages and {p.kind for p in record.passages} == {"boilerplate"}
        assert {s.relation for s in record.sources} == {"common-source"}
        assert record.reused_fraction == 0.0


def test_a_blurb_many_outlets_carry_is_boilerplate(clean_store: Store) -> None:
    store = Store(
        clean_store.client, clean_store.settings.model_copy(update={"boilerplate_min_outlets": 3})
    )
    for n, story in enumerate(STORIES[:4]):
        put(
            store,
            id=f"s{n}",
            text=f"{story}\n\n{FOOTER}",
            outlet=f"Outlet {n}",
            published_at=T0 + timedelta(hours=n),
        )
    for n in range(4):
        record = origins(store, f"s{n}")
        assert len(record.sources) == 3
        assert {p.kind for p in record.passages} == {"boilerplate"}
        assert record.verdict == "non"
    # With fewer outlets than the cut-off, the same text is copy.
    assert {p.kind for p in origins(clean_store, "s3").passages} == {"copy"}


BRIEF = (
    "Police closed the coastal road between Arden and Millbrook on Tuesday after a landslide "
    "buried both lanes under mud and rock. Engineers expect the road to stay shut for at "
    "least three days while crews clear the debris."
)


@pytest.mark.parametrize("posting_cap", [64, 8], ids=["default-cap", "past-the-cap"])
def test_every_carrier_of_a_widely_carried_brief_finds_its_origin(
    clean_store: Store, posting_cap: int
) -> None:
    """A short brief run word for word by 24 outlets, a minute apart, with no
    credit: each carrier is a copy of the first. Before, from the 17th on the
    carriers shared only bands that 17 or more articles held, weighed under the
    rarity floor, and came back original (``non``, no source); past the
    postings cap, with no candidate at all."""
    store = Store(
        clean_store.client, clean_store.settings.model_copy(update={"posting_cap": posting_cap})
    )
    for n in range(24):
        put(
            store,
            id=f"brief-{n}",
            text=BRIEF,
            outlet=f"Outlet {n}",
            published_at=T0 + timedelta(minutes=n),
        )
    for n in range(1, 24):
        record = origins(store, f"brief-{n}")
        assert record.verdict == "wholly", n
        relation = {s.id: s.relation for s in record.sources}
        assert relation.get("brief-0") == "copied-from", (n, relation)
