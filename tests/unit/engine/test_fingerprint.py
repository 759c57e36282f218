"""Shingles, MinHash signatures and band keys."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from workers.engine.document import prepare_document
from workers.engine.fingerprint import (
    WORD_HASH,
    as_minhash,
    band_keys,
    shingle_hashes,
    unit_signatures,
    word_hashes,
)
from workers.engine.segment import word_bounds
from workers.settings import Settings
from workers.store import index_fingerprint

K = 4


def doc(text: str):
    return prepare_document(text, shingle_size=K, min_words=8, max_words=40)


def hashes_of(text: str) -> np.ndarray:
    return word_hashes(text, *word_bounds(text))


def test_a_word_hashes_alike_wherever_it_stands() -> None:
    ascii_text = hashes_of("harbour pilots and the harbour")
    other_script = hashes_of("Δήμος harbour café pilots")
    assert ascii_text[0] == ascii_text[4] == other_script[1]
    assert ascii_text[1] == other_script[3]
    assert len(set(hashes_of("café cafe cafè caf cafés").tolist())) == 5


def test_distinct_words_hash_apart() -> None:
    rng = np.random.default_rng(7)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzéøß"))
    words = {"".join(rng.choice(letters, size=int(n))) for n in rng.integers(1, 14, size=50_000)}
    hashes = hashes_of(" ".join(sorted(words)))
    assert len(hashes) == len(words) == len(set(hashes.tolist()))


def test_the_index_records_the_word_hash() -> None:
    assert index_fingerprint(Settings())["word_hash"] == WORD_HASH


def test_shingles_depend_on_word_order() -> None:
    a = shingle_hashes(hashes_of("one two three four five"), K)
    b = shingle_hashes(hashes_of("zero two three four five"), K)
    swapped = shingle_hashes(hashes_of("two one three four"), K)
    assert len(a) == 2
    assert a[1] == b[1]  # "two three four five" is shared
    assert a[0] != b[0] and a[0] != swapped[0]


def test_bulk_signatures_equal_datasketch_update_batch() -> None:
    d = doc(
        "The harbour pilots walked off the job on Monday morning in protest. "
        "Dozens of ships waited at anchor while the talks over pay broke down again."
    )
    signatures, covered = unit_signatures(d.shingles, d.units, K, 32)
    assert covered == list(range(len(d.units))) and len(covered) == 2
    for row, (start, end) in zip(signatures, d.units, strict=True):
        expected = MinHash(num_perm=32, seed=1, hashfunc=lambda x: x)
        low32 = (d.shingles[start : end - K + 1] & np.uint64(0xFFFFFFFF)).tolist()
        expected.update_batch(low32)
        assert np.array_equal(row, expected.hashvalues)
        assert as_minhash(row).jaccard(expected) == 1.0


def test_short_units_have_no_signature() -> None:
    d = doc("Too short.")
    signatures, covered = unit_signatures(d.shingles, d.units, K, 16)
    assert signatures.shape == (0, 16) and covered == []


def test_reused_sentence_shares_band_keys_unrelated_one_does_not() -> None:
    sentence = "Moscow said the exercises had ended and that the units would return to base."
    ours = doc(f"A new lead written by this outlet alone today. {sentence}")
    theirs = doc(f"{sentence} Another outlet adds its own closing words here.")
    unrelated = doc("Farmers in the valley expect a good harvest after a season of steady rain.")

    def keys(d):
        return set(band_keys(unit_signatures(d.shingles, d.units, K, 16)[0], 2)[0].tolist())

    assert keys(ours) & keys(theirs)
    assert not keys(ours) & keys(unrelated)


def test_band_keys_are_unique_and_sorted() -> None:
    d = doc("The same sentence twice over, word for word here. " * 2)
    keys, rows = band_keys(unit_signatures(d.shingles, d.units, K, 16)[0], 2)
    assert keys.tolist() == sorted(set(keys.tolist()))
    assert len(keys) == 8  # two identical units give one set of 8 bands
    assert rows.tolist() == [0] * 8  # each from the first unit that has it
