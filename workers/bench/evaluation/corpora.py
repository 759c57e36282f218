"""Readers for the labelled corpora wiretrace is measured on.

Both are read where they lie (``../shared/eval`` beside the project, or any
folder given); nothing of them is copied into the project.

- Clough & Stevenson 2011, "Developing a corpus of plagiarised short answers":
  95 answers to 5 questions, each labelled against its question's Wikipedia
  source as ``cut``, ``light``, ``heavy`` (derived) or ``non``.
- The Indonesian plagiarism corpus in the PAN-2011 format: source and
  suspicious documents, and per suspicious document an XML list of cases with
  character offsets into both texts and an obfuscation type.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

# Clough-Stevenson's four classes; the first three are derived from the source.
DERIVED_CLASSES = ("cut", "light", "heavy")
CLASSES = (*DERIVED_CLASSES, "non")
SIMULATED = "simulated"


def read_text(path: Path) -> str:
    """A corpus file as text, byte for byte: offsets count its characters.

    UTF-8 where it decodes, else Windows-1252 (some Clough-Stevenson answers
    were saved by Word); line ends are left as they are.
    """
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class Answer:
    """One Clough-Stevenson answer and its label against its task's source."""

    name: str  # file stem, e.g. g0pA_taska
    participant: str  # e.g. g0pA
    task: str  # a-e
    label: str  # cut, light, heavy or non
    text: str

    @property
    def derived(self) -> bool:
        return self.label in DERIVED_CLASSES


@dataclass(frozen=True)
class CloughStevenson:
    sources: dict[str, tuple[str, str]]  # task -> (file stem, text)
    answers: list[Answer]


def read_clough_stevenson(root: Path) -> CloughStevenson:
    """The corpus in ``root``: ``file_information.csv`` and the ``.txt`` files it lists."""
    sources: dict[str, tuple[str, str]] = {}
    answers: list[Answer] = []
    with (root / "file_information.csv").open(encoding="utf-8", newline="") as listing:
        for row in csv.DictReader(listing):
            path = root / row["File"].strip()
            task, label = row["Task"].strip(), row["Category"].strip()
            text = read_text(path)
            if label == "orig":
                sources[task] = (path.stem, text)
            elif label in CLASSES:
                participant = path.stem.split("_", 1)[0]
                answers.append(Answer(path.stem, participant, task, label, text))
            else:
                raise ValueError(f"{path.name}: unknown category {label!r}")
    missing = {a.task for a in answers} - set(sources)
    if missing:
        raise ValueError(f"no source text for task(s) {sorted(missing)}")
    return CloughStevenson(sources=sources, answers=answers)


@dataclass(frozen=True)
class Annotation:
    """A passage of a suspicious document tied to a passage of a source document.

    Both a plagiarism case of the corpus and a detection are one of these;
    ``kind`` is the case's obfuscation (``simulated`` for human rewrites), empty
    for a detection.
    """

    suspicious: str
    this_offset: int
    this_length: int
    source: str
    source_offset: int
    source_length: int
    kind: str = ""

    @property
    def this_end(self) -> int:
        return self.this_offset + self.this_length

    @property
    def source_end(self) -> int:
        return self.source_offset + self.source_length


@dataclass(frozen=True)
class PanCorpus:
    sources: dict[str, str]  # file name -> text
    suspicious: dict[str, str]
    cases: list[Annotation]


def _cases_of(xml_path: Path, suspicious: str) -> list[Annotation]:
    """The plagiarism cases an answer-key XML lists.

    A case is any element with ``name="plagiarism"``, whatever its tag: the
    corpus has one misspelled ``<featue ...>`` that is a case all the same.
    """
    cases = []
    for element in ElementTree.parse(xml_path).getroot():
        attrs = element.attrib
        if attrs.get("name") != "plagiarism":
            continue
        kind = attrs.get("obfuscation") or attrs.get("type") or SIMULATED
        cases.append(
            Annotation(
                suspicious=suspicious,
                this_offset=int(attrs["this_offset"]),
                this_length=int(attrs["this_length"]),
                source=attrs["source_reference"],
                source_offset=int(attrs["source_offset"]),
                source_length=int(attrs["source_length"]),
                kind=kind,
            )
        )
    return cases


def read_pan(root: Path) -> PanCorpus:
    """The PAN-format corpus in ``root`` (``source-documents/``, ``suspicious-documents/``)."""
    sources = {p.name: read_text(p) for p in sorted((root / "source-documents").glob("*.txt"))}
    suspicious: dict[str, str] = {}
    cases: list[Annotation] = []
    for path in sorted((root / "suspicious-documents").glob("*.txt")):
        suspicious[path.name] = read_text(path)
        key = path.with_suffix(".xml")
        if key.exists():
            cases.extend(_cases_of(key, path.name))
    unknown = {c.source for c in cases} - set(sources)
    if unknown:
        raise ValueError(f"cases cite source documents that are missing: {sorted(unknown)}")
    return PanCorpus(sources=sources, suspicious=suspicious, cases=cases)
