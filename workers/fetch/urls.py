"""URL canonicalisation and the article ids derived from it.

The same story reaches the crawler through many URLs: tracking parameters from
newsletters and social links (``utm_*``, ``fbclid``...), fragments, upper-case
hosts, explicit default ports. Canonicalising them first is what keeps one story
from being fetched and ingested twice.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from workers.models import canonical_id

# Query parameters that only say how a reader arrived, never which page it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "oly_anon_id",
        "oly_enc_id",
        "cmpid",
        "ocid",
        "smid",
        "s_cid",
        "ito",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "ref_src",
        "ref_url",
        "at_medium",
        "at_campaign",
    }
)
TRACKING_PREFIXES = ("utm_", "at_custom", "pk_", "mtm_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SLUG_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_ID_DIGEST_HEX = 10
_ID_HOST_MAX = 80
_ID_SLUG_MAX = 80


class UnsupportedUrlError(ValueError):
    """Not an http(s) URL with a host: the crawler does not fetch it."""


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """``url`` in one canonical form: lower-case scheme and host, no default port,
    no credentials, no fragment, no tracking parameters, the rest sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise UnsupportedUrlError(f"only http and https URLs are crawled, not {url!r}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # a port that is not a number
        raise UnsupportedUrlError(f"bad port in {url!r}") from exc
    if not host:
        raise UnsupportedUrlError(f"no host in {url!r}")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def origin(url: str) -> str:
    """``scheme://host[:port]``: the unit robots.txt and politeness apply to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def authority(url: str) -> str:
    """``host[:port]``, lower-cased: the server politeness is kept per."""
    return urlsplit(url).netloc.rsplit("@", 1)[-1].lower()


def site_of(url: str) -> str:
    """``host[:port]`` of a canonical URL without a leading ``www.``: what tells one
    outlet's pages from another's."""
    return authority(url).removeprefix("www.")


def slug(path: str) -> str:
    """The last meaningful segment of a URL path, made safe for an article id."""
    segments = [s for s in path.lower().split("/") if s]
    last = segments[-1] if segments else ""
    last = re.sub(r"\.(s?html?|php|aspx?)$", "", last)
    return _SLUG_UNSAFE.sub("-", last).strip("-.")[:_ID_SLUG_MAX]


def article_id_for(canonical: str) -> str:
    """A readable, stable article id for a canonical URL: ``host~slug~digest``.

    The digest of the whole canonical URL keeps two pages with the same slug
    apart; ids keep to models.ARTICLE_ID_PATTERN (no '/', '?', '#', '%',
    whitespace) and leave room for a version suffix (``@v2``).
    """
    parts = urlsplit(canonical)
    netloc = parts.netloc.removeprefix("www.")[:_ID_HOST_MAX]
    digest = hashlib.blake2b(canonical.encode("utf-8"), digest_size=8).hexdigest()
    readable = slug(parts.path)
    article_id = "~".join(p for p in (netloc, readable, digest[:_ID_DIGEST_HEX]) if p)
    # ArticleIn stores ids in NFC; the crawler looks its pages up by this one.
    return canonical_id(article_id)
