"""Article texts, compressed against a dictionary of the store's own words.

A news text of a few kilobytes compresses poorly on its own: zlib starts each
one knowing nothing. Once a store holds ``text_dictionary_articles`` articles,
the next article saved trains a preset dictionary (zlib's ``zdict``: up to 32 KB
that a compressed text can refer back to) on the most frequent words of the
latest of them, and every text saved after is compressed against it: a fifth
smaller on the bench's corpus (README, Scaling).

A dictionary never changes once stored. zlib writes the Adler-32 checksum of
the dictionary into every stream compressed with one (RFC 1950, ``DICTID``), so
a stored text names the dictionary that reads it, and texts saved before the
dictionary read as they always did.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from workers.store.base import StoreBase

# zlib refers back at most this far, so a longer dictionary would be cut.
DICTIONARY_BYTES = 32 * 1024

# Dictionaries by Adler-32, shared by every store of the process: they never
# change, and zlib refuses a dictionary whose checksum differs from the stream's.
_KNOWN: dict[int, bytes] = {}


class MissingDictionaryError(LookupError):
    """A stored text names a compression dictionary the store no longer holds."""


def train_dictionary(texts: Iterable[str]) -> bytes:
    """The most frequent words of ``texts``, as many as fit in a zlib dictionary,
    the most frequent last (zlib codes a nearer reference in fewer bits)."""
    counts = Counter(word for text in texts for word in text.split())
    chosen: list[str] = []
    used = 0
    for word, _ in counts.most_common():
        used += len(word.encode("utf-8")) + 1
        if used > DICTIONARY_BYTES:
            break
        chosen.append(word)
    return " ".join(reversed(chosen)).encode("utf-8")


def dictionary_id(dictionary: bytes) -> int:
    """The checksum zlib writes into each stream compressed with ``dictionary``."""
    return zlib.adler32(dictionary)


def stored_dictionary_id(stored: bytes) -> int | None:
    """The id of the dictionary a stored text was compressed against; None: none."""
    # RFC 1950: bit 5 of the second byte (FDICT) says a four-byte DICTID follows.
    if len(stored) >= 6 and stored[1] & 0x20:
        return int.from_bytes(stored[2:6], "big")
    return None


def compress_text(text: str, dictionary: bytes | None) -> bytes:
    packer = _primed_packer(dictionary).copy()
    return packer.compress(text.encode("utf-8")) + packer.flush()


# zlib's level 3 against its default 6, on the bench's texts with a dictionary
# (4.6 KB each): 0.10 ms a text against 0.29, for 1,795 bytes against 1,731 (4%
# more). A text is compressed on every save, on the worker's hot path; the bytes
# are a small part of what the store holds a paragraph (docs/performance.md).
_LEVEL = 3


@lru_cache(maxsize=4)
def _primed_packer(dictionary: bytes | None) -> Any:
    """A compressor that has taken in ``dictionary`` and nothing else, to be copied
    for each text: zlib reads a 32 KB dictionary in some 50 µs, and copies a
    compressor in 7 (the copy's state, and so its output, is the original's)."""
    return zlib.compressobj(_LEVEL, zdict=dictionary) if dictionary else zlib.compressobj(_LEVEL)


def decompress_text(stored: bytes, dictionaries: Mapping[int, bytes]) -> str:
    """A text as :func:`compress_text` stored it; ``dictionaries`` by id."""
    wanted = stored_dictionary_id(stored)
    if wanted is None:
        return zlib.decompress(stored).decode("utf-8")
    if wanted not in dictionaries:
        raise MissingDictionaryError(f"no compression dictionary {wanted:08x} is known")
    unpacker = zlib.decompressobj(zdict=dictionaries[wanted])
    text = unpacker.decompress(stored) + unpacker.flush()
    if not unpacker.eof:  # zlib.decompress says so itself; a decompressobj does not
        raise zlib.error("incomplete or truncated stream")
    return text.decode("utf-8")


class TextDictionaries(StoreBase):
    """The store's compression dictionaries, as the texts that name them are read."""

    def store_dictionary(self, trained: bytes) -> int:
        """Store ``trained`` as the current dictionary unless another writer stored
        one first; return the current one's id."""
        key, ident = self.keys.text_dictionaries(), str(dictionary_id(trained))
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        pipe.hsetnx(key, ident, trained)
        pipe.hsetnx(key, "current", ident)
        pipe.hget(key, "current")
        return int(pipe.execute()[-1])

    def current_dictionary_id(self) -> int | None:
        current = self.client.hget(self.keys.text_dictionaries(), "current")
        return None if current is None else int(current)

    def known_dictionaries(self, ids: Iterable[int]) -> Mapping[int, bytes]:
        """Every dictionary of ``ids``, read from Redis the first time only."""
        missing = sorted(set(ids) - _KNOWN.keys())
        if missing:
            found = self.client.hmget(self.keys.text_dictionaries(), [str(i) for i in missing])
            for ident, dictionary in zip(missing, found, strict=True):
                if isinstance(dictionary, bytes) and dictionary_id(dictionary) == ident:
                    _KNOWN[ident] = dictionary
        return _KNOWN

    def texts_readable(self, stored: Iterable[bytes | None]) -> Mapping[int, bytes]:
        """The dictionaries that the stored texts ``stored`` name."""
        return self.known_dictionaries(
            i for raw in stored if raw and (i := stored_dictionary_id(raw)) is not None
        )
