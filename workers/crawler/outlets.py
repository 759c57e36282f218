"""The outlets file: which outlets to crawl, where their feeds are, how often.

A TOML file with one ``[[outlets]]`` table per outlet (see
``outlets.example.toml`` at the top of the repository)::

    [[outlets]]
    name = "Meridian Press"          # stored as each article's outlet
    wire = true                      # a wire service: its copy is the source others reuse
    interval = "10m"                 # how often to check its feeds: 90s, 15m, 2h, 1d or seconds
    feeds = ["https://meridian.example/rss.xml"]              # RSS or Atom
    sitemaps = ["https://meridian.example/news-sitemap.xml"]  # news sitemaps (or indexes)
    domains = ["meridian.example"]   # optional: hosts whose canonical links are trusted

An outlet needs at least one feed or sitemap. Names must be unique.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from workers.fetch.urls import UnsupportedUrlError, canonical_url, site_of

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


class OutletsFileError(ValueError):
    """The outlets file cannot be read or says something wrong; the message says what."""


def parse_interval(value: object) -> object:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"2h"`` or ``"1d"`` (others left to
    pydantic to refuse)."""
    if isinstance(value, str):
        match = _INTERVAL.match(value)
        if not match:
            raise ValueError(f"{value!r} is not an interval such as 90s, 15m, 2h or 1d")
        number, unit = match.groups()
        return float(number) * _UNITS[unit or "s"]
    return value


def _crawlable(url: str) -> str:
    try:
        canonical_url(url)
    except UnsupportedUrlError as exc:
        raise ValueError(str(exc)) from exc
    return url


CrawlUrl = Annotated[str, BeforeValidator(lambda v: _crawlable(v) if isinstance(v, str) else v)]


class Outlet(BaseModel):
    """One outlet the crawler watches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200, description="Stored as the articles' outlet.")
    wire: bool = Field(default=False, description="Whether the outlet is itself a wire service.")
    feeds: list[CrawlUrl] = Field(default_factory=list, description="RSS or Atom feed URLs.")
    sitemaps: list[CrawlUrl] = Field(
        default_factory=list, description="News sitemap (or sitemap index) URLs."
    )
    interval: Annotated[float | None, BeforeValidator(parse_interval), Field(ge=1)] = Field(
        default=None, description="Seconds between checks of its feeds; default from settings."
    )
    domains: list[str] = Field(
        default_factory=list,
        description="Hosts, besides those of its feeds, whose canonical links are trusted.",
    )

    @model_validator(mode="after")
    def _has_a_source(self) -> Outlet:
        if not self.feeds and not self.sitemaps:
            raise ValueError("an outlet needs at least one feed or sitemap")
        return self

    def trusted_hosts(self) -> frozenset[str]:
        """The outlet's hosts (``host[:port]``, no ``www.``): where its pages live,
        and what they may name as canonical (a scraper's page that copies another
        site's canonical link must not be filed under that site)."""
        hosts = {site_of(canonical_url(u)) for u in [*self.feeds, *self.sitemaps]}
        return frozenset(hosts | {d.lower().removeprefix("www.") for d in self.domains})


class OutletsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outlets: list[Outlet] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> OutletsFile:
        names = [o.name for o in self.outlets]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"outlet names must be unique; repeated: {', '.join(repeated)}")
        return self


def parse_outlets(text: str, where: str = "outlets file") -> list[Outlet]:
    """The outlets a TOML text names, or :class:`OutletsFileError` saying what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OutletsFileError(f"{where} is not valid TOML: {exc}") from exc
    try:
        return OutletsFile.model_validate(data).outlets
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise OutletsFileError(f"{where}: {problems}") from exc


def load_outlets(path: Path) -> list[Outlet]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OutletsFileError(f"cannot read outlets file {path}: {exc.strerror}") from exc
    return parse_outlets(text, str(path))
