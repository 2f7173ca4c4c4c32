"""Bisecting an article's history for the revision that added each URL."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.resolve.mediawiki import RevisionMeta
from citecheck.resolve.wiki_history import first_revisions_citing, wikitext_cites

START = datetime(2010, 1, 1, tzinfo=UTC)


class History:
    """Revisions whose wikitext cites URL k from revision ``added[k]`` on (None: never)."""

    def __init__(self, count: int, added: Mapping[str, int | None], hidden: set[int] | None = None) -> None:
        self.revisions = [
            RevisionMeta(1000 + 3 * index, START + timedelta(hours=index), 2000) for index in range(count)
        ]
        self.added = dict(added)
        self.hidden = hidden or set()
        self.calls: list[list[int]] = []

    def text(self, index: int) -> str:
        cited = [url for url, first in self.added.items() if first is not None and index >= first]
        return "Intro. " + " ".join(f"<ref>{{{{cite web |url={url} |title=T}}}}</ref>" for url in cited)

    async def fetch(self, revids: Sequence[int]) -> Mapping[int, str | None]:
        self.calls.append(list(revids))
        index = {meta.id: position for position, meta in enumerate(self.revisions)}
        return {revid: None if index[revid] in self.hidden else self.text(index[revid]) for revid in revids}


async def test_each_url_gets_the_revision_that_added_it_in_few_requests() -> None:
    added = {"https://a.example/1": 0, "https://b.example/2": 137, "https://c.example/3": 499}
    history = History(500, added)
    result = await first_revisions_citing(added, history.revisions, history.fetch, budget=8)
    assert {url: meta.id for url, meta in result.added.items()} == {
        url: history.revisions[index].id for url, index in added.items()
    }
    # 500 revisions, ten per request: ⌈log_11(500)⌉ + 1 rounds, shared by all three URLs.
    assert result.requests <= math.ceil(math.log(500, 11)) + 1
    assert all(len(call) <= 10 for call in history.calls)
    assert result.pinned_text is not None and "c.example/3" in result.pinned_text


async def test_a_url_not_in_the_pinned_revision_is_absent_and_the_budget_is_kept() -> None:
    history = History(3000, {"https://gone.example/": None, "https://late.example/": 2000})
    result = await first_revisions_citing(
        ["https://gone.example/", "https://late.example/"], history.revisions, history.fetch, budget=2
    )
    assert result.absent == {"https://gone.example/"}
    assert result.requests == 2 and len(history.calls) == 2
    lo, hi = result.open["https://late.example/"]
    assert lo < 2000 <= hi and hi - lo < 3000 // 10  # narrowed, to be continued

    resumed = await first_revisions_citing(
        ["https://late.example/"],
        history.revisions,
        history.fetch,
        budget=8,
        start=result.open,
        pinned_text=result.pinned_text,
    )
    assert resumed.added["https://late.example/"].id == history.revisions[2000].id


async def test_withheld_revisions_are_bisected_around() -> None:
    history = History(40, {"https://x.example/a": 17}, hidden={16, 17, 18, 20})
    result = await first_revisions_citing(["https://x.example/a"], history.revisions, history.fetch, budget=10)
    # 17 is hidden: the first readable revision that cites it is 19, after 15 which does not.
    assert result.added["https://x.example/a"].id == history.revisions[19].id


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=1, max_value=400),
    firsts=st.lists(st.integers(min_value=0, max_value=399), min_size=1, max_size=6),
    fan_out=st.integers(min_value=1, max_value=12),
)
def test_bisection_agrees_with_reading_every_revision(count: int, firsts: list[int], fan_out: int) -> None:
    import asyncio

    added: dict[str, int | None] = {
        f"https://site.example/{n}": min(first, count - 1) for n, first in enumerate(firsts)
    }
    history = History(count, added)
    result = asyncio.run(first_revisions_citing(added, history.revisions, history.fetch, budget=100, fan_out=fan_out))
    linear = {
        url: next(history.revisions[i].id for i in range(count) if wikitext_cites(history.text(i), url))
        for url in added
    }
    assert {url: meta.id for url, meta in result.added.items()} == linear


@pytest.mark.parametrize(
    ("text", "url", "cites"),
    [
        ("|url=https://example.org/a |title=x", "https://example.org/a", True),
        ("|url=http://example.org/a}}", "https://example.org/a", True),  # the scheme changed later: same URL
        ("|url=https://example.org/a2", "https://example.org/a", False),  # a longer URL is another URL
        ("[https://example.org/a?x=1&amp;y=2 T]", "https://example.org/a?x=1&y=2", True),
        ("https://example.org/caf%C3%A9]", "https://example.org/café", False),
        ("https://example.org/café]", "https://example.org/caf%C3%A9", True),
        ("", "https://example.org/a", False),
    ],
)
def test_wikitext_cites(text: str, url: str, cites: bool) -> None:
    assert wikitext_cites(text, url) is cites


def test_random_histories_need_logarithmic_requests() -> None:
    import asyncio

    rng = random.Random(7)
    worst = 0
    for _ in range(20):
        count = rng.randint(50, 2000)
        added = {f"https://r.example/{n}": rng.randrange(count) for n in range(rng.randint(1, 4))}
        history = History(count, added)
        result = asyncio.run(first_revisions_citing(added, history.revisions, history.fetch, budget=50))
        assert len(result.added) == len(added)
        worst = max(worst, result.requests - math.ceil(math.log(count, 11)))
    assert worst <= 3  # a few extra rounds when several URLs split the batch between them
