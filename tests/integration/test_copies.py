"""Uncredited copy: ``credited`` on the origins record's sources, and the copies
lists of an outlet and a wire, through the real pipeline into the real Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.helpers import WIRE_STORY
from workers.engine.credit import credit_of, source_names
from workers.jobs.pipeline import ingest, load_origins
from workers.models import ArticleIn, StoredArticle
from workers.store import Store
from workers.store.copies import CopyQuery

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

STORY = (
    "The harbour authority closed the northern pier on Monday after engineers found deep "
    "cracks in the concrete supports below the ferry ramp.\n\n"
    "Ferries to the islands will leave from the southern terminal until repairs are "
    "finished, which the authority expects to take at least six weeks.\n\n"
    "Island councillors said the detour would add nearly an hour to every crossing and "
    "asked the government to pay for extra sailings during the summer season."
)
CREDIT_LINE = "\n\nSource: Harbour Herald"
ELSEWHERE = "Our morning briefing follows.\n\n"


def article(id_: str, text: str, outlet: str, minutes: int, **extra: str) -> ArticleIn:
    return ArticleIn(
        id=id_, text=text, outlet=outlet, published_at=T0 + timedelta(minutes=minutes), **extra
    )


def stored(text: str, outlet: str | None = None, url: str | None = None) -> StoredArticle:
    return StoredArticle(id="x", text=text, outlet=outlet, url=url, content_hash="h")


def test_credit_forms_are_each_recognised() -> None:
    source = stored("text", "The Harbour Herald", "https://www.harbourherald.example/2026/pier/")
    assert source_names(source.outlet, source.url) == (
        "The Harbour Herald",
        "Harbour Herald",
        "harbourherald.example",
    )
    cases = {
        "Read it at harbourherald.example/2026/pier": "link",
        "Copy.\n\nSource: the Harbour Herald": "line",
        "Copy.\nVia harbourherald.example": "line",
        "Copy, as the Harbour Herald first said.": "name",
        "Copy that names nobody.": None,
        "Copy about harbour heralds in general.": None,
    }
    for text, kind in cases.items():
        assert credit_of(stored(text), source, None) == kind, text
    wire_copy = stored("LISBON (AP) — Pilots walked off the job.")
    assert credit_of(wire_copy, stored("Pilots walked off.", "Other"), "AP") == "wire"
    assert credit_of(stored("Pilots walked off."), stored("x", "Other"), "AP") is None


def test_credited_on_origins_and_the_outlet_copies_list(clean_store: Store) -> None:
    store = clean_store
    ingest(store, article("herald-1", STORY, "Harbour Herald", 0, url="https://herald.example/1"))
    ingest(store, article("credited", ELSEWHERE + STORY + CREDIT_LINE, "Copycat Daily", 30))
    ingest(store, article("uncredited", STORY, "Scraper Site", 60))

    for copier, expected in (("credited", True), ("uncredited", False)):
        origins = load_origins(store, copier)
        assert origins is not None
        [source] = [s for s in origins.sources if s.id == "herald-1"]
        assert source.relation == "copied-from"
        assert source.credited is expected
    # Seen from the source, the credit is the later copier's.
    herald = load_origins(store, "herald-1")
    assert herald is not None
    assert {s.id: s.credited for s in herald.sources} == {"credited": True, "uncredited": False}

    total, rows = store.list_copies(CopyQuery("o", "Harbour Herald"))
    assert total == 2
    assert [(r.copier.id, r.credited) for r in rows] == [("uncredited", False), ("credited", True)]
    assert rows[0].reused_fraction >= rows[1].reused_fraction  # by share copied
    assert rows[1].credit == "line" and rows[0].source and rows[0].source.id == "herald-1"

    total, rows = store.list_copies(CopyQuery("o", "Harbour Herald", credited=False))
    assert (total, [r.copier.id for r in rows]) == (1, ["uncredited"])
    total, rows = store.list_copies(CopyQuery("o", "Harbour Herald", credited=True))
    assert (total, [r.copier.id for r in rows]) == (1, ["credited"])
    since = (T0 + timedelta(minutes=45)).timestamp()
    total, rows = store.list_copies(CopyQuery("o", "Harbour Herald", since=since))
    assert (total, [r.copier.id for r in rows]) == (1, ["uncredited"])
    total, _ = store.list_copies(CopyQuery("o", "Harbour Herald", until=since, credited=False))
    assert total == 0
    # The scraper ran the text after the copycat too: it is a copy of both.
    assert store.copy_targets("o") == ["Harbour Herald", "Copycat Daily"]


def test_a_copy_found_before_its_source_is_listed_and_deleting_takes_it_out(
    clean_store: Store,
) -> None:
    store = clean_store
    # The copy arrives first; its source, published earlier, is ingested after.
    ingest(store, article("late-copy", STORY, "Scraper Site", 60))
    ingest(store, article("herald-1", STORY, "Harbour Herald", 0))
    total, rows = store.list_copies(CopyQuery("o", "Harbour Herald"))
    assert (total, [(r.copier.id, r.source and r.source.id) for r in rows]) == (
        1,
        [("late-copy", "herald-1")],
    )
    # The same article again, new text: its old relations go, the new ones come.
    ingest(store, article("late-copy", STORY + CREDIT_LINE, "Scraper Site", 60))
    total, rows = store.list_copies(CopyQuery("o", "Harbour Herald"))
    assert total == 1 and rows[0].credited
    store.delete_article(store.lookup("herald-1").number, "herald-1")  # type: ignore[union-attr]
    assert store.list_copies(CopyQuery("o", "Harbour Herald")) == (0, [])


def test_the_wire_copies_list_holds_each_carrier_once(clean_store: Store) -> None:
    store = clean_store
    plain = WIRE_STORY.replace("LISBON (AP) — ", "")
    ingest(store, article("ap-first", WIRE_STORY, "Lisbon Post", 0))
    ingest(store, article("ap-second", WIRE_STORY, "Porto Daily", 10))
    ingest(store, article("ap-uncredited", plain, "Scraper Site", 20))
    total, rows = store.list_copies(CopyQuery("w", "AP"))
    assert total == 3
    assert {r.copier.id: r.credited for r in rows} == {
        "ap-first": True,
        "ap-second": True,
        "ap-uncredited": False,
    }
    total, rows = store.list_copies(CopyQuery("w", "AP", credited=False))
    assert [r.copier.id for r in rows] == ["ap-uncredited"]
    origins = load_origins(store, "ap-uncredited")
    assert origins is not None
    assert {s.credited for s in origins.sources} == {False}
