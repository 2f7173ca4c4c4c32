"""markdown-it-py's block rule chains, trying at each line only the rules that can start on its first character.

The stock block tokenizer tries every enabled rule on every line a block may start on, and
``paragraph``, ``lheading``, ``list``, ``blockquote`` and ``reference`` try every rule of their
terminator chain on each continuation line.  Nearly all of these calls fail within a few lines: the
rule reads the line's first non-space character, ``state.src[state.bMarks[line] + state.tShift[line]]``,
and returns False when it is not one it starts on (after a ``LOGGER.debug`` call each).

:class:`DispatchingRuler` hands out, for each chain, one rule that tries the chain's rules in the
same order but only those that can start on that character, and returns True at the first that
matches — what the loops over ``getRules(chain)`` in markdown-it-py do with the stock list.  A rule
skipped here would have returned False without touching the state.  Where the character is not
known exactly (a blank line, or line 0, on which the front matter rule reads ``state.src[0]``) every
rule of the chain is tried.

:func:`dispatching_block` installs it only when the rules' start characters are known here; a chain
with any other rule keeps the stock list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markdown_it import rules_block
from markdown_it.common.utils import mdTrim
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["DispatchingRuler", "dispatching_block"]

_Rule = Callable[[StateBlock, int, int, bool], bool]

_ANYWHERE = ""


def _table(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """``table``, called only where its first test of the next line (``|``, ``-`` or ``:`` first) passes."""
    if startLine + 2 > endLine:
        return False
    next_line = startLine + 1
    pos = state.bMarks[next_line] + state.tShift[next_line]
    if pos >= state.eMarks[next_line] or state.src[pos] not in "|-:":
        return False
    return rules_block.table(state, startLine, endLine, silent)


def _code(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """``code``, called only on a line indented as a code block (its first test)."""
    if not state.is_code_block(startLine):
        return False
    return rules_block.code(state, startLine, endLine, silent)


def _lheading_or_paragraph(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """``lheading`` then, where it finds no underline, ``paragraph`` — with the lines scanned once.

    Both walk the lines after ``startLine`` the same way (a blank line ends them, a line indented as code
    or with a negative indent is a lazy continuation, a ``paragraph`` terminator ends them; lheading also
    stops at a setext underline).  Where lheading finds no underline, paragraph would stop at the line it
    stopped at.  That holds where the range ends at ``state.lineMax`` (paragraph reads lines, and asks its
    terminators, up to lineMax; lheading up to ``endLine``): elsewhere the stock pair runs.  As the stock
    pair does, an lheading that fails leaves ``state.parentType`` as "paragraph", which paragraph then
    saves and restores.
    """
    if state.is_code_block(startLine):  # lheading's first test: it returns False, touching nothing
        return rules_block.paragraph(state, startLine, endLine, silent)
    if endLine != state.lineMax:
        # (paragraph asks its terminators about the lines up to lineMax, lheading up to endLine)
        return rules_block.lheading(state, startLine, endLine, silent) or rules_block.paragraph(
            state, startLine, endLine, silent
        )
    terminators = state.md.block.ruler.getRules("paragraph")
    old_parent_type = state.parentType
    state.parentType = "paragraph"
    src = state.src
    bMarks = state.bMarks
    eMarks = state.eMarks
    tShift = state.tShift
    sCount = state.sCount
    blkIndent = state.blkIndent
    level = 0
    marker = ""
    nextLine = startLine + 1
    while nextLine < endLine:
        if bMarks[nextLine] + tShift[nextLine] >= eMarks[nextLine]:  # state.isEmpty
            break
        if sCount[nextLine] - blkIndent > 3:
            nextLine += 1
            continue
        if sCount[nextLine] >= blkIndent:
            pos = bMarks[nextLine] + tShift[nextLine]
            maximum = eMarks[nextLine]
            if pos < maximum:
                marker = src[pos]
                if marker in ("-", "="):
                    pos = state.skipSpaces(state.skipCharsStr(pos, marker))
                    if pos >= maximum:
                        level = 1 if marker == "=" else 2
                        break
        if sCount[nextLine] < 0:
            nextLine += 1
            continue
        terminate = False
        for terminator in terminators:
            if terminator(state, nextLine, endLine, True):
                terminate = True
                break
        if terminate:
            break
        nextLine += 1
    if level:
        content = mdTrim(state.getLines(startLine, nextLine, blkIndent, False))
        state.line = nextLine + 1
        token = state.push("heading_open", "h" + str(level), 1)
        token.markup = marker
        token.map = [startLine, state.line]
        token = state.push("inline", "", 0)
        token.content = content
        token.map = [startLine, state.line - 1]
        token.children = []
        token = state.push("heading_close", "h" + str(level), -1)
        token.markup = marker
        state.parentType = old_parent_type
        return True
    content = mdTrim(state.getLines(startLine, nextLine, blkIndent, False))
    state.line = nextLine
    token = state.push("paragraph_open", "p", 1)
    token.map = [startLine, state.line]
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [startLine, state.line]
    token.children = []
    token = state.push("paragraph_close", "p", -1)
    state.parentType = "paragraph"
    return True


def _known_rules() -> dict[_Rule, tuple[str, _Rule]]:
    """Each known rule: the characters it can start on (``""`` for any) and what to call in its place."""
    from mdit_py_plugins.footnote.index import footnote_def

    return {
        rules_block.table: (_ANYWHERE, _table),
        rules_block.code: (_ANYWHERE, _code),
        rules_block.fence: ("~`", rules_block.fence),
        rules_block.blockquote: (">", rules_block.blockquote),
        rules_block.hr: ("*-_", rules_block.hr),
        rules_block.list_block: ("0123456789*-+", rules_block.list_block),
        footnote_def: ("[", footnote_def),
        rules_block.reference: ("[", rules_block.reference),
        rules_block.html_block: ("<", rules_block.html_block),
        rules_block.heading: ("#", rules_block.heading),
        rules_block.lheading: (_ANYWHERE, rules_block.lheading),
        rules_block.paragraph: (_ANYWHERE, rules_block.paragraph),
    }


def _line_zero_rules() -> set[_Rule]:
    """Rules that read something other than the line's first character, and only on line 0."""
    from mdit_py_plugins.front_matter.index import _front_matter_rule

    return {_front_matter_rule}


def _dispatching_chain(rules: Sequence[_Rule]) -> _Rule | None:
    """One rule doing what trying ``rules`` in turn does; None if a rule's start characters are not known."""
    known = _known_rules()
    line_zero = _line_zero_rules()
    everything = tuple(rules)
    placed: list[tuple[str, _Rule]] = []
    for rule in rules:
        if rule in line_zero:
            continue
        entry = known.get(rule)
        if entry is None:
            return None
        placed.append(entry)
    for index in range(len(placed) - 1):
        if placed[index][1] is rules_block.lheading and placed[index + 1][1] is rules_block.paragraph:
            placed[index : index + 2] = [(_ANYWHERE, _lheading_or_paragraph)]
            break
    starts = {character for characters, _ in placed for character in characters}
    anywhere = tuple(call for characters, call in placed if not characters)
    buckets = {
        character: tuple(call for characters, call in placed if not characters or character in characters)
        for character in starts
    }

    def dispatching_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        pos = state.bMarks[startLine] + state.tShift[startLine]
        if startLine == 0 or pos >= state.eMarks[startLine]:
            chain = everything
        else:
            chain = buckets.get(state.src[pos], anywhere)
        for rule in chain:  # noqa: SIM110 - a loop, not any() over a generator, on this hot path
            if rule(state, startLine, endLine, silent):
                return True
        return False

    return dispatching_rule


class DispatchingRuler(Ruler[_Rule]):
    """A block :class:`Ruler` whose ``getRules`` gives each chain as one rule trying only those that can start."""

    def __init__(self, stock: Ruler[_Rule]) -> None:
        super().__init__()
        self.__rules__ = stock.__rules__
        self.__cache__ = stock.__cache__
        self._chains: dict[str, tuple[list[_Rule], list[_Rule]]] = {}

    def getRules(self, chainName: str = "") -> list[_Rule]:
        rules = super().getRules(chainName)
        cached = self._chains.get(chainName)
        if cached is None or cached[0] is not rules:
            # (a changed configuration recompiles the stock cache into new lists)
            rule = _dispatching_chain(rules) if rules else None
            cached = (rules, rules if rule is None else [rule])
            self._chains[chainName] = cached
        return cached[1]


def dispatching_block(parser: MarkdownIt) -> None:
    """Give ``parser`` a :class:`DispatchingRuler` for its block rules (chains of unknown rules stay stock)."""
    parser.block.ruler = DispatchingRuler(parser.block.ruler)
