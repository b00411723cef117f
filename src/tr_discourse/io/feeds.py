"""Blog exports in XML: Blogger Atom (classic and 2018 schema) and WordPress WXR.

Each post becomes one document whose text is rendered once at read time::

    Title

    First paragraph of the post.

    Second paragraph.

    Commenter, 2019-03-05 10:12:
    Comment text...

The title and each ``author, date:`` line are markup; post paragraphs are units
of kind ``post``, top-level comments ``comment`` and nested ones ``reply`` with
their parent (Blogger: the ``related`` link or ``blogger:inReplyTo``; WordPress:
``wp:comment_parent``). Comments are rendered in thread order (each comment
followed by its replies, oldest first). The speaker is the comment's author, or
its sign-off when the author is anonymous. HTML becomes plain text (paragraphs
separated by a blank line). Entries that are not posts, pages or comments
(settings, templates, attachments), drafts and unapproved comments are left out
and counted in a warning.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET

from .._model import ParsedDocument, TextBuilder, html_to_text
from ..errors import FormatError, FormatWarning
from .blogger import signoff_and_bare

__all__ = ["render_thread"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_THR = "{http://purl.org/syndication/thread/1.0}"
_BLOGGER18 = "{http://schemas.google.com/blogger/2018}"
_ANONYMOUS = {"", "anonymous", "unknown"}


@dataclass
class ThreadComment:
    """One comment of a thread, as an export gives it."""

    id: str
    parent: str | None
    author: str
    date: str | None
    text: str


def render_thread(
    *,
    doc_id: str,
    source: str,
    format: str,
    title: str | None,
    post_text: str,
    author: str | None,
    date: str | None,
    comments: list[ThreadComment],
) -> ParsedDocument:
    """Render a post and its comments into one document with units and markup."""
    b = TextBuilder()
    if title:
        b.markup(title, "title")
    paragraphs = [p for p in re.split(r"\n\s*\n", post_text) if p.strip()]
    for para in paragraphs:
        if b.text:
            b.plain("\n\n")
        b.unit(para.strip(), kind="post", speaker=author, date=date)
    by_parent: dict[str | None, list[ThreadComment]] = {}
    known = {c.id for c in comments}
    for c in comments:
        parent = c.parent if c.parent in known else None
        by_parent.setdefault(parent, []).append(c)
    for siblings in by_parent.values():
        siblings.sort(key=lambda c: (c.date or "", c.id))
    unit_of: dict[str, int] = {}
    n_found = 0

    def emit(c: ThreadComment, parent: str | None, number: str) -> None:
        nonlocal n_found
        text = c.text.strip()
        if not text:
            return
        if b.text:
            b.plain("\n\n")
        b.markup(f"{c.author or 'Anonymous'}, {c.date or 'undated'}:\n", "comment_header")
        signoff, bare = signoff_and_bare(text)
        speaker = c.author if c.author.strip().casefold() not in _ANONYMOUS else signoff
        unit_of[c.id] = len(b.units)
        b.unit(text, kind="reply" if parent else "comment", speaker=speaker,
               parent=unit_of.get(parent) if parent else None, date=c.date,
               meta={"comment_no": number, "bare_link": bare})
        n_found += 1
        for k, child in enumerate(by_parent.get(c.id, []), start=1):
            emit(child, c.id, f"{number}.{k}")

    for k, c in enumerate(by_parent.get(None, []), start=1):
        emit(c, None, str(k))
    meta = {"title": title, "date": date, "comments_found": n_found}
    return ParsedDocument(doc_id, b.text, "blog", format, source, b.units, b.markups, meta)


def _parse_xml(path: Path) -> Element:
    try:
        return SafeET.parse(str(path)).getroot()
    except ParseError as exc:
        line = exc.position[0] if hasattr(exc, "position") else None
        raise FormatError(f"not well-formed XML ({exc})", path=path, line=line) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: Element, name: str) -> Element | None:
    for child in elem:
        if _local(child.tag) == name:
            return child
    return None


def _text(elem: Element, name: str) -> str:
    child = _child(elem, name)
    return "" if child is None or child.text is None else child.text


def _trailing_id(value: str | None) -> str | None:
    if not value:
        return None
    m = re.search(r"(\d+)(?:\D*)$", value)
    return m.group(1) if m else None


def _blogger_kind(entry: Element) -> str:
    kind = _text(entry, "type")  # 2018 schema
    if kind:
        return kind.strip().lower()
    for cat in entry.findall(f"{_ATOM}category"):
        if cat.get("scheme", "").endswith("#kind"):
            return cat.get("term", "").rsplit("#", 1)[-1].lower()
    return "unknown"


def read_blogger_atom(path: Path) -> list[ParsedDocument]:
    """Read a Blogger export (Atom XML): one document per post or page."""
    root = _parse_xml(path)
    if _local(root.tag) != "feed":
        raise FormatError(
            f"a Blogger export is an Atom <feed>, found <{_local(root.tag)}>", path=path, line=1
        )
    posts: list[tuple[str, Element]] = []
    comments: dict[str, list[ThreadComment]] = {}
    skipped: Counter[str] = Counter()
    for entry in root.findall(f"{_ATOM}entry"):
        kind = _blogger_kind(entry)
        entry_id = _trailing_id(_text(entry, "id")) or ""
        status = _text(entry, "status").strip().upper()
        if status and status not in {"LIVE", "PUBLISHED"}:
            skipped[f"{kind} ({status.lower()})"] += 1
            continue
        if kind in {"post", "page"}:
            posts.append((entry_id, entry))
        elif kind == "comment":
            post_ref = _text(entry, "parent") or None
            parent = _text(entry, "inReplyTo") or None
            reply_to = entry.find(f"{_THR}in-reply-to")
            if post_ref is None and reply_to is not None:
                post_ref = reply_to.get("ref")
            for link in entry.findall(f"{_ATOM}link"):
                if link.get("rel") == "related":
                    parent = link.get("href")
            author = entry.find(f"{_ATOM}author")
            name = "" if author is None else _text(author, "name").strip()
            content = entry.find(f"{_ATOM}content")
            html = "" if content is None or content.text is None else content.text
            comments.setdefault(_trailing_id(post_ref) or "", []).append(
                ThreadComment(entry_id, _trailing_id(parent), name,
                              _iso(_text(entry, "published")), html_to_text(html))
            )
        else:
            skipped[kind] += 1
    docs = []
    for entry_id, entry in posts:
        slug = None
        filename = _text(entry, "filename")
        for link in entry.findall(f"{_ATOM}link"):
            if link.get("rel") == "alternate" and link.get("href"):
                filename = filename or re.sub(r"^https?://[^/]+", "", link.get("href", ""))
        if filename:
            slug = re.sub(r"\.html?$", "", filename).strip("/").replace("/", "-")
        content = entry.find(f"{_ATOM}content")
        html = "" if content is None or content.text is None else content.text
        author = entry.find(f"{_ATOM}author")
        docs.append(render_thread(
            doc_id=slug or f"post-{entry_id}", source=str(path), format="blogger-atom",
            title=_text(entry, "title").strip() or None, post_text=html_to_text(html),
            author=None if author is None else _text(author, "name").strip() or None,
            date=_iso(_text(entry, "published")), comments=comments.pop(entry_id, []),
        ))
    orphans = sum(len(v) for v in comments.values())
    if orphans:
        skipped["comment without its post"] += orphans
    _warn_skipped(path, skipped)
    return docs


def _autop(text: str) -> str:
    """WordPress stores paragraphs as blank lines, not <p>; mark them up first."""
    text = text.replace("\r\n", "\n")
    return "<p>" + re.sub(r"\n\s*\n", "</p><p>", text).replace("\n", "<br>") + "</p>"


def read_wxr(path: Path) -> list[ParsedDocument]:
    """Read a WordPress export (WXR): one document per published post or page."""
    root = _parse_xml(path)
    channel = _child(root, "channel")
    if _local(root.tag) != "rss" or channel is None:
        raise FormatError("a WordPress export is an <rss> with a <channel>", path=path, line=1)
    skipped: Counter[str] = Counter()
    docs = []
    for item in channel:
        if _local(item.tag) != "item":
            continue
        post_type = _text(item, "post_type").strip() or "post"
        status = _text(item, "status").strip() or "publish"
        if post_type not in {"post", "page"} or status != "publish":
            skipped[f"{post_type} ({status})"] += 1
            continue
        comments = []
        for c in item:
            if _local(c.tag) != "comment":
                continue
            if _text(c, "comment_approved").strip() not in {"1", "approve", "approved"}:
                skipped["unapproved comment"] += 1
                continue
            parent = _text(c, "comment_parent").strip()
            comments.append(ThreadComment(
                _text(c, "comment_id").strip(), None if parent in {"", "0"} else parent,
                _text(c, "comment_author").strip(), _iso(_text(c, "comment_date")),
                html_to_text(_autop(_text(c, "comment_content"))),
            ))
        post_id = _text(item, "post_id").strip()
        slug = _text(item, "post_name").strip() or f"post-{post_id}"
        docs.append(render_thread(
            doc_id=slug, source=str(path), format="wxr",
            title=_text(item, "title").strip() or None,
            post_text=html_to_text(_autop(_text(item, "encoded"))),
            author=_text(item, "creator").strip() or None,
            date=_iso(_text(item, "post_date")), comments=comments,
        ))
    _warn_skipped(path, skipped)
    return docs


def _iso(value: str) -> str | None:
    value = value.strip()
    if not value or value.startswith("0000"):
        return None
    return value.replace("T", " ")[:19]


def _warn_skipped(path: Path, skipped: Counter[str]) -> None:
    if skipped:
        what = ", ".join(f"{n} {k}" for k, n in sorted(skipped.items()))
        warnings.warn(f"{path}: left out entries that are not published content: {what}",
                      FormatWarning, stacklevel=3)


def looks_like_blogger_atom(head: str) -> bool:
    """Whether an XML file is an Atom feed."""
    return "<feed" in head and "http://www.w3.org/2005/Atom" in head


def looks_like_wxr(head: str) -> bool:
    """Whether an XML file is a WordPress export."""
    return "wordpress.org/export" in head
