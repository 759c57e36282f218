"""What happens to stored articles after ingestion: takedown, reindex, backup, restore.

A takedown removes the article's text, its postings in the LSH index and its
passages in both directions; the articles that shared text with it then derive
origins without it (origins are derived on read). Reindexing rebuilds postings
and passages from the stored texts under the current engine settings. Backups
are a logical copy of the store's keys (Redis DUMP payloads), taken over the
network, so they work against any Redis, embedded or not.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from workers.engine.compare import prepare_article
from workers.jobs.pipeline import article_bands, index_article
from workers.models import ArticleIn, StoredArticle
from workers.store import LAYOUT_VERSION, Store

BACKUP_FORMAT = "wiretrace-backup/1"


@dataclass(frozen=True)
class Takedown:
    article_id: str
    updated: list[str]  # articles that shared passages with it


def delete_article(store: Store, article_id: str) -> Takedown | None:
    """Take ``article_id`` down, with its archived versions (``<id>@vN``); None if
    there is no such article."""
    found = store.load_article(article_id)
    if found is None:
        return None
    number, article = found
    # Postings first: if the process dies half-way, the article is still
    # there to delete again, and no longer a candidate for new matches.
    _unindex(store, number, article)
    taken_down = {article_id, *store.versions(article_id)}
    others: set[int] = set()
    for version_id in sorted(taken_down - {article_id}):
        version = store.lookup(version_id)
        if version is not None:
            others.update(store.delete_article(version.number, version_id))
    others.update(store.delete_article(number, article_id))
    updated = store.article_ids(others)
    return Takedown(article_id, sorted(set(updated.values()) - taken_down))


def reindex(store: Store, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the index and all passages from the stored texts, in the order
    the articles were first ingested, under the store's current settings.

    An article updated by the crawler is replayed as it happened: its oldest
    version at the article's first place in that order, and each later text at
    the place of the version archived when it came, the text it replaced
    leaving the index then. Archived versions thus keep their passages with
    what came before them and never match their own later text.

    Run it with the workers stopped: an ingest during the rebuild would be
    matched against a half-built index.
    """
    store.reset_index()
    store.check_index()
    numbers = store.article_numbers()
    text_at: dict[int, int] = {}  # place in the ingest order -> article whose text goes there
    retired_at: dict[int, int] = {}  # place -> version whose text leaves the index there
    for live, versions in store.version_chains().items():
        texts = [*versions, live]
        for i, (place, number) in enumerate(zip([live, *versions], texts, strict=True)):
            text_at[place] = number
            if i:
                retired_at[place] = texts[i - 1]
    for done, place in enumerate(numbers, start=1):
        if place in retired_at:
            for retired, text in store.load_articles([retired_at[place]]).items():
                _unindex(store, retired, text)
        number = text_at.get(place, place)
        stored = store.load_articles([number]).get(number)
        if stored is not None:
            # Not validated again: archived versions' ids (<id>@v1) and records
            # stored before a rule was added are not for the door's rules.
            submitted = stored.model_dump(include=set(ArticleIn.model_fields))
            index_article(store, ArticleIn.model_construct(**submitted), force=True)
        if progress is not None:
            progress(done, len(numbers))
    return len(numbers)


def _unindex(store: Store, number: int, article: StoredArticle) -> None:
    """Take ``article``, stored as ``number``, out of the LSH index."""
    prepared = prepare_article(article.text, article.outlet, store.settings.engine_params())
    store.unindex(number, article_bands(prepared, store.settings).keys)


@dataclass(frozen=True)
class BackupHeader:
    format: str
    layout: int
    key_prefix: str
    created_at: float


def write_backup(store: Store, out: IO[bytes]) -> int:
    """Write every key of ``store`` to ``out`` (gzip JSON lines); return the count.

    The last line records the count, so a truncated file is refused at restore.
    """
    count = 0
    with gzip.GzipFile(fileobj=out, mode="wb") as packed:
        header = BackupHeader(BACKUP_FORMAT, LAYOUT_VERSION, store.settings.key_prefix, time.time())
        packed.write(json.dumps(header.__dict__).encode() + b"\n")
        for name, ttl, payload in store.dump_keys():
            record = {"k": name, "t": ttl, "v": base64.b64encode(payload).decode("ascii")}
            packed.write(json.dumps(record).encode() + b"\n")
            count += 1
        packed.write(json.dumps({"end": True, "keys": count}).encode() + b"\n")
    return count


class BackupError(ValueError):
    """The file is not a complete wiretrace backup of this layout."""


def read_backup(path: Path) -> Iterator[tuple[str, int, bytes]]:
    """The keys of a backup file, checking its header and its closing count."""
    with gzip.open(path, "rb") as packed:
        try:
            header = BackupHeader(**json.loads(packed.readline()))
        except (TypeError, ValueError, OSError) as exc:
            raise BackupError(f"{path} is not a wiretrace backup") from exc
        if header.format != BACKUP_FORMAT or header.layout != LAYOUT_VERSION:
            raise BackupError(
                f"{path} is {header.format} of key layout {header.layout}; this wiretrace "
                f"reads {BACKUP_FORMAT} of layout {LAYOUT_VERSION}"
            )
        for seen, line in enumerate(packed):
            record = json.loads(line)
            if record.get("end"):
                if record["keys"] != seen:
                    raise BackupError(f"{path} holds {seen} keys but says {record['keys']}")
                return
            yield record["k"], int(record["t"]), base64.b64decode(record["v"])
    raise BackupError(f"{path} is truncated: its closing line is missing")


def restore_backup(store: Store, path: Path, replace: bool = False) -> int:
    """Load a backup into ``store``, which must be empty unless ``replace``
    (then what it holds is deleted first). Returns the keys restored.

    The whole file is read and checked before anything is written (two passes,
    so a large backup is never held in memory).
    """
    for _ in read_backup(path):
        pass
    if not store.is_empty():
        if not replace:
            raise BackupError(
                "the store is not empty; restore into an empty one, or pass --replace to "
                "delete what it holds first"
            )
        store.wipe()
    return store.restore_keys(read_backup(path))
