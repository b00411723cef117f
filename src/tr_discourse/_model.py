"""What a reader returns: a document's raw text, its structural units and its markup.

A reader never edits the raw text. It marks which stretches are *units* (a speaker
turn, a blog comment, a paragraph of a post) and which are *markup* that coders
should not see (speaker labels, timestamps, button labels, indentation). A
segment's text is always the raw text between its offsets with the markup inside
deleted (:func:`tr_discourse._text.strip_spans`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Markup", "ParsedDocument", "TextBuilder", "Unit", "sort_units"]


@dataclass(frozen=True, slots=True)
class Unit:
    """A structural unit of a document: a turn, a comment, a post paragraph.

    ``start``/``end`` are offsets into the raw text of the first and one past the
    last content character. ``parent`` is the index of the unit this one replies to.
    """

    start: int
    end: int
    kind: str
    speaker: str | None = None
    role: str | None = None
    parent: int | None = None
    date: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Markup:
    """A stretch of raw text removed from what coders see, with its category."""

    start: int
    end: int
    category: str


@dataclass(slots=True)
class ParsedDocument:
    """A document as a reader returns it.

    ``meta`` holds what the reader found (``title``, ``date``, comment counts);
    ``attributes`` holds the user's metadata columns, which travel into every
    segment of the document.
    """

    doc_id: str
    text: str
    genre: str
    format: str
    source: str
    units: list[Unit]
    markup: list[Markup]
    meta: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.markup.sort(key=lambda m: m.start)


def sort_units(units: list[Unit]) -> list[Unit]:
    """Sort units by offset, keeping each ``parent`` pointing at the same unit."""
    order = sorted(range(len(units)), key=lambda k: units[k].start)
    new_index = {old: new for new, old in enumerate(order)}
    out = []
    for k in order:
        u = units[k]
        if u.parent is not None:
            u = replace(u, parent=new_index[u.parent])
        out.append(u)
    return out


class TextBuilder:
    """Build a rendered document text piece by piece, recording units and markup.

    Used by readers of structured sources (XML exports, Word files, tables) whose
    document text is rendered once at read time and never changed afterwards.

    Examples
    --------
    >>> b = TextBuilder()
    >>> _ = b.markup("Title", "title"); _ = b.markup("\\n\\n", "layout")
    >>> b.unit("Some text.", kind="post").start
    7
    >>> b.text
    'Title\\n\\nSome text.'

    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.units: list[Unit] = []
        self.markups: list[Markup] = []

    @property
    def text(self) -> str:
        """The text built so far."""
        return "".join(self._parts)

    def _append(self, s: str) -> tuple[int, int]:
        start = self._len
        self._parts.append(s)
        self._len += len(s)
        return start, self._len

    def plain(self, s: str) -> None:
        """Append text that belongs to no unit (whitespace between units)."""
        self._append(s)

    def markup(self, s: str, category: str) -> Markup:
        """Append text recorded as markup."""
        start, end = self._append(s)
        m = Markup(start, end, category)
        if s:
            self.markups.append(m)
        return m

    def unit(self, s: str, **fields: Any) -> Unit:
        """Append text recorded as one unit."""
        start, end = self._append(s)
        u = Unit(start, end, **fields)
        self.units.append(u)
        return u


_BLOCK_TAGS = {"p", "div", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
               "pre", "table", "tr"}


def html_to_text(html: str) -> str:
    """Convert the simple HTML of blog posts and comments to plain text.

    Block elements and ``<br><br>`` become paragraph breaks (a blank line), a
    single ``<br>`` a line break; entities are unescaped; links keep their text.

    Examples
    --------
    >>> html_to_text("<p>One &amp; two.</p><p>Three<br/>four</p>")
    'One & two.\\n\\nThree\\nfour'

    """
    from html.parser import HTMLParser

    class _Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "br":
                self.out.append("\n")
            elif tag in _BLOCK_TAGS:
                self.out.append("\n\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in _BLOCK_TAGS:
                self.out.append("\n\n")

        def handle_data(self, data: str) -> None:
            self.out.append(re.sub(r"[ \t\r\n]+", " ", data))

    parser = _Parser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
