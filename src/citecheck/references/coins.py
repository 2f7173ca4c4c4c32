"""COinS: the OpenURL ContextObject a rendered CS1 citation hides in ``<span class="Z3988" title="…">``.

CS1 writes the template's own fields there (``rft.atitle``, ``rft.jtitle``,
``rft.btitle``, ``rft.pub``, ``rft.date``, ``rft.au``, ``rft_id``): structured
fields for free, and a cross-check for a text parser.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = ["COINS_FIELD_KEYS", "CoinsFields", "coins_fields", "read_coins"]


def read_coins(title_attr: str, keys: Collection[str] | None = None) -> dict[str, list[str]]:
    """Decode a COinS span's ``title`` (an OpenURL ContextObject query string).

    ``"ctx_ver=Z39.88-2004&rft.au=A&rft.au=B"`` → ``{"ctx_ver": [...], "rft.au": ["A", "B"]}``.
    Keys keep their order of first appearance; empty values are dropped.  With ``keys``, only those keys
    are decoded and kept (what :func:`coins_fields` and the HTML reader read; the rest is never decoded).

    Decodes as :func:`urllib.parse.parse_qsl` does (``&``-separated, ``+`` a space, a field without ``=``
    or with an empty value left out, invalid UTF-8 replaced).
    """
    fields: dict[str, list[str]] = {}
    for name_value in title_attr.replace("&amp;", "&").split("&"):
        name, equals, value = name_value.partition("=")
        if not equals or not value:
            continue
        name = name.replace("+", " ")
        if "%" in name:  # unquote's own test, without its call for the plain names nearly every field has
            name = unquote(name, errors="replace")
        if keys is not None and name not in keys:
            continue
        value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value, errors="replace")
        value = " ".join(value.split())
        if value:
            fields.setdefault(name, []).append(value)
    return fields


# The keys coins_fields reads.
COINS_FIELD_KEYS = frozenset(
    {"rft.atitle", "rft.btitle", "rft.title", "rft.jtitle", "rft.date", "rft_id", "rft.au", "rft.aulast", "rft.aufirst"}
)


@dataclass(frozen=True)
class CoinsFields:
    """The COinS fields a citation check compares: title, date, http(s) URL, authors."""

    title: str | None
    date: str | None
    url: str | None
    authors: list[str]


def coins_fields(coins: dict[str, list[str]]) -> CoinsFields:
    """Pick title, date, URL and authors out of decoded COinS (see :func:`read_coins`).

    The title is the article/chapter title (``rft.atitle``) when present, else
    the book or document title (``rft.btitle``, ``rft.title``); the URL is the
    first ``rft_id`` that is an http(s) URL (others are ``info:doi/…`` ids).
    """
    title = _first(coins, "rft.atitle", "rft.btitle", "rft.title", "rft.jtitle")
    date = _first(coins, "rft.date")
    url = next((value for value in coins.get("rft_id", []) if value.lower().startswith(("http://", "https://"))), None)
    authors = list(coins.get("rft.au", []))
    if "rft.aulast" in coins:
        first = _first(coins, "rft.aufirst")
        lead = f"{coins['rft.aulast'][0]}, {first}" if first else coins["rft.aulast"][0]
        if lead not in authors:
            authors.insert(0, lead)
    return CoinsFields(title=title, date=date, url=url, authors=authors)


def _first(coins: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = coins.get(key)
        if values:
            return values[0]
    return None
