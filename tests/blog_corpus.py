"""Markdown and blog-HTML documents with archive links, built by code, each with the truth it was built from.

The wordings are the ones bloggers and Markdown writers use for archive copies
("[Archived](…)", "Archived at URL on DATE", "archived copy", "(Wayback
Machine, DATE)") and for citation lines ("Jane Doe. "Title". The Daily
Example, 3 May 2014."), in several date styles, with and without authors.
Used by tests/unit/test_blog_corpus.py and benchmarks/bench_readers.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

OUTLETS = ["The Daily Example", "Example Wire", "Los Angeles Times", "Foreign Policy", "The Coastal Herald"]
AUTHORS = [("Jane", "Doe"), ("Richard", "Roe"), ("Amira", "Haddad"), ("Carol J.", "Williams"), ("Kenji", "Sato")]
TOPICS = ["camp raid", "council budget", "harbour plan", "election result", "flood report", "mine closure"]
ARCHIVES = [
    "https://web.archive.org/web/{ts}/{url}",
    "https://archive.ph/{ts}/{url}",
    "http://archive.today/{ts}/{url}",
    "https://wayback.archive-it.org/1234/{ts}/{url}",
]


@dataclass(frozen=True)
class Truth:
    """What one footnote cites."""

    label: str
    url: str
    archive_url: str | None
    archive_date: date | None
    date: date
    work: str
    title: str
    author: str | None


@dataclass(frozen=True)
class Sample:
    name: str
    fmt: str  # "markdown" | "html"
    text: str
    truths: list[Truth]


def _day(value: date, style: int) -> str:
    month = value.strftime("%B")
    if style == 0:
        return f"{value.day} {month} {value.year}"
    if style == 1:
        return f"{month} {value.day}, {value.year}"
    return value.isoformat()


def _citation(truth: Truth, style: int, markdown: bool, rng: random.Random) -> str:
    """One footnote's text in one of the wordings writers use."""

    def link(text: str, url: str) -> str:
        return f"[{text}]({url})" if markdown else f'<a href="{url}">{text}</a>'

    def work(name: str) -> str:
        return f"*{name}*" if markdown else f"<em>{name}</em>"

    author = f"{truth.author}. " if truth.author else ""
    when = _day(truth.date, style % 3)
    archived_on = _day(truth.archive_date, (style + 1) % 3) if truth.archive_date else ""
    head = f'{author}"{link(truth.title, truth.url)}". {work(truth.work)}, {when}.'
    if truth.archive_url is None:
        return head
    wording = style % 6
    if wording == 0:
        tail = f"{link('Archived', truth.archive_url)} from the original on {archived_on}."
    elif wording == 1:
        shown = truth.archive_url if markdown else link(truth.archive_url, truth.archive_url)
        tail = f"Archived at {shown} on {archived_on}."
    elif wording == 2:
        tail = f"({link('archived copy', truth.archive_url)}, {archived_on})"
    elif wording == 3:
        tail = f"{link('Wayback Machine', truth.archive_url)} snapshot from {archived_on}."
    elif wording == 4:
        tail = f"Archived {archived_on} at {link('the Wayback Machine', truth.archive_url)}."
    else:
        tail = f"{link('Archive', truth.archive_url)} (archived on {archived_on})."
    return f"{head} {tail}"


def _truths(rng: random.Random, count: int, prefix: str) -> list[Truth]:
    truths: list[Truth] = []
    for index in range(1, count + 1):
        published = date(2008, 1, 1) + timedelta(days=rng.randint(0, 4000))
        url = f"https://news{rng.randint(1, 40)}.example.org/{published.year}/{rng.randint(100, 9999)}/story-{index}"
        archived = published + timedelta(days=rng.randint(1, 400)) if rng.random() < 0.8 else None
        archive_url = None
        if archived is not None:
            stamp = archived.strftime("%Y%m%d") + f"{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}00"
            archive_url = rng.choice(ARCHIVES).format(ts=stamp, url=url)
        first, last = rng.choice(AUTHORS)
        author = rng.choice([f"{first} {last}", f"{last}, {first}", None])
        truths.append(
            Truth(
                label=f"{prefix}{index}",
                url=url,
                archive_url=archive_url,
                archive_date=archived,
                date=published,
                work=rng.choice(OUTLETS),
                title=f"{rng.choice(TOPICS).capitalize()} {rng.choice(['questioned', 'approved', 'delayed'])}",
                author=author,
            )
        )
    return truths


def markdown_sample(seed: int, count: int = 24) -> Sample:
    rng = random.Random(seed)
    truths = _truths(rng, count, "")
    body = []
    for index, truth in enumerate(truths, start=1):
        body.append(f"Officials said the {rng.choice(TOPICS)} went ahead in {truth.date.year}.[^{truth.label}]")
        if index % 4 == 0:
            body.append("")
    notes = [f"[^{truth.label}]: {_citation(truth, rng.randint(0, 11), True, rng)}" for truth in truths]
    text = "---\ntitle: Notes on the news\ndate: 2021-03-04\n---\n\n# Notes\n\n" + "\n".join(body)
    return Sample(f"markdown-{seed}", "markdown", text + "\n\n" + "\n".join(notes) + "\n", truths)


def blog_sample(seed: int, count: int = 24) -> Sample:
    """A CMS blog post: markers typed as <sup>[n]</sup> (some linked, some not), an ol under "Sources"."""
    rng = random.Random(seed)
    truths = _truths(rng, count, "")
    paragraphs = []
    for index, truth in enumerate(truths, start=1):
        marker = f'<sup><a href="#note-{index}">[{index}]</a></sup>' if index % 2 else f"<sup>[{index}]</sup>"
        paragraphs.append(f"<p>Officials said the {rng.choice(TOPICS)} went ahead in {truth.date.year}.{marker}</p>")
    items = [f'<li id="note-{i}">{_citation(t, rng.randint(0, 11), False, rng)}</li>' for i, t in enumerate(truths, 1)]
    text = (
        "<!DOCTYPE html><html><head><title>Blog post</title>"
        '<meta property="article:published_time" content="2021-03-04T09:00:00Z"></head><body>'
        '<header><a href="https://blog.example/">Home</a></header><article><h1>What happened</h1>'
        + "".join(paragraphs)
        + "<h2>Sources</h2><ol>"
        + "".join(items)
        + "</ol></article><footer>© Blog</footer></body></html>"
    )
    return Sample(f"blog-{seed}", "html", text, truths)
