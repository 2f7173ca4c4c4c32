"""markdown-it-py's inline tokenizer, trying at each position only the rules that can match there.

The stock :class:`~markdown_it.parser_inline.ParserInline` stops its ``text``
rule at 23 terminator characters and then tries every enabled rule in turn;
most of them fail on their first line, which compares ``state.src[state.pos]``
with the one character they start on.  At a terminator no enabled rule starts
on (``:``, ``-``, ``#``, ``{`` … in CommonMark with footnotes) every rule fails
and the character is appended to the pending text — exactly what the ``text``
rule does with the characters it passes over.

:class:`DispatchingInline` runs the same rules in the same order, but only those
whose first character is the one at the position; the text between such
characters is appended to the pending text in one piece.  The tokens are the
ones the stock parser makes: a rule that is skipped would have returned False
at that position without touching the state.

:func:`dispatching_inline` installs it only when every enabled rule is one whose
start character is known here; a parser with any other rule keeps the stock one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from markdown_it import helpers, rules_inline
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace, unescapeAll
from markdown_it.helpers.parse_link_destination import _Result
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token
from markdown_it.utils import EnvType

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["DispatchingInline", "dispatching_inline", "emphasis_tokenize", "parse_link_destination"]

_Rule = Callable[[StateInline, bool], bool]

# The one character each stock rule can start on: the test each makes before anything else
# (``html_inline`` first reads an option, ``footnote_ref`` first reads ``env``; neither changes the
# state at a position it then rejects, bar ``footnote_ref`` adding an empty ``env["footnotes"]``,
# which ``footnote_tail`` and the reader treat as no footnotes).
_STOCK_START_CHARACTERS: dict[_Rule, str] = {
    rules_inline.newline: "\n",
    rules_inline.escape: "\\",
    rules_inline.backtick: "`",
    rules_inline.emphasis.tokenize: "*_",
    rules_inline.link: "[",
    rules_inline.image: "!",
    rules_inline.autolink: "<",
    rules_inline.html_inline: "<",
    rules_inline.entity: "&",
}


def _footnote_start_characters() -> dict[_Rule, str]:
    from mdit_py_plugins.footnote.index import footnote_inline, footnote_ref

    return {footnote_inline: "^", footnote_ref: "["}


def _start_characters(rule: _Rule, extra: Mapping[_Rule, str]) -> str | None:
    function = rule.func if isinstance(rule, functools.partial) else rule
    known = {**_STOCK_START_CHARACTERS, **_footnote_start_characters(), **extra}
    return known.get(function)


class DispatchingInline(ParserInline):
    """A :class:`ParserInline` whose ``tokenize`` and ``skipToken`` try only the rules that can start here."""

    def __init__(self, stock: ParserInline, dispatch: dict[str, list[_Rule]]) -> None:
        super().__init__()
        self.ruler = stock.ruler
        self.ruler2 = stock.ruler2
        self._dispatch = dispatch
        starts = "".join(sorted(dispatch))
        self._tokenize_stop = re.compile("[" + re.escape(starts) + "]")
        # parseLinkLabel inspects every position skipToken leaves it at for "[" and "]"
        self._skip_stop = re.compile("[" + re.escape("".join(sorted({*starts, "[", "]"}))) + "]")

    def skipToken(self, state: StateInline) -> None:
        pos = state.pos
        cache = state.cache
        if pos in cache:
            state.pos = cache[pos]
            return
        ok = False
        if state.level < state.md.options["maxNesting"]:
            rules = self._dispatch.get(state.src[pos])
            if rules is None:
                # the text rule (first of all): up to the next character a rule or a label end may start at
                stop = self._skip_stop.search(state.src, pos, state.posMax)
                state.pos = stop.start() if stop else state.posMax
                ok = state.pos > pos
            else:
                for rule in rules:
                    state.level += 1
                    ok = rule(state, True)
                    state.level -= 1
                    if ok:
                        if state.pos <= pos:
                            raise RuntimeError("inline rule didn't increment state.pos")
                        break
        else:
            state.pos = state.posMax
        if not ok:
            state.pos += 1
        cache[pos] = state.pos

    def tokenize(self, state: StateInline) -> None:
        dispatch = self._dispatch
        stop_re = self._tokenize_stop
        src = state.src
        end = state.posMax
        max_nesting = state.md.options["maxNesting"]
        while state.pos < end:
            pos = state.pos
            ok = False
            if state.level < max_nesting:
                rules = dispatch.get(src[pos])
                if rules is None:
                    # (bounded by posMax as the stock text rule is by the "]" a link label ends at)
                    stop = stop_re.search(src, pos, end)
                    state.pos = stop.start() if stop else end
                    state.append_pending(src[pos : state.pos])
                    ok = True
                else:
                    for rule in rules:
                        ok = rule(state, False)
                        if ok:
                            if state.pos <= pos:
                                raise RuntimeError("inline rule didn't increment state.pos")
                            break
            if ok:
                if state.pos >= end:
                    break
                continue
            state.append_pending(src[state.pos])
            state.pos += 1
        if state.pending:
            state.pushPending()

    def parse(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        if not tokens and self._tokenize_stop.search(src) is None:
            # No rule can start anywhere: the text rule takes it all, the post-processing rules find
            # no delimiters, and the tokens are the one text token StateInline.pushPending makes.
            if src:
                token = Token("text", "", 0)
                token.content = src
                tokens.append(token)
            return tokens
        return super().parse(src, md, env, tokens)


@functools.cache
def _flanking_class(character: str) -> tuple[bool, bool]:
    """(punctuation, white space) as ``StateInline.scanDelims`` tests a character beside a delimiter run."""
    code = ord(character)
    return isMdAsciiPunct(code) or isPunctChar(character), isWhiteSpace(code)


def emphasis_tokenize(state: StateInline, silent: bool) -> bool:
    """markdown-it's emphasis rule (``*`` and ``_`` runs as text tokens and delimiters), in fewer steps.

    The run is scanned as ``StateInline.scanDelims`` scans it, the characters either side classed as it
    classes them (once per character), and each marker pushed as ``StateInline.push`` pushes a text token
    (nesting 0: the level stays, no token meta).  Called only where the dispatch found ``*`` or ``_``.
    """
    if silent:
        return False
    src = state.src
    start = state.pos
    marker = src[start]
    maximum = state.posMax
    pos = start + 1
    while pos < maximum and src[pos] == marker:
        pos += 1
    count = pos - start
    last_punct, last_space = _flanking_class(src[start - 1] if start > 0 else " ")
    next_punct, next_space = _flanking_class(src[pos] if pos < maximum else " ")
    left_flanking = not (next_space or (next_punct and not (last_space or last_punct)))
    right_flanking = not (last_space or (last_punct and not (next_space or next_punct)))
    if marker == "*":
        can_open = left_flanking
        can_close = right_flanking
    else:
        can_open = left_flanking and (not right_flanking or last_punct)
        can_close = right_flanking and (not left_flanking or next_punct)
    if state.pending:
        state.pushPending()
    tokens = state.tokens
    tokens_meta = state.tokens_meta
    delimiters = state.delimiters
    level = state.level
    code = ord(marker)
    for _ in range(count):
        token = Token("text", "", 0)
        token.content = marker
        token.level = level
        tokens.append(token)
        tokens_meta.append(None)
        delimiters.append(Delimiter(code, count, len(tokens) - 1, -1, can_open, can_close))
    state.pendingLevel = level
    state.pos = pos
    return True


# Stock rules and what the dispatching tokenizer calls in their place.
_FASTER_RULES: dict[_Rule, _Rule] = {rules_inline.emphasis.tokenize: emphasis_tokenize}


def dispatching_inline(parser: MarkdownIt, extra: Mapping[_Rule, str] | None = None) -> None:
    """Give ``parser`` a :class:`DispatchingInline` if every enabled inline rule's start characters are known.

    ``extra`` names the start characters of rules not in markdown-it-py or its footnote plugin.
    """
    rules = parser.inline.ruler.getRules("")
    if not rules or rules[0] is not rules_inline.text:
        return
    dispatch: dict[str, list[_Rule]] = {}
    for rule in rules[1:]:
        characters = _start_characters(rule, extra or {})
        if characters is None:
            return
        for character in characters:
            dispatch.setdefault(character, []).append(_FASTER_RULES.get(rule, rule))
    parser.inline = DispatchingInline(parser.inline, dispatch)


# The characters markdown-it's parseLinkDestination passes over one by one in a destination not in <…>:
# all but space, ASCII controls, "\\" (an escape) and the parentheses it counts.
_PLAIN_DESTINATION_RE = re.compile(r"[^\x00-\x20\x7f\\()]*")


def parse_link_destination(string: str, pos: int, maximum: int) -> Any:
    """markdown-it's ``parseLinkDestination``, with the run of plain characters a URL mostly is taken in one step.

    Where the run ends at the end, a space, a control character or a ")" (all of which end the stock
    loop at nesting level 0) the result is built as the stock function builds it; at "(" or "\\" the
    stock function reads the destination from its start.
    """
    if pos < maximum and string[pos] != "<":
        end = _PLAIN_DESTINATION_RE.match(string, pos, maximum).end()  # type: ignore[union-attr]
        if end == maximum or string[end] not in "\\(":
            result = _Result()
            if end > pos:
                result.str = unescapeAll(string[pos:end])
                result.pos = end
                result.ok = True
            return result
    return helpers.parseLinkDestination(string, pos, maximum)


def link_helpers() -> SimpleNamespace:
    """markdown-it's link helpers with :func:`parse_link_destination`, for one parser's ``helpers``."""
    return SimpleNamespace(
        parseLinkDestination=parse_link_destination,
        parseLinkLabel=helpers.parseLinkLabel,
        parseLinkTitle=helpers.parseLinkTitle,
    )
