"""The wikitext reader pauses the cyclic garbage collector while it reads, and always turns it back on."""

from __future__ import annotations

import gc
import threading
from typing import Any

import pytest

from citecheck.documents import wikitext

TEXT = "Intro.<ref>{{cite web|url=https://e.example/a|title=A}}</ref>\n\n== Notes ==\n{{reflist}}\n"


def test_collector_is_off_during_a_read_and_on_after(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    walk = wikitext._walk_document

    def recording(text: str, **options: Any) -> Any:
        seen.append(gc.isenabled())
        return walk(text, **options)

    monkeypatch.setattr(wikitext, "_walk_document", recording)
    assert gc.isenabled()
    wikitext.read_wikitext(TEXT, "a.wiki")
    wikitext.count_ref_tags(TEXT)
    assert seen == [False, False]
    assert gc.isenabled()


def test_collector_is_back_on_after_a_read_that_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(text: str, **options: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(wikitext, "_walk_document", failing)
    with pytest.raises(RuntimeError):
        wikitext.read_wikitext(TEXT, "a.wiki")
    assert gc.isenabled()


def test_collector_left_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        wikitext.read_wikitext(TEXT, "a.wiki")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_concurrent_reads_turn_the_collector_back_on_once_all_end() -> None:
    inside = threading.Barrier(3)
    results: list[str] = []
    walk = wikitext._walk_document

    def waiting(text: str, **options: Any) -> Any:
        inside.wait(timeout=10)  # all three reads are inside at once
        return walk(text, **options)

    original = wikitext._walk_document
    wikitext._walk_document = waiting  # type: ignore[assignment]
    try:
        threads = [
            threading.Thread(target=lambda: results.append(wikitext.read_wikitext(TEXT, "a.wiki").model_dump_json()))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        wikitext._walk_document = original  # type: ignore[assignment]
    assert len(results) == 3 and len(set(results)) == 1
    assert gc.isenabled()
