"""mwparserfromhell's parse tree, built faster: flat templates become lazy nodes.

Most of a wikitext reader's time went into mwparserfromhell's Python tree
builder, and most of the tree is citation templates whose parameters are plain
text (``{{cite news |last=Smith |url=https://… |title=…}}``).  The tokens come
from the same tokenizer (mwparserfromhell's C tokenizer); the builder here is
mwparserfromhell's own, except that a template whose tokens are only text,
parameter separators and bare URLs becomes a :class:`FlatTemplate`: a real
:class:`~mwparserfromhell.nodes.Template` (``isinstance`` holds, ``str()`` is
the exact source) that keeps its parameters as strings and builds its
``name``/``params`` Wikicode only when some code asks for them.

So every mwparserfromhell API still answers as before, and the reader's own
hot paths (:func:`template_name`, :func:`template_fields`,
:func:`positional_values`, :func:`templates_in`) read flat templates' strings
without building anything.  ``tests/unit/test_wikitext_tree.py`` checks that
the tree is the one ``mwparserfromhell.parse`` builds, node for node.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import Template
from mwparserfromhell.parser import tokens
from mwparserfromhell.parser.builder import Builder
from mwparserfromhell.wikicode import Wikicode

__all__ = [
    "FlatTemplate",
    "flat_plain",
    "parse_wikitext",
    "positional_values",
    "template_fields",
    "template_name",
    "templates_in",
]

# mwparserfromhell's builder and parser are untyped.
_BUILDER: Any = Builder
_PARSER: Any = mwparserfromhell.parser.Parser
_Text = tokens.Text
_Separator = tokens.TemplateParamSeparator
_Equals = tokens.TemplateParamEquals
_Close = tokens.TemplateClose
_LinkOpen = tokens.ExternalLinkOpen
_LinkClose = tokens.ExternalLinkClose


def flat_plain(value: str) -> str:
    """A flat value as ``_plain`` reads its Wikicode: text and bare URLs are their own text; whitespace collapsed.

    (``strip_code`` keeps a Text node's text and a bare link's URL; ``collapse`` only trims newlines and the
    whitespace collapse that follows makes that moot.)
    """
    return " ".join(value.split())


class FlatTemplate(Template):
    """A template whose parameters are plain text and bare URLs, its Wikicode built on first use.

    ``flat_name`` is the name as written; ``flat_params`` the ``(name, value, showkey)`` of each parameter
    as written (positional ones named ``"1"``, ``"2"`` … as mwparserfromhell names them).
    """

    def __init__(self, body: list[Any], name: str, params: list[tuple[str, str, bool]], source: str) -> None:
        # Deliberately no Template.__init__: name and params are built from ``body`` when first asked for.
        self._body: list[Any] | None = body
        self.flat_name = name
        self.flat_params = params
        self._source = source
        self.has_loose_ref = "<ref" in source.lower()
        self.reader_name: str | None = None  # template_name()'s answer, once asked

    @property
    def materialised(self) -> bool:
        return self._body is None

    def _materialise(self) -> None:
        if self._body is not None:
            built = _BUILDER().build([tokens.TemplateOpen(), *self._body, _Close()])
            template = built.nodes[0]
            self._name = template._name
            self._params = template._params
            self._body = None

    @property
    def name(self) -> Wikicode:
        self._materialise()
        return self._name

    @name.setter
    def name(self, value: Any) -> None:
        self._materialise()
        Template.name.fset(self, value)  # type: ignore[attr-defined]

    @property
    def params(self) -> list[Any]:
        self._materialise()
        return self._params

    def __str__(self) -> str:
        if self._body is not None:
            return self._source
        return super().__str__()


def _flat_template(stack: list[Any]) -> FlatTemplate | None:
    """The flat template whose tokens end ``stack`` (reversed, as the builder pops them), consumed; else None."""
    index = len(stack) - 1
    name_parts: list[str] = []
    while index >= 0 and type(stack[index]) is _Text:
        name_parts.append(stack[index]["text"])
        index -= 1
    if not name_parts or index < 0:
        return None
    params: list[tuple[str, str, bool]] = []
    source = ["{{", *name_parts]
    position = 1
    token_type = type(stack[index])
    while token_type is _Separator:
        index -= 1
        key: str | None = None
        parts: list[str] = []
        while index >= 0:
            token = stack[index]
            token_type = type(token)
            if token_type is _Text:
                parts.append(token["text"])
            elif token_type is _Equals and key is None:
                key = "".join(parts)
                parts = []
            elif token_type is _LinkOpen and not token.get("brackets"):
                # A bare URL: ExternalLinkOpen, its text, ExternalLinkClose.
                if index < 2 or type(stack[index - 1]) is not _Text or type(stack[index - 2]) is not _LinkClose:
                    return None
                parts.append(stack[index - 1]["text"])
                index -= 2
            else:
                break
            index -= 1
        else:
            return None
        value = "".join(parts)
        if key is None:
            params.append((str(position), value, False))
            position += 1
            source += ("|", value)
        else:
            params.append((key, value, True))
            source += ("|", key, "=", value)
    if token_type is not _Close:
        return None
    body = stack[index + 1 :]
    body.reverse()
    del stack[index:]
    source.append("}}")
    return FlatTemplate(body, "".join(name_parts), params, "".join(source))


class _FlatBuilder(_BUILDER):  # type: ignore[misc]
    """mwparserfromhell's builder, with flat templates as :class:`FlatTemplate` nodes."""

    def _handle_token(self, token: Any) -> Any:
        if type(token) is tokens.TemplateOpen:
            flat = _flat_template(self._tokens)
            if flat is not None:
                return flat
        return super()._handle_token(token)


def parse_wikitext(text: str) -> Wikicode:
    """The tree ``mwparserfromhell.parse(text)`` builds, with flat templates built lazily."""
    tokenizer = _PARSER()._tokenizer  # the C tokenizer when installed
    code: Wikicode = _FlatBuilder().build(tokenizer.tokenize(text, 0, False))
    return code


def template_name(template: Any) -> str:
    """A template's name as the reader compares names: markup stripped, ``_`` as space, whitespace collapsed, lower."""
    if type(template) is FlatTemplate and not template.materialised:
        if template.reader_name is None:  # asked once per template, then remembered
            template.reader_name = _compared_name(template.flat_name)
        return template.reader_name
    written = template.name.strip_code() if hasattr(template.name, "strip_code") else str(template.name)
    return _compared_name(str(written))


def _compared_name(written: str) -> str:
    return " ".join(written.replace("_", " ").split()).lower()


def template_fields(template: Any) -> dict[str, Any]:
    """Parameter name → value (a ``str`` for a flat template, else Wikicode); a repeated parameter keeps its last."""
    if type(template) is FlatTemplate and not template.materialised:
        return {name.strip(): value for name, value, _ in template.flat_params}
    return {str(parameter.name).strip(): parameter.value for parameter in template.params}


def positional_values(template: Any, plain: Any) -> list[str]:
    """The positional parameters' values as plain text (``plain`` renders Wikicode)."""
    if type(template) is FlatTemplate and not template.materialised:
        return [flat_plain(value) for _, value, showkey in template.flat_params if not showkey]
    return [plain(parameter.value) for parameter in template.params if not parameter.showkey]


def templates_in(code: Any) -> Iterator[Any]:
    """``code.filter_templates(recursive=True)``, without entering flat templates (they hold none)."""
    stack: list[Iterator[Any]] = [iter(code.nodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        if isinstance(node, Template):
            yield node
            if type(node) is FlatTemplate and not node.materialised:
                continue
        children = [child.nodes for child in node.__children__()]
        for nodes in reversed(children):
            stack.append(iter(nodes))
