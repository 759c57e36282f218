"""An article submitted again under its id: new text replaces the old one's
postings too (so a later delete leaves none behind), and new metadata with the
same text is stored, with what derives from it (relations, clusters)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NoReturn

import numpy as np
import pytest

from workers.bench.corpus import CorpusSpec, generate
from workers.jobs import pipeline
from workers.jobs.lifecycle import delete_article
from workers.jobs.pipeline import article_bands, ingest, prepare_article
from workers.models import ArticleIn
from workers.store import Store


def band_keys_of(store: Store, text: str) -> np.ndarray:
    settings = store.settings
    return article_bands(prepare_article(text, None, settings), settings).keys


def indexed_under(store: Store, number: int, keys: np.ndarray) -> bool:
    """Whether article ``number`` is in the postings of any of the band ``keys``."""
    probe = 10**6  # an article number no ingest hands out here
    hits, _, _ = store.index_and_query(probe, keys, fresh=True)
    store.unindex(probe, keys)
    return number in hits.tolist()


def two_stories() -> tuple[str, str]:
    """Two generated texts that share nothing."""
    originals = (
        item.record["text"] for item in generate(CorpusSpec(seed=11), 80) if not item.truth
    )
    return next(originals), next(originals)


def test_an_update_then_a_delete_leave_no_postings_behind(clean_store: Store) -> None:
    """Before, the first text's postings stayed after the update and the delete:
    every later article sharing that text waited ``candidate_wait_seconds`` for
    an article that was gone, each time."""
    store = clean_store
    store.check_index()
    old_text, new_text = two_stories()
    ingest(store, ArticleIn(id="story", text=old_text))
    number = store.all_numbers()["story"]
    old_only = np.setdiff1d(band_keys_of(store, old_text), band_keys_of(store, new_text))
    assert indexed_under(store, number, old_only)

    ingest(store, ArticleIn(id="story", text=new_text))
    assert not indexed_under(store, number, old_only)
    assert indexed_under(store, number, band_keys_of(store, new_text))

    assert delete_article(store, "story") is not None
    for text in (old_text, new_text):
        assert not indexed_under(store, number, band_keys_of(store, text))


def test_new_metadata_with_the_same_text_is_stored_with_what_derives_from_it(
    clean_store: Store,
) -> None:
    """Before, the same text with a new outlet, title and time answered with the
    old ones and dropped the change, though the time decides who copied whom."""
    store = clean_store
    store.check_index()
    text, _ = two_stories()
    first = ArticleIn(
        id="first",
        text=text,
        outlet="Alpha Post",
        title="Old title",
        published_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
    )
    copy = ArticleIn(
        id="copy",
        text="Readers asked us to follow this story.\n\n" + text,
        outlet="Beta Herald",
        published_at=datetime(2026, 3, 1, 11, tzinfo=UTC),
    )
    ingest(store, first)
    [source] = ingest(store, copy).sources
    assert (source.id, source.relation) == ("first", "copied-from")

    later = datetime(2026, 3, 1, 12, tzinfo=UTC)
    moved = first.model_copy(
        update={"outlet": "Gamma Daily", "title": "New", "published_at": later}
    )
    origins = ingest(store, moved)
    assert (origins.outlet, origins.published_at) == ("Gamma Daily", later)
    [source] = origins.sources
    assert (source.id, source.relation) == ("copy", "copied-from")  # now the later one
    found = store.load_article("first")
    assert found is not None
    number, stored = found
    assert (stored.title, stored.outlet, stored.published_at) == ("New", "Gamma Daily", later)
    assert ingest(store, moved) == origins  # submitted again as stored: nothing changes

    # The clusters the two share: the member's time and outlet are the new ones,
    # and the copy is now the cluster's origin.
    clusters = [m.cluster for m in store.memberships([number])[number]]
    assert clusters
    for cluster in clusters:
        member = store.cluster_members(cluster)[number]
        assert (member.time, member.outlet) == (later.timestamp(), "Gamma Daily")
    assert {row.origin.id for row in store.cluster_rows(clusters)} == {"copy"}
    assert "Gamma Daily" in store.known_outlets()


def fail_comparisons(*_: object) -> NoReturn:
    raise RuntimeError("a fault in the comparisons")


def test_a_failed_update_leaves_the_stored_text_in_the_index(
    clean_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored text stays findable and the new text, unsaved, is not filed
    under the article, whether the update was of the text or of metadata only."""
    store = clean_store
    store.check_index()
    old_text, new_text = two_stories()
    ingest(store, ArticleIn(id="story", text=old_text))
    number = store.all_numbers()["story"]
    old_keys = band_keys_of(store, old_text)
    new_only = np.setdiff1d(band_keys_of(store, new_text), old_keys)

    monkeypatch.setattr(pipeline, "compare_with_candidates", fail_comparisons)
    for update in ({"text": new_text}, {"outlet": "Another Outlet"}):
        with pytest.raises(RuntimeError, match="a fault in the comparisons"):
            ingest(store, ArticleIn.model_validate({"id": "story", "text": old_text, **update}))
        assert indexed_under(store, number, old_keys), update
        assert not indexed_under(store, number, new_only), update
