"""Evidence passages: sentences, two-sentence windows, coverage first and BM25 second, offsets and fragments."""

from __future__ import annotations

from citecheck.claims.content_words import content_stems, stem
from citecheck.claims.passages import (
    MAX_INDEXED_CHARS,
    index_source,
    rank_passages,
    sentence_at,
    split_sentences,
    text_fragment,
)

SOURCE = (
    "The council met on Tuesday. Mr. Smith, the mayor, opened the session at 9 a.m. sharp.\n"
    "The U.S. ambassador spoke about the new bridge over the Riverton estuary. "
    "Construction of the bridge will cost 48 million dollars. It is expected to open in 2014.\n"
    "Residents asked about parking. The mayor promised an answer by May."
)


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_sentences_end_at_stops_and_line_breaks_but_not_at_abbreviations() -> None:
    assert sentences(SOURCE) == [
        "The council met on Tuesday.",
        "Mr. Smith, the mayor, opened the session at 9 a.m. sharp.",
        "The U.S. ambassador spoke about the new bridge over the Riverton estuary.",
        "Construction of the bridge will cost 48 million dollars.",
        "It is expected to open in 2014.",
        "Residents asked about parking.",
        "The mayor promised an answer by May.",
    ]


def test_long_runs_without_stops_are_cut_at_words() -> None:
    run = " ".join(f"Item{number}" for number in range(400))
    pieces = sentences(run)
    assert len(pieces) > 1 and all(len(piece) <= 600 for piece in pieces)
    assert " ".join(pieces) == run


def test_content_words_are_stemmed_alike_on_both_sides() -> None:
    assert stem("killed") == stem("killing") == stem("kills") == "kill"
    assert stem("José") == stem("jose") and stem("Böðvarsson’s") == stem("böðvarsson")
    assert content_stems("The 34 residents were killed in the raid") == ["34", "resident", "kill", "raid"]


def test_the_best_passage_covers_most_claim_words_with_offsets() -> None:
    index = index_source(SOURCE)
    (best, *others) = rank_passages("The new Riverton bridge will cost 48 million dollars.", index)
    assert best.rank == 1 and best.span in (1, 2)
    assert SOURCE[best.start : best.end].startswith("The U.S. ambassador spoke")
    assert "48 million dollars" in best.text
    assert best.shared_words == best.claim_words == 7  # "will" is a function word; the rest are all there
    assert len(others) <= 2
    taken = [(passage.start, passage.end) for passage in [best, *others]]
    assert all(
        a_end <= b_start or b_end <= a_start
        for (a_start, a_end) in taken
        for (b_start, b_end) in taken
        if (a_start, a_end) != (b_start, b_end)
    )


def test_a_window_is_kept_only_when_it_covers_more_than_its_sentences() -> None:
    index = index_source(SOURCE)
    (single,) = rank_passages("Residents asked about parking.", index, top=1)
    assert single.span == 1 and single.text == "Residents asked about parking."


def test_nothing_shared_gives_no_passage_and_a_one_word_claim_still_works() -> None:
    index = index_source(SOURCE)
    assert rank_passages("Zebras graze quietly.", index) == []
    assert rank_passages("the of and", index) == []
    (one,) = rank_passages("parking", index, top=1)
    assert one.text == "Residents asked about parking."


def test_a_claim_in_another_script_is_compared_by_character_pairs() -> None:
    source = "东京是日本的首都。大阪是日本第二大城市。"
    index = index_source(source)
    (best, *_) = rank_passages("大阪是第二大城市", index)
    assert best.text == "大阪是日本第二大城市。"


def test_sentence_at_maps_offsets_to_sentences() -> None:
    index = index_source(SOURCE)
    offset = SOURCE.index("48 million")
    number = sentence_at(index, offset)
    assert number is not None and SOURCE[slice(*index.sentences[number])].startswith("Construction")
    assert sentence_at(index, len(SOURCE) + 10) is None


def test_huge_texts_are_indexed_up_to_the_cap() -> None:
    text = ("A sentence about nothing in particular. " * 60_000)[: MAX_INDEXED_CHARS + 5000]
    index = index_source(text)
    assert index.truncated and index.sentences[-1][1] <= MAX_INDEXED_CHARS


def test_text_fragments_are_encoded_for_the_directive() -> None:
    assert text_fragment("A short passage, here.") == ":~:text=A%20short%20passage%2C%20here."
    long = "one two three four five six seven eight nine ten eleven twelve-thirteen"
    assert (
        text_fragment(long) == ":~:text=one%20two%20three%20four%20five,eight%20nine%20ten%20eleven%20twelve%2Dthirteen"
    )
    assert text_fragment("   ") is None


def test_ties_are_ranked_the_same_in_every_process() -> None:
    """Two windows here score the same BM25 to the last digit but one: summed in a set's order (the string
    hash's, different per process) they swapped ranks in about one process in six."""
    import subprocess
    import sys
    from pathlib import Path

    import citecheck

    program = (
        "from citecheck.claims.passages import index_source, rank_passages\n"
        "source = index_source('Tango hotel mike. India golf tango mike bravo. Echo papa november. "
        "Lima mike tango golf juliet.')\n"
        "print([(p.first_sentence, p.span, p.score) for p in rank_passages('india tango papa echo lima', source)])\n"
    )
    src = str(Path(citecheck.__file__).resolve().parent.parent)
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={"PYTHONHASHSEED": str(seed), "PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(12)
    }
    assert len(outputs) == 1, outputs
    assert outputs.pop().startswith("[(1, 2, ")  # the tie goes to the earlier window
