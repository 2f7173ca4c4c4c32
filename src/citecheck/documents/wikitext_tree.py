"""mwparserfromhell's parse tree, built faster: flat templates become lazy nodes.

Most of a wikitext reader's time went into mwparserfromhell's Python tree
builder, and most of the tree is citation templates whose parameters are plain
text (``{{cite news |last=Smith |url=https://… |title=…}}``).  The tokens come
from the same tokenizer (mwparserfromhell's C tokenizer); the builder here
(:func:`build_tree`) follows mwparserfromhell's builder rule for rule but sets
each node's attributes directly (mwparserfromhell's own builder takes over for
any stream it does not expect), and a template whose tokens are only text,
parameter separators and bare URLs becomes a :class:`FlatTemplate`: a real
:class:`~mwparserfromhell.nodes.Template` (``isinstance`` holds, ``str()`` is
the exact source) that keeps its parameters as strings and builds its
``name``/``params`` Wikicode only when some code asks for them.

So every mwparserfromhell API still answers as before, and the reader's own
hot paths (:func:`template_name`, :func:`template_fields`,
:func:`positional_values`, :func:`templates_in`) read flat templates' strings
without building anything.  ``tests/unit/test_wikitext_tree.py`` checks that
the tree is the one ``mwparserfromhell.parse`` builds, node for node.
:class:`SourceCache` gives ``str()`` of the tree's nodes, each made once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import Argument, Comment, ExternalLink, Heading, HTMLEntity, Tag, Template, Text, Wikilink
from mwparserfromhell.nodes.extras import Attribute, Parameter
from mwparserfromhell.parser import tokens
from mwparserfromhell.parser.builder import Builder
from mwparserfromhell.smart_list import SmartList as _SmartList
from mwparserfromhell.wikicode import Wikicode

__all__ = [
    "FlatTemplate",
    "FlatValue",
    "SourceCache",
    "build_tree",
    "external_links_in",
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
_WikilinkOpen = tokens.WikilinkOpen
_WikilinkSeparator = tokens.WikilinkSeparator
_WikilinkClose = tokens.WikilinkClose
_EntityStart = tokens.HTMLEntityStart
_EntityNumeric = tokens.HTMLEntityNumeric
_EntityHex = tokens.HTMLEntityHex
_EntityEnd = tokens.HTMLEntityEnd


class FlatValue(str):
    """A flat parameter's value as written that holds wikilinks or entities, with its plain text.

    ``plain`` is what ``_plain`` makes of the value's Wikicode: ``strip_code(normalize=True, collapse=True)``
    (a wikilink's text or else its title, newlines trimmed; an entity decoded), whitespace collapsed.
    """

    plain: str

    def __new__(cls, written: str, plain: str) -> FlatValue:
        value = super().__new__(cls, written)
        value.plain = plain
        return value


def flat_plain(value: str) -> str:
    """A flat value as ``_plain`` reads its Wikicode: text and bare URLs are their own text; whitespace collapsed.

    (``strip_code`` keeps a Text node's text and a bare link's URL; ``collapse`` only trims newlines and the
    whitespace collapse that follows makes that moot.)  A :class:`FlatValue` carries its plain text.
    """
    if type(value) is FlatValue:
        return value.plain
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
    read = _read_flat(stack, len(stack) - 1, -1)
    if read is None:
        return None
    name, params, source, close = read
    body = stack[close + 1 :]
    body.reverse()
    del stack[close:]
    return FlatTemplate(body, name, params, source)


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
    return build_tree(_TOKENIZER.tokenize(text, 0, False))[0]


_TOKENIZER: Any = _PARSER()._tokenizer  # the C tokenizer when installed (it keeps no state between calls)


def build_tree(token_list: list[Any]) -> tuple[Wikicode, bool]:
    """The tree of ``token_list`` and whether the direct builder built it (else mwparserfromhell's builder did).

    The direct builder (:class:`_DirectBuilder`) makes the nodes mwparserfromhell's builder makes, attribute
    for attribute, without its per-node ``parse_anything`` round trips; on any token sequence it does not
    expect (an unbalanced stream, a token it has no rule for) it gives up and mwparserfromhell's own builder
    (with flat templates) builds the tree from the same, untouched token list, so errors are its errors.
    """
    try:
        return _DirectBuilder(token_list).build(), True
    except Exception:  # any surprise: mwparserfromhell's builder decides
        code: Wikicode = _FlatBuilder().build(list(token_list))
        return code, False


_new = object.__new__
SmartList: Any = _SmartList  # (untyped)
_TextNode: Any = Text
_TemplateNode: Any = Template
_ParameterNode: Any = Parameter
_TagNode: Any = Tag
_WikilinkNode: Any = Wikilink
_ExternalLinkNode: Any = ExternalLink
_HeadingNode: Any = Heading
_ArgumentNode: Any = Argument
_AttributeNode: Any = Attribute


class _Unbuildable(Exception):
    """A token sequence the direct builder does not build (mwparserfromhell's builder then does)."""


_list_new = list.__new__
_list_init = list.__init__


def _code(nodes: list[Any]) -> Wikicode:
    code: Any = _new(Wikicode)
    # SmartList(nodes), without its Python-level __new__: the list, its (empty) children, its items.
    smart = _list_new(SmartList)
    smart._children = {}
    _list_init(smart, nodes)
    code._nodes = smart
    return code  # type: ignore[no-any-return]


def _text(value: str) -> Any:
    node = _new(_TextNode)
    node._value = value
    return node


_TEMPLATE_STOPS = frozenset({_Separator, _Close})
_PARAMETER_STOPS = frozenset({_Equals, _Separator, _Close})
_ARGUMENT_STOPS = frozenset({tokens.ArgumentSeparator, tokens.ArgumentClose})
_WIKILINK_STOPS = frozenset({tokens.WikilinkSeparator, tokens.WikilinkClose})
_EXTERNAL_STOPS = frozenset({tokens.ExternalLinkSeparator, _LinkClose})
_HEADING_STOPS = frozenset({tokens.HeadingEnd})
_COMMENT_STOPS = frozenset({tokens.CommentEnd})
_ATTRIBUTE_STOPS = frozenset(
    {tokens.TagAttrEquals, tokens.TagAttrQuote, tokens.TagAttrStart, tokens.TagCloseOpen, tokens.TagCloseSelfclose}
)
_TAG_STOPS = frozenset(
    {tokens.TagAttrStart, tokens.TagCloseOpen, tokens.TagOpenClose, tokens.TagCloseSelfclose, tokens.TagCloseClose}
)
_NO_STOPS: frozenset[Any] = frozenset()


class _DirectBuilder:
    """mwparserfromhell's :class:`~mwparserfromhell.parser.builder.Builder`, rule for rule, reading forward.

    Each node is made as the node's constructor makes it from the Wikicode the builder hands it (the
    private attributes its setters fill, in their order); flat templates become :class:`FlatTemplate`.
    ``tests/unit/test_wikitext_tree.py`` compares the trees attribute by attribute.
    """

    __slots__ = ("end", "position", "tokens")

    def __init__(self, token_list: list[Any]) -> None:
        self.tokens = token_list
        self.position = 0
        self.end = len(token_list)

    def build(self) -> Wikicode:
        nodes = self.nodes_until(_NO_STOPS)
        if self.position != self.end:
            raise _Unbuildable("a close token at top level")
        return _code(nodes)

    def nodes_until(self, stops: frozenset[Any]) -> list[Any]:
        """Nodes up to the next token of a type in ``stops`` (left unread); at the end only when ``stops`` is empty."""
        token_list = self.tokens
        index = self.position
        end = self.end
        nodes: list[Any] = []
        append = nodes.append
        while index < end:
            token = token_list[index]
            token_type = type(token)
            if token_type is _Text:
                node = _new(_TextNode)
                node._value = token["text"]
                append(node)
                index += 1
                continue
            if token_type in stops:
                self.position = index
                return nodes
            handler = _HANDLERS.get(token_type)
            if handler is None:
                raise _Unbuildable(token_type.__name__)
            self.position = index + 1
            append(handler(self, token))
            index = self.position
        self.position = index
        if stops:
            raise _Unbuildable("missed a close token")
        return nodes

    def text_until(self, stops: frozenset[Any]) -> list[Any]:
        """:meth:`nodes_until`, answering its commonest case in a tag (one text, then a stop) itself."""
        index = self.position
        token_list = self.tokens
        if index + 1 < self.end and type(token_list[index]) is _Text and type(token_list[index + 1]) in stops:
            node = _new(_TextNode)
            node._value = token_list[index]["text"]
            self.position = index + 1
            return [node]
        return self.nodes_until(stops)

    def next_token(self) -> Any:
        if self.position >= self.end:
            raise _Unbuildable("ran out of tokens")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def template(self, _: Any) -> Any:
        flat = _flat_template_at(self.tokens, self.position)
        if flat is not None:
            self.position = flat[1]
            return flat[0]
        name = _code(self.nodes_until(_TEMPLATE_STOPS))
        params: list[Any] = []
        default = 1
        while type(self.next_token()) is not _Close:
            parameter = self.parameter(default)
            params.append(parameter)
            if not parameter._showkey:
                default += 1
        template = _new(_TemplateNode)
        template._name = name
        template._params = params
        return template

    def parameter(self, default: int) -> Any:
        key: Wikicode | None = None
        showkey = False
        nodes = self.nodes_until(_PARAMETER_STOPS)
        while type(self.tokens[self.position]) is _Equals:
            key = _code(nodes)
            showkey = True
            self.position += 1
            nodes = self.nodes_until(_PARAMETER_STOPS)
        value = _code(nodes)
        if key is None:
            key = _code([_text(str(default))])
        parameter = _new(_ParameterNode)
        parameter._name = key
        parameter._value = value
        parameter._showkey = showkey
        return parameter

    def argument(self, _: Any) -> Any:
        name: Wikicode | None = None
        nodes = self.nodes_until(_ARGUMENT_STOPS)
        while type(self.next_token()) is tokens.ArgumentSeparator:
            name = _code(nodes)
            nodes = self.nodes_until(_ARGUMENT_STOPS)
        if name is not None:
            return Argument(name, _code(nodes))
        return Argument(_code(nodes))

    def wikilink(self, _: Any) -> Any:
        token_list, index = self.tokens, self.position
        if index + 1 < self.end and type(token_list[index]) is _Text:
            # The common shapes, [[title]] and [[title|text]] of one text each, built without the general loop.
            follower = type(token_list[index + 1])
            if follower is _WikilinkClose:
                link = _new(_WikilinkNode)
                link._title = _code([_text(token_list[index]["text"])])
                link._text = None
                self.position = index + 2
                return link
            if (
                follower is _WikilinkSeparator
                and index + 3 < self.end
                and type(token_list[index + 2]) is _Text
                and type(token_list[index + 3]) is _WikilinkClose
            ):
                link = _new(_WikilinkNode)
                link._title = _code([_text(token_list[index]["text"])])
                link._text = _code([_text(token_list[index + 2]["text"])])
                self.position = index + 4
                return link
        title: Wikicode | None = None
        nodes = self.nodes_until(_WIKILINK_STOPS)
        while type(self.next_token()) is tokens.WikilinkSeparator:
            title = _code(nodes)
            nodes = self.nodes_until(_WIKILINK_STOPS)
        link = _new(_WikilinkNode)
        if title is not None:
            link._title = title
            link._text = _code(nodes)
        else:
            link._title = _code(nodes)
            link._text = None
        return link

    def external_link(self, opening: Any) -> Any:
        brackets = opening.get("brackets")
        token_list, index = self.tokens, self.position
        if index + 1 < self.end and type(token_list[index]) is _Text and type(token_list[index + 1]) is _LinkClose:
            # A URL alone (bare, or [url]), built without the general loop.
            link = _new(_ExternalLinkNode)
            link._url = _code([_text(token_list[index]["text"])])
            link._title = None
            link._brackets = bool(brackets)
            link.suppress_space = False
            self.position = index + 2
            return link
        url: Wikicode | None = None
        suppress_space = None
        nodes = self.nodes_until(_EXTERNAL_STOPS)
        while True:
            token = self.next_token()
            if type(token) is not tokens.ExternalLinkSeparator:
                break
            url = _code(nodes)
            suppress_space = token.get("suppress_space")
            nodes = self.nodes_until(_EXTERNAL_STOPS)
        link = _new(_ExternalLinkNode)
        if url is not None:
            link._url = url
            link._title = _code(nodes)
        else:
            link._url = _code(nodes)
            link._title = None
        link._brackets = bool(brackets)
        link.suppress_space = suppress_space is True
        return link

    def entity(self, _: Any) -> Any:
        token = self.next_token()
        if type(token) is tokens.HTMLEntityNumeric:
            token = self.next_token()
            if type(token) is tokens.HTMLEntityHex:
                text = self.next_token()
                self.next_token()  # HTMLEntityEnd
                return HTMLEntity(text.get("text"), named=False, hexadecimal=True, hex_char=token.get("char"))
            self.next_token()
            return HTMLEntity(token.get("text"), named=False, hexadecimal=False)
        self.next_token()
        return HTMLEntity(token.get("text"), named=True, hexadecimal=False)

    def heading(self, opening: Any) -> Any:
        title = _code(self.nodes_until(_HEADING_STOPS))
        self.position += 1
        return Heading(title, opening.get("level"))

    def comment(self, _: Any) -> Any:
        contents = _code(self.nodes_until(_COMMENT_STOPS))
        self.position += 1
        return Comment(contents)

    def attribute(self, start: Any) -> Any:
        name: Any = None
        quotes = None
        nodes = self.nodes_until(_ATTRIBUTE_STOPS)
        while True:
            token = self.tokens[self.position]
            token_type = type(token)
            if token_type is tokens.TagAttrEquals:
                name = _code(nodes)
                self.position += 1
                nodes = self.nodes_until(_ATTRIBUTE_STOPS)
            elif token_type is tokens.TagAttrQuote:
                quotes = token.get("char")
                self.position += 1
                nodes += self.nodes_until(_ATTRIBUTE_STOPS)
            else:  # TagAttrStart, TagCloseOpen, TagCloseSelfclose: left for the tag
                if name:
                    value = _code(nodes)
                else:
                    name, value = _code(nodes), None
                return _attribute(
                    name, value, quotes, start.get("pad_first"), start.get("pad_before_eq"), start.get("pad_after_eq")
                )

    def tag(self, opening: Any) -> Any:
        tag: Wikicode | None = None
        padding = None
        implicit, attrs, contents, closing_tag = False, [], None, None
        wiki_markup, invalid = opening.get("wiki_markup"), opening.get("invalid") or False
        wiki_style_separator, closing_wiki_markup = None, wiki_markup
        nodes = self.text_until(_TAG_STOPS)
        while True:
            token = self.next_token()
            token_type = type(token)
            if token_type is tokens.TagAttrStart:
                attrs.append(self.attribute(token))
                nodes += self.nodes_until(_TAG_STOPS)
            elif token_type is tokens.TagCloseOpen:
                wiki_style_separator = token.get("wiki_markup")
                padding = token.get("padding") or ""
                tag = _code(nodes)
                nodes = self.text_until(_TAG_STOPS)
            elif token_type is tokens.TagOpenClose:
                closing_wiki_markup = token.get("wiki_markup")
                contents = _code(nodes)
                nodes = self.text_until(_TAG_STOPS)
            else:
                if token_type is tokens.TagCloseSelfclose:
                    closing_wiki_markup = token.get("wiki_markup")
                    tag = _code(nodes)
                    self_closing = True
                    padding = token.get("padding") or ""
                    implicit = token.get("implicit") or False
                else:
                    self_closing = False
                    closing_tag = _code(nodes)
                break
        if tag is None or padding is None:
            raise _Unbuildable("a tag without its name")
        node = _new(_TagNode)
        # As Tag.__init__'s setters fill them, in their order.
        node._tag = node._closing_tag = tag
        node._contents = contents if contents is not None else _code([])
        node._attrs = attrs if attrs else []
        node._closing_wiki_markup = None
        node._wiki_markup = str(wiki_markup) if wiki_markup else None
        node._closing_wiki_markup = node._wiki_markup
        node._self_closing = bool(self_closing)
        node._invalid = bool(invalid)
        node._implicit = bool(implicit)
        if not padding:
            node._padding = ""
        else:
            padding = str(padding)
            if not padding.isspace():
                raise _Unbuildable("padding must be entirely whitespace")
            node._padding = padding
        if closing_tag is not None:
            node._closing_tag = closing_tag
        node._wiki_style_separator = str(wiki_style_separator) if wiki_style_separator else None
        if closing_wiki_markup is not None:
            node._closing_wiki_markup = str(closing_wiki_markup) if closing_wiki_markup else None
        return node


def _needed_quotes(value: Wikicode | None) -> str | None:
    """``Attribute._value_needs_quotes(value)``: the quotes a value with whitespace in its top-level text needs.

    (Its ``if not value`` test, ``str(value)`` empty, only ever leaves the top-level text empty too, which
    needs no quotes either.)
    """
    if value is None:
        return None
    text = "".join([node._value for node in value._nodes if isinstance(node, _TextNode)])
    if not any(char.isspace() for char in text):
        return None
    if "'" in text and '"' not in text:
        return '"'
    if '"' in text and "'" not in text:
        return "'"
    return "\"'"


def _padding(value: Any) -> str:
    """``Attribute._set_padding``'s value: empty, or whitespace only."""
    if not value:
        return ""
    value = str(value)
    if not value.isspace():
        raise _Unbuildable("padding must be entirely whitespace")
    return value  # type: ignore[no-any-return]


def _attribute(name: Wikicode, value: Wikicode | None, quotes: Any, *paddings: Any) -> Any:
    """``Attribute(name, value, quotes, pad_first, pad_before_eq, pad_after_eq)``: its setters, in their order.

    Where those raise ``ValueError`` this raises :class:`_Unbuildable`, so mwparserfromhell's builder builds the
    tree and raises the same error.
    """
    needed = _needed_quotes(value)
    node = _new(_AttributeNode)
    node._name = name
    # the value setter: quotes None so far, so any needed quotes are taken
    node._quotes = needed[0] if needed else None
    node._value = value
    coerced = str(quotes) if quotes else None
    if coerced not in (None, '"', "'") or (not coerced and needed):
        raise _Unbuildable("attribute quotes")
    node._quotes = coerced
    node._pad_first, node._pad_before_eq, node._pad_after_eq = (_padding(padding) for padding in paddings)
    return node


_HANDLERS: dict[Any, Any] = {
    tokens.TemplateOpen: _DirectBuilder.template,
    tokens.ArgumentOpen: _DirectBuilder.argument,
    tokens.WikilinkOpen: _DirectBuilder.wikilink,
    tokens.ExternalLinkOpen: _DirectBuilder.external_link,
    tokens.HTMLEntityStart: _DirectBuilder.entity,
    tokens.HeadingStart: _DirectBuilder.heading,
    tokens.CommentStart: _DirectBuilder.comment,
    tokens.TagOpenOpen: _DirectBuilder.tag,
}


def _flat_template_at(token_list: list[Any], start: int) -> tuple[FlatTemplate, int] | None:
    """The flat template whose tokens start at ``start`` (just after its ``{{``) and where it ends; else None."""
    read = _read_flat(token_list, start, 1)
    if read is None:
        return None
    name, params, source, close = read
    return FlatTemplate(token_list[start:close], name, params, source), close + 1


def _read_flat(
    token_list: list[Any], start: int, step: int
) -> tuple[str, list[tuple[str, str, bool]], str, int] | None:
    """A flat template's name, parameters, source and the index of its ``}}``, read from ``start`` by ``step``.

    ``step`` 1 reads a token list forward (the direct builder); -1 reads mwparserfromhell's builder's
    reversed stack.  None when the tokens are not a flat template: only text, parameter separators, bare
    URLs, text-only wikilinks and entities (a value holding wikilinks or entities is a :class:`FlatValue`).
    """
    end = len(token_list)
    index = start
    name_parts: list[str] = []
    while 0 <= index < end and type(token_list[index]) is _Text:
        name_parts.append(token_list[index]["text"])
        index += step
    if not name_parts or not 0 <= index < end:
        return None
    params: list[tuple[str, str, bool]] = []
    source = ["{{", *name_parts]
    position = 1
    token_type = type(token_list[index])
    while token_type is _Separator:
        index += step
        key: str | None = None
        parts: list[str] = []
        shown: list[str] | None = None  # the value's plain pieces, once it holds a wikilink or an entity
        while 0 <= index < end:
            token = token_list[index]
            token_type = type(token)
            if token_type is _Text:
                parts.append(token["text"])
                if shown is not None:
                    shown.append(token["text"])
            elif token_type is _Equals and key is None:
                if shown is not None:
                    return None  # a parameter name with markup in it
                key = "".join(parts)
                parts = []
            elif token_type is _LinkOpen and not token.get("brackets"):
                # A bare URL: ExternalLinkOpen, its text, ExternalLinkClose (its plain text is its URL).
                after = index + 2 * step
                if (
                    not 0 <= after < end
                    or type(token_list[index + step]) is not _Text
                    or type(token_list[after]) is not _LinkClose
                ):
                    return None
                parts.append(token_list[index + step]["text"])
                if shown is not None:
                    shown.append(token_list[index + step]["text"])
                index = after
            elif token_type is _WikilinkOpen or token_type is _EntityStart:
                markup = _flat_markup(token_list, index, step, end)
                if markup is None:
                    return None
                written, plain, index = markup
                if shown is None:
                    shown = list(parts)  # text and bare URLs so far: their own plain text
                parts.append(written)
                shown.append(plain)
            else:
                break
            index += step
        else:
            return None
        value = "".join(parts)
        if shown is not None:
            value = FlatValue(value, " ".join("".join(shown).split()))
        if key is None:
            params.append((str(position), value, False))
            position += 1
            source += ("|", value)
        else:
            params.append((key, value, True))
            source += ("|", key, "=", value)
    if token_type is not _Close:
        return None
    source.append("}}")
    return "".join(name_parts), params, "".join(source), index


def _flat_markup(token_list: list[Any], index: int, step: int, end: int) -> tuple[str, str, int] | None:
    """A text-only wikilink or an entity opening at ``index``: its source, its plain text (as ``strip_code``
    renders it) and the index of its last token; else None."""
    tokens_read: list[Any] = []
    while True:
        index += step
        if not 0 <= index < end:
            return None
        token = token_list[index]
        token_type = type(token)
        if token_type is _WikilinkClose or token_type is _EntityEnd:
            break
        tokens_read.append(token)
        if len(tokens_read) > 3:
            return None
    kinds = [type(token) for token in tokens_read]
    if token_type is _WikilinkClose:
        if kinds == [_Text]:
            title = tokens_read[0]["text"]
            # Wikilink.__strip__: the title's strip_code (its text, newlines trimmed)
            return "[[" + title + "]]", title.strip("\n"), index
        if kinds == [_Text, _WikilinkSeparator, _Text]:
            title, text = tokens_read[0]["text"], tokens_read[2]["text"]
            return "[[" + title + "|" + text + "]]", text.strip("\n"), index
        return None
    try:  # as the direct builder makes the entity
        if kinds == [_Text]:
            entity = HTMLEntity(tokens_read[0].get("text"), named=True, hexadecimal=False)
        elif kinds == [_EntityNumeric, _Text]:
            entity = HTMLEntity(tokens_read[1].get("text"), named=False, hexadecimal=False)
        elif kinds == [_EntityNumeric, _EntityHex, _Text]:
            entity = HTMLEntity(
                tokens_read[2].get("text"), named=False, hexadecimal=True, hex_char=tokens_read[1].get("char")
            )
        else:
            return None
        return str(entity), entity.normalize(), index
    except Exception:  # (an entity its constructor refuses: the ordinary builders raise its error)
        return None


def template_name(template: Any) -> str:
    """A template's name as the reader compares names: markup stripped, ``_`` as space, whitespace collapsed, lower."""
    if type(template) is FlatTemplate and template._body is not None:
        if template.reader_name is None:  # asked once per template, then remembered
            template.reader_name = _compared_name(template.flat_name)
        return template.reader_name
    written = template.name.strip_code() if hasattr(template.name, "strip_code") else str(template.name)
    return _compared_name(str(written))


def _compared_name(written: str) -> str:
    return " ".join(written.replace("_", " ").split()).lower()


def template_fields(template: Any) -> dict[str, Any]:
    """Parameter name → value (a ``str`` for a flat template, else Wikicode); a repeated parameter keeps its last."""
    if type(template) is FlatTemplate and template._body is not None:
        return {name.strip(): value for name, value, _ in template.flat_params}
    return {str(parameter.name).strip(): parameter.value for parameter in template.params}


def positional_values(template: Any, plain: Any) -> list[str]:
    """The positional parameters' values as plain text (``plain`` renders Wikicode)."""
    if type(template) is FlatTemplate and template._body is not None:
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
        if type(node) is _TextNode:  # (most nodes: no children, not a template)
            continue
        if isinstance(node, Template):
            yield node
            if type(node) is FlatTemplate and node._body is not None:
                continue
        children = [child.nodes for child in node.__children__()]
        for nodes in reversed(children):
            stack.append(iter(nodes))


def external_links_in(code: Any) -> list[tuple[str, Any]]:
    """``(str(link.url), link.title)`` of each link ``code.filter_external_links(recursive=True)`` yields, in its order.

    The same pre-order walk (a node, then each Wikicode its ``__children__`` yields, node by node), without
    mwparserfromhell's nested generators; a flat template is not built: its bare URLs (its only links) are read
    from its tokens, in source order, the order of the children ``__children__`` would yield.
    """
    found: list[tuple[str, Any]] = []
    stack: list[Iterator[Any]] = [iter(code.nodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        node_type = type(node)
        if node_type is _TextNode:
            continue
        if node_type is FlatTemplate and node._body is not None:
            body = node._body
            for index, token in enumerate(body):
                if type(token) is _LinkOpen and not token.get("brackets"):
                    found.append((body[index + 1]["text"], None))
            continue
        if isinstance(node, ExternalLink):
            found.append((str(node.url), node.title))
        children = [child.nodes for child in node.__children__()]
        for nodes in reversed(children):
            stack.append(iter(nodes))
    return found


class SourceCache:
    """``str()`` of the nodes and Wikicodes of one tree, each made once.

    ``str(node)`` rebuilds the node's whole subtree, and a walk that asks it of a node and then of each of
    its children, level by level, serialises deep content once per level.  Here each Wikicode and node is
    serialised from its children's cached text, by the rules of mwparserfromhell's own ``__str__`` methods
    for the exact node classes (any other class, and leaves such as entities and comments, by ``str()``).
    Entries hold their object, so an id is never reused while the cache lives; the tree must not be edited
    while it is in use (the reader never edits it).  ``tests/unit/test_wikitext_tree.py`` checks every
    Wikicode and node of real, mutated and generated articles against ``str()``.
    """

    __slots__ = ("_memo",)

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, str]] = {}

    def code(self, code: Any) -> str:
        """``str(code)`` of a Wikicode."""
        if type(code) is Wikicode:
            nodes: list[Any] = code._nodes
            if len(nodes) == 1:
                (node,) = nodes  # (unpacked: SmartList's own indexing is Python code)
                if type(node) is _TextNode:  # one text node is its own text: nothing to keep
                    return node._value  # type: ignore[no-any-return]
        entry = self._memo.get(id(code))
        if entry is not None and entry[0] is code:
            return entry[1]
        if type(code) is not Wikicode:
            text = str(code)
        else:
            node_source = self.node
            text = "".join([node_source(node) for node in code._nodes])
        self._memo[id(code)] = (code, text)
        return text

    def node(self, node: Any) -> str:
        """``str(node)`` of a node."""
        node_type = type(node)
        if node_type is _TextNode:
            return node._value  # type: ignore[no-any-return]
        if node_type is FlatTemplate and node._body is not None:
            return node._source  # type: ignore[no-any-return]
        entry = self._memo.get(id(node))
        if entry is not None and entry[0] is node:
            return entry[1]
        code = self.code
        text: str
        if node_type is _TagNode:
            text = self._tag(node)
        elif node_type is _WikilinkNode:
            title = code(node._title)
            text = "[[" + title + "|" + code(node._text) + "]]" if node._text is not None else "[[" + title + "]]"
        elif node_type is _TemplateNode or node_type is FlatTemplate:
            name = code(node._name)
            if node._params:
                params = "|".join([self.parameter(parameter) for parameter in node._params])
                text = "{{" + name + "|" + params + "}}"
            else:
                text = "{{" + name + "}}"
        elif node_type is _ExternalLinkNode:
            url = code(node._url)
            if node._brackets:
                if node._title is not None:
                    separator = "" if node.suppress_space is True else " "
                    text = "[" + url + separator + code(node._title) + "]"
                else:
                    text = "[" + url + "]"
            else:
                text = url
        elif node_type is _HeadingNode:
            marks = "=" * node._level
            text = marks + code(node._title) + marks
        elif node_type is _ArgumentNode:
            start = "{{{" + code(node._name)
            text = start + "|" + code(node._default) + "}}}" if node._default is not None else start + "}}}"
        else:  # entities, comments, other node classes
            text = str(node)
        self._memo[id(node)] = (node, text)
        return text

    def parameter(self, parameter: Any) -> str:
        if type(parameter) is not _ParameterNode:
            return str(parameter)
        if parameter._showkey:
            return self.code(parameter._name) + "=" + self.code(parameter._value)
        return self.code(parameter._value)

    def _tag(self, node: Any) -> str:
        attributes = node._attrs
        wiki_markup = node._wiki_markup
        if wiki_markup:
            attrs = "".join([str(attribute) for attribute in attributes]) if attributes else ""
            padding = node._padding or ""
            separator = node._wiki_style_separator or ""
            if node._self_closing:
                return wiki_markup + attrs + padding + separator  # type: ignore[no-any-return]
            close = node._closing_wiki_markup or ""
            return wiki_markup + attrs + padding + separator + self.code(node._contents) + close  # type: ignore[no-any-return]
        result = ("</" if node._invalid else "<") + self.code(node._tag)
        if attributes:
            result += "".join([str(attribute) for attribute in attributes])
        if node._self_closing:
            result += node._padding + (">" if node._implicit else "/>")
        else:
            result += node._padding + ">" + self.code(node._contents)
            result += "</" + self.code(node._closing_tag) + ">"
        return result  # type: ignore[no-any-return]
