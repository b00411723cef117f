"""The plain-text copy of a Blogger page: a post and its numbered comment thread.

Layout (see DOMAIN.md)::

    Tuesday, 5 March 2019          <- date line (markup ``date_line``)
    Another Week In Probation      <- title (markup ``title``)
    The post's paragraphs...       <- units of kind ``post``
    3 comments:                    <- markup ``comment_count``; counts comments and replies
      1. A comment...              <- unit of kind ``comment``; "1. " is markup ``comment_number``
        ReplyDelete                <- button labels are markup ``button_label``
        Replies
        1. A reply...              <- unit of kind ``reply`` whose parent is comment 1
          - Old Lag                <- a sign-off: kept in the text, taken as the speaker

Indentation inside a comment is markup ``indent``. Comment numbers are told from
numbered lists inside a comment by their indentation and by the expected next
number. A comment whose text (sign-off aside) is only links is flagged
``bare_link``. A comment whose first line is ``Name 5 March 2019 at 10:12`` gets
that speaker and date. A warning names the file when the number of comments found
differs from the header.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .._model import Markup, ParsedDocument, Unit, sort_units
from .._text import iter_lines, read_text
from ..errors import FormatWarning

__all__ = ["parse_blogger_text"]

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
_DAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?[ \t]+"
_DATE_LINE = re.compile(
    rf"^[ \t]*(?:{_DAY})?(?:(?P<d1>\d{{1,2}})[ \t]+(?P<m1>[A-Z][a-z]+)|(?P<m2>[A-Z][a-z]+)"
    rf"[ \t]+(?P<d2>\d{{1,2}}),?)[ \t]+(?P<y>\d{{4}})[ \t]*$"
)
_HEADER = re.compile(r"^[ \t]*(?P<n>\d+|No)[ \t]+comments?:[ \t]*$", re.I)
_NUMBER = re.compile(r"^(?P<indent>[ \t]*)(?P<num>\d{1,4})\.[ \t]+(?=\S)")
_BUTTONS = {"ReplyDelete", "Delete", "Replies", "Reply", "Reply Delete", "Add comment",
            "Load more...", "Load more…"}
# Page furniture is a whole line, so "Homeless on release..." or "Home Office" stay text.
_CHROME = re.compile(
    r"^[ \t]*(?:Newer Post|Older Post|Home|Post a Comment|Email This|BlogThis!"
    r"|Share to (?:Twitter|Facebook|Pinterest|X)|Subscribe to: Post(?:s| Comments) \(Atom\)"
    r"|Labels: [^.!?:]*)[ \t]*$"
)
_BYLINE = re.compile(r"^[ \t]*Posted by[ \t]+(?P<name>.+?)(?:[ \t]+at[ \t]+\d.*)?[ \t]*$")
_COMMENT_HEAD = re.compile(
    r"^(?P<author>\S.{0,60}?)[ \t]*(?P<date>\d{1,2} [A-Z][a-z]+ \d{4})[ \t]+at[ \t]+"
    r"\d{1,2}:\d{2}(?:[ \t]?[AP]M)?[ \t]*$"
)
_SIGNOFF = re.compile(r"^[ \t]*(?:--?|[–—~'’])[ \t]*(?P<name>\S.{0,38})$")
_URL = re.compile(r"https?://\S+|www\.\S+")


def parse_date(day: str, month: str, year: str) -> str | None:
    """Return an ISO date from day, month name and year, or None if the month is unknown.

    Examples
    --------
    >>> parse_date("5", "March", "2019")
    '2019-03-05'

    """
    m = _MONTHS.get(month.lower())
    return None if m is None else f"{int(year):04d}-{m:02d}-{int(day):02d}"


@dataclass
class _Comment:
    kind: str
    number: str
    parent: int | None
    line: int
    lines: list[tuple[int, int, str]] = field(default_factory=list)  # (line no, offset, text)


def _content_lines(lines: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    while lines and not lines[-1][2].strip():
        lines.pop()
    return lines


def parse_blogger_text(text: str, *, doc_id: str, source: str) -> ParsedDocument:
    """Parse a plain-text Blogger page copy into post paragraphs, comments and replies.

    Examples
    --------
    >>> page = "Monday, 2 June 2014\\n\\nA Title\\n\\nPost text.\\n\\n1 comment:\\n\\n"
    >>> page += "  1. Shocking.\\n    - Old Lag\\n\\n    ReplyDelete\\n"
    >>> doc = parse_blogger_text(page, doc_id="t", source="t.txt")
    >>> [(u.kind, u.speaker, doc.text[u.start:u.end]) for u in doc.units]
    [('post', None, 'Post text.'), ('comment', 'Old Lag', 'Shocking.\\n    - Old Lag')]
    >>> doc.meta["title"], doc.meta["date"]
    ('A Title', '2014-06-02')

    """
    lines = list(iter_lines(text))
    markup: list[Markup] = []
    units: list[Unit] = []
    meta: dict[str, object] = {}

    def mark_line(pos: int, line: str, category: str) -> None:
        s = pos + len(line) - len(line.lstrip())
        markup.append(Markup(s, pos + len(line.rstrip()), category))

    i = 0
    n = len(lines)

    def next_nonblank(k: int) -> int:
        while k < n and not lines[k][2].strip():
            k += 1
        return k

    i = next_nonblank(0)
    if i < n and (dm := _DATE_LINE.match(lines[i][2])):
        meta["date"] = parse_date(dm["d1"] or dm["d2"], dm["m1"] or dm["m2"], dm["y"])
        mark_line(lines[i][1], lines[i][2], "date_line")
        i = next_nonblank(i + 1)
    if i < n and not _HEADER.match(lines[i][2]):
        meta["title"] = lines[i][2].strip()
        mark_line(lines[i][1], lines[i][2], "title")
        i += 1
    post_date = meta.get("date")

    # --- the post's paragraphs, up to the "N comments:" header
    header_at = next((k for k in range(i, n) if _HEADER.match(lines[k][2])), n)
    author = None
    paragraph: list[tuple[int, int, str]] = []
    post_paragraphs: list[list[tuple[int, int, str]]] = []
    for k in range(i, header_at):
        number, pos, line = lines[k]
        if bm := _BYLINE.match(line):
            author = bm["name"].strip()
            mark_line(pos, line, "byline")
        elif _CHROME.match(line) or line.strip() in _BUTTONS:
            mark_line(pos, line, "page_chrome")
        elif line.strip():
            paragraph.append(lines[k])
            continue
        if paragraph:
            post_paragraphs.append(paragraph)
            paragraph = []
    if paragraph:
        post_paragraphs.append(paragraph)
    for para in post_paragraphs:
        s, e = _span(para, markup)
        units.append(Unit(s, e, "post", author, None, date=post_date))

    # --- the comments
    declared = None
    if header_at < n:
        hm = _HEADER.match(lines[header_at][2])
        assert hm is not None
        declared = 0 if hm["n"].lower() == "no" else int(hm["n"])
        meta["comments_declared"] = declared
        mark_line(lines[header_at][1], lines[header_at][2], "comment_count")
    comments: list[_Comment] = []
    current: _Comment | None = None
    top_indent: int | None = None
    reply_indent: int | None = None
    in_replies = False
    next_top = 1
    next_reply = 1
    last_top: int | None = None
    strays: list[tuple[int, int, str]] = []
    for k in range(header_at + 1, n):
        number, pos, line = lines[k]
        stripped = line.strip()
        if not stripped:
            if current is not None:
                current.lines.append(lines[k])
            continue
        if stripped in _BUTTONS or _CHROME.match(line):
            mark_line(pos, line, "button_label" if stripped in _BUTTONS else "page_chrome")
            current = None
            if stripped == "Replies":
                in_replies, next_reply = True, 1
            continue
        nm = _NUMBER.match(line)
        if nm:
            indent, num = len(nm["indent"].expandtabs(4)), int(nm["num"])
            as_reply = (
                in_replies
                and num == next_reply
                and ((reply_indent is None and (top_indent is None or indent > top_indent))
                     or indent == reply_indent)
            )
            as_top = num == next_top and (top_indent is None or indent == top_indent)
            if as_reply:
                reply_indent = indent
                next_reply += 1
                current = _Comment("reply", f"{next_top - 1}.{num}", last_top, number)
            elif as_top:
                top_indent = indent
                in_replies = False
                next_top += 1
                current = _Comment("comment", str(num), None, number)
                last_top = len(comments)
            else:
                nm = None
            if nm is not None:
                comments.append(current)  # type: ignore[arg-type]
                markup.append(Markup(pos + nm.start("num"), pos + nm.end(), "comment_number"))
                rest = pos + nm.end()
                current.lines.append((number, rest, text[rest : pos + len(line)]))  # type: ignore[union-attr]
                continue
        if current is None:
            strays.append(lines[k])
            continue
        current.lines.append(lines[k])

    index_of: dict[int, int] = {}
    for c_index, comment in enumerate(comments):
        body = _content_lines(list(comment.lines))
        if not body:
            continue
        speaker = None
        date = post_date
        cm = _COMMENT_HEAD.match(body[0][2].strip())
        if cm and len(body) > 1:
            speaker = cm["author"].strip()
            dm = _DATE_LINE.match(cm["date"])
            if dm:
                date = parse_date(dm["d1"] or dm["d2"], dm["m1"] or dm["m2"], dm["y"])
            mark_line(body[0][1], body[0][2], "comment_header")
            body = _content_lines(body[1:])
        signoff, bare = signoff_and_bare("\n".join(ln[2] for ln in body))
        if speaker is None:
            speaker = signoff
        s, e = _span(body, markup)
        parent = None if comment.parent is None else index_of.get(comment.parent)
        index_of[c_index] = len(units)
        units.append(
            Unit(s, e, comment.kind, speaker, None, parent, date,
                 meta={"comment_no": comment.number, "bare_link": bare})
        )
    if strays:
        for para in _paragraphs(strays):
            s, e = _span(para, markup)
            units.append(Unit(s, e, "other", None, None, date=post_date))
        warnings.warn(
            f"{source}, line {strays[0][0]}: {len(strays)} line(s) after the comment header "
            "belong to no numbered comment; kept as segments of kind 'other'",
            FormatWarning,
            stacklevel=2,
        )
    units = sort_units(units)
    found = sum(1 for u in units if u.kind in ("comment", "reply"))
    meta["comments_found"] = found
    if declared is not None and found != declared:
        warnings.warn(
            f"{source}, line {lines[header_at][0]}: the header says {declared} comments "
            f"but {found} numbered comments and replies were found",
            FormatWarning,
            stacklevel=2,
        )
    return ParsedDocument(doc_id, text, "blog", "blogger-text", source,
                          units, markup, meta)


def signoff_and_bare(text: str) -> tuple[str | None, bool]:
    """Return a comment's sign-off name (or None) and whether it is only links.

    A sign-off is a last line of at most four words that starts with a dash,
    tilde or apostrophe and does not end like a sentence.

    Examples
    --------
    >>> signoff_and_bare("Shameful.\\n- Old Lag")
    ('Old Lag', False)
    >>> signoff_and_bare("https://example.org/a\\n'Anon")
    ('Anon', True)

    """
    words = [ln for ln in text.split("\n") if ln.strip()]
    sm = _SIGNOFF.match(words[-1]) if len(words) > 1 else None
    if sm and (len(sm["name"].split()) > 4 or sm["name"].rstrip()[-1] in ".!?:;,"):
        sm = None
    rest = " ".join(words[:-1] if sm else words)
    bare = bool(_URL.search(rest)) and not _URL.sub("", rest).strip()
    return (sm["name"].strip() if sm else None), bare


def _paragraphs(lines: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    out: list[list[tuple[int, int, str]]] = []
    last = None
    for item in lines:
        if last is None or item[0] != last + 1:
            out.append([])
        out[-1].append(item)
        last = item[0]
    return out


def _span(lines: list[tuple[int, int, str]], markup: list[Markup]) -> tuple[int, int]:
    """Offsets of the first and last content characters; indentation after line one is markup."""
    first = True
    start = end = None
    for _, pos, line in lines:
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        if first:
            start = pos + lead
            first = False
        elif lead:
            markup.append(Markup(pos, pos + lead, "indent"))
        end = pos + len(line.rstrip())
    assert start is not None and end is not None
    return start, end


def read_blogger_text(path: Path) -> list[ParsedDocument]:
    """Read one plain-text Blogger page copy."""
    return [parse_blogger_text(read_text(path), doc_id=path.stem, source=str(path))]


def looks_like_blogger_text(head: str) -> bool:
    """Whether a text has an ``N comments:`` header or starts with a Blogger date line."""
    lines = [ln for _, _, ln in iter_lines(head)]
    if any(_HEADER.match(ln) for ln in lines):
        return True
    first = next((ln for ln in lines if ln.strip()), "")
    return bool(_DATE_LINE.match(first))
