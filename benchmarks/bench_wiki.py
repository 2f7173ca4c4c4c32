"""Wiki benchmark: auditing 50 articles from a loopback MediaWiki (REST + action API).

Each article has a generated history (40–400 revisions) and 4–10 citations,
some without an access date, each added at a known revision.  The script
prints, per article, the wiki requests a cold run sends (REST for the
Parsoid HTML; action API for the revision list and the bisection batches),
the access dates recovered and requests per date, whether every recovered
date is the revision that really added the URL, and the warm re-run's
requests (target: 1 for the page, ≤ 3 per access date, 0 warm).  Baseline in
the same run: reading the whole history (50 revisions' wikitext per request,
the action API's cap) to find each URL's first revision.  Last, whole audits
(reading, claims, checks, reports; the network stage pointed at a closed port
so it reports not-checked at once) give articles per second.

Run: ``.venv/bin/python benchmarks/bench_wiki.py [--articles 50] [--delay 0.02] [--seed 12]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.mediawiki_world import MediaWikiServer  # noqa: E402
from tests.integration.pywb_world import closed_port  # noqa: E402
from tests.integration.web_world import WebWorld  # noqa: E402

from citecheck import AuditOptions, audit  # noqa: E402
from citecheck.resolve.api_http import GuardedHttp, PoliteEndpoint  # noqa: E402
from citecheck.resolve.mediawiki import MediaWikiClient, wiki_politeness  # noqa: E402
from citecheck.resolve.wiki_history import wikitext_cites  # noqa: E402
from citecheck.resolve.wiki_input import WikiSite  # noqa: E402
from citecheck.web_documents import read_web_documents  # noqa: E402
from citecheck.web_inputs import split_inputs  # noqa: E402

START = datetime(2008, 1, 1, tzinfo=UTC)


def build_articles(wiki: MediaWikiServer, count: int, rng: random.Random) -> dict[str, dict[str, int]]:
    """``count`` articles; returns, per title, each undated URL and the revision index that added it."""
    truth: dict[str, dict[str, int]] = {}
    for number in range(count):
        title = f"Bench article {number:03d}"
        revisions = rng.randint(40, 400)
        citations = rng.randint(4, 10)
        added_at = sorted(rng.randrange(revisions) for _ in range(citations))
        undated = set(rng.sample(range(citations), rng.randint(1, min(5, citations))))
        sentences: list[tuple[int, str, str]] = []
        for index, revision in enumerate(added_at):
            url = f"http://bench-{number}.example/story/{index}"
            if index in undated:
                cite = f"{{{{cite web |url={url} |title=Story {index} |work=Bench Daily}}}}"
            else:
                cite = f"{{{{cite web |url={url} |title=Story {index} |work=Bench Daily |access-date=2 May 2011}}}}"
            sentences.append((revision, f"Fact number {index} about article {number} holds.<ref>{cite}</ref>", url))
        texts = []
        for revision in range(revisions):
            present = [text for added, text, _ in sentences if added <= revision]
            filler = " ".join(f"Filler sentence {k} of revision {revision}." for k in range(3))
            texts.append(f"Lead of article {number}. {filler}\n\n" + "\n\n".join(present))
        article = wiki.add_article(
            title, [(START + timedelta(hours=6 * index), text) for index, text in enumerate(texts)]
        )
        truth[title] = {
            url: article.revisions[added].id for index, (added, _, url) in enumerate(sentences) if index in undated
        }
    return truth


async def naive_history_requests(wiki: MediaWikiServer, titles: list[str]) -> int:
    """Requests a whole-history read needs: the revision list, then every revision, 50 per request."""
    site = WikiSite(wiki.base)
    async with GuardedHttp(allow_private=True, agent="citecheck-bench") as http:
        client = MediaWikiClient(site, PoliteEndpoint(site.host, http, wiki_politeness()), max_page_bytes=1 << 26)
        for title in titles:
            revisions, _, _ = await client.revision_list(title, wiki.articles[title].revisions[-1].id, max_requests=20)
            for start in range(0, len(revisions), 50):
                texts = await client.revision_texts([meta.id for meta in revisions[start : start + 50]])
                assert all(text is None or wikitext_cites(text, "bench") is not None for text in texts.values())
        return client.endpoint.requests


def count(wiki: MediaWikiServer, since: int) -> tuple[int, int, int, int]:
    """REST requests, revision-list requests, content requests, and revision texts those read."""
    seen = wiki.seen()[since:]
    rest = sum(1 for r in seen if r.path.startswith("/w/rest.php"))
    lists = sum(1 for r in seen if r.path.startswith("/w/api.php") and "titles=" in r.path)
    reads = [r for r in seen if r.path.startswith("/w/api.php") and "revids=" in r.path]
    texts = sum(unquote(r.path.split("revids=", 1)[1].split("&", 1)[0]).count("|") + 1 for r in reads)
    return rest, lists, len(reads), texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the wiki takes per answer")
    parser.add_argument("--seed", type=int, default=12)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)

    web = WebWorld()
    wiki = MediaWikiServer(web, "wiki", "127.0.0.8")
    truth = build_articles(wiki, arguments.articles, rng)
    wiki.delay = arguments.delay
    web.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            options = AuditOptions(
                out=Path(folder) / "reports",
                cache=Path(folder) / "cache.sqlite",
                allow_private=True,
                wiki=wiki.base,
                archives=[f"http://127.0.0.1:{closed_port()}/coll"],
                canary=[f"http://127.0.0.1:{closed_port()}/"],
            )
            titles = list(truth)
            _, inputs, _ = split_inputs([f"wikipedia:{title}" for title in titles], options)
            revisions = [len(wiki.articles[title].revisions) for title in titles]
            print(
                f"{len(titles)} articles, {sum(revisions)} revisions ({min(revisions)}–{max(revisions)} each), "
                f"{sum(len(urls) for urls in truth.values())} citations without an access date; "
                f"wiki answers after {arguments.delay * 1000:.0f} ms"
            )

            before = len(wiki.seen())
            started = time.perf_counter()
            batch = read_web_documents(inputs, options)
            cold = time.perf_counter() - started
            rest, lists, contents, texts = count(wiki, before)
            dated = correct = 0
            for web_document in batch.documents:
                expected = truth[web_document.revision.title if web_document.revision else ""]
                for reference in web_document.document.references:
                    provenance = reference.access_date_provenance
                    if provenance is not None:
                        dated += 1
                        correct += provenance.revision == expected.get(reference.url or "")
            undated = sum(len(urls) for urls in truth.values())
            print("\ncold run (fetch, pin, read, access dates from history):")
            print(f"  REST requests           {rest:5d}   {rest / len(titles):.2f} per article (target 1)")
            print(f"  revision lists          {lists:5d}   {lists / len(titles):.2f} per article")
            print(
                f"  bisection batches       {contents:5d}   {contents / len(titles):.2f} per article, "
                f"{texts} revision texts read ({texts / sum(revisions):.1%} of the history)"
            )
            print(
                f"  access dates recovered  {dated:5d} / {undated}  ({correct} the revision that added the URL); "
                f"{(lists + contents) / max(dated, 1):.2f} requests per date (target ≤ 3)"
            )
            print(f"  time                    {cold:6.2f} s   {len(titles) / cold:.1f} articles/s")

            before = len(wiki.seen())
            started = time.perf_counter()
            read_web_documents(inputs, options)
            warm = time.perf_counter() - started
            print(
                f"\nwarm re-run: {len(wiki.seen()) - before} wiki requests (target 0), {warm:.2f} s, "
                f"{len(titles) / warm:.1f} articles/s"
            )

            before = len(wiki.seen())
            naive = asyncio.run(naive_history_requests(wiki, titles))
            _, _, _, naive_texts = count(wiki, before)
            print(
                f"\nbaseline, whole history read (50 revisions per request): {naive} action API requests "
                f"({naive / len(titles):.1f} per article), {naive_texts} revision texts → bisection sends "
                f"{naive / max(lists + contents, 1):.1f}× fewer requests and reads {naive_texts / max(texts, 1):.1f}× "
                "fewer texts"
            )

            started = time.perf_counter()
            result = audit([f"wikipedia:{title}" for title in titles], options)
            whole = time.perf_counter() - started
            print(
                f"\nwhole audit, warm wiki store ({result.summary.network.mode} network stage): "
                f"{whole:.2f} s, {len(titles) / whole:.1f} articles/s, "
                f"{sum(d.references for d in result.summary.documents)} references, "
                f"{sum(d.claims for d in result.summary.documents)} claims"
            )
    finally:
        web.stop()


if __name__ == "__main__":
    main()
