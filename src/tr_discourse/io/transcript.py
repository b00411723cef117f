"""Interview transcripts in plain text (and the text of Word files).

Speaker turns begin with a label at the start of a line: ``Interviewer:``,
``I:``/``R:``, ``Q.``/``A.``, ``P3:`` or a name (``Jane Smith:``). A line may
start with a timestamp (``[00:12:31]``, ``(12:31)`` or ``00:12:31``) before or
after the label. Labels, timestamps and the spaces after them are markup; a line
that starts with a timestamp but no label continues the current turn. Bracketed
notes such as ``[inaudible]`` stay in the text and are counted per segment.

A label is accepted when it is a known interview label (``Interviewer``, ``Int``,
``I``, ``Q``, ``Moderator``, ``Researcher``, ``R``, ``A``, ``Respondent``,
``Participant``, ``Interviewee``, ``P3``, ``R12``...) or when it labels at least
two lines of the document. ``Q.``/``A.``/``I.``/``R.`` (one letter and a full
stop) are accepted too. Pass ``speakers=`` to name the labels yourself.
Text before the first turn (a header) becomes a unit of kind ``preamble``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from .._model import Markup, ParsedDocument, Unit
from .._text import iter_lines, read_text

__all__ = ["DEFAULT_INTERVIEWER_LABELS", "parse_transcript", "timestamp_seconds"]

#: Labels whose turns are the interviewer's, compared case-insensitively.
DEFAULT_INTERVIEWER_LABELS = frozenset(
    {"interviewer", "int", "i", "q", "iv", "moderator", "facilitator", "researcher"}
)
_PARTICIPANT = re.compile(
    r"^(?:r|a|respondent|participant|interviewee|p\d+|r\d+"
    r"|(?:respondent|participant|interviewee) \d+)$"
)
_ONE_LETTER = {"q", "a", "i", "r"}

TS_BRACKET = r"[\[(]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]"
TS_BARE = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?"
_TS = rf"(?:{TS_BRACKET}|{TS_BARE})"
_LABEL = r"[A-Z][\w'’\-]*(?:[ ][A-Z0-9][\w'’\-]*){0,3}"
_LINE = re.compile(
    rf"""^(?P<indent>[ \t]*)
    (?:(?P<ts1>{_TS})[ \t]*)?
    (?:(?P<label>{_LABEL})(?:[ \t]*(?P<ts2>{_TS}))?[ \t]*(?P<sep>:|\.(?=[ \t]))[ \t]*)?
    (?:(?P<ts3>{_TS})[ \t]*)?""",
    re.X,
)
_MID_TS = re.compile(rf"[ \t]*{TS_BRACKET}[ \t]*")


def timestamp_seconds(stamp: str) -> float:
    """Convert ``[00:12:31]``, ``12:31`` or ``00:12:31.5`` to seconds.

    Examples
    --------
    >>> timestamp_seconds("[00:12:31]")
    751.0
    >>> timestamp_seconds("(01:02)")
    62.0

    """
    parts = stamp.strip("[]() ").replace(",", ".").split(":")
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + float(p)
    return seconds


def _is_known(label: str, interviewer_labels: Collection[str]) -> bool:
    norm = label.casefold()
    return norm in interviewer_labels or bool(_PARTICIPANT.match(norm))


def find_labels(
    text: str,
    *,
    speakers: Collection[str] | None = None,
    interviewer_labels: Collection[str] | None = None,
) -> set[str]:
    """Return the speaker labels accepted in ``text`` (see the module notes)."""
    inter = _interviewer_set(interviewer_labels)
    colon: Counter[str] = Counter()
    dotted: set[str] = set()
    for _, _, line in iter_lines(text):
        m = _LINE.match(line)
        if m and m["label"]:
            if m["sep"] == ":":
                colon[m["label"]] += 1
            else:
                dotted.add(m["label"])
    if speakers is not None:
        return {label for label in set(colon) | dotted if label in speakers}
    accepted = {label for label in dotted if label.casefold() in _ONE_LETTER}
    accepted |= {label for label, n in colon.items() if n >= 2 or _is_known(label, inter)}
    return accepted


def _interviewer_set(interviewer_labels: Collection[str] | None) -> frozenset[str]:
    if interviewer_labels is None:
        return DEFAULT_INTERVIEWER_LABELS
    return frozenset(s.casefold() for s in interviewer_labels)


@dataclass
class _Open:
    kind: str
    speaker: str | None = None
    role: str | None = None
    time: float | None = None
    start: int | None = None
    end: int | None = None
    meta: dict = field(default_factory=dict)


def parse_transcript(
    text: str,
    *,
    doc_id: str,
    source: str,
    format: str = "transcript",
    speakers: Collection[str] | None = None,
    interviewer_labels: Collection[str] | None = None,
) -> ParsedDocument:
    """Find the turns, labels and timestamps of a plain-text interview transcript.

    Parameters
    ----------
    text : str
        The raw transcript text; it is not changed.
    doc_id, source, format : str
        Recorded on the document.
    speakers : collection of str, optional
        The exact speaker labels; by default they are found (see the module notes).
    interviewer_labels : collection of str, optional
        Labels of the interviewer's turns (case-insensitive). Default:
        :data:`DEFAULT_INTERVIEWER_LABELS`.

    Returns
    -------
    ParsedDocument

    Examples
    --------
    >>> doc = parse_transcript("I: How long?\\nR: [laughs] Too long.", doc_id="x", source="x")
    >>> [(u.speaker, u.role, doc.text[u.start:u.end]) for u in doc.units]
    [('I', 'interviewer', 'How long?'), ('R', 'participant', '[laughs] Too long.')]

    """
    inter = _interviewer_set(interviewer_labels)
    labels = find_labels(text, speakers=speakers, interviewer_labels=interviewer_labels)
    units: list[Unit] = []
    markup: list[Markup] = []
    cur: _Open | None = None
    pending_time: float | None = None

    def close() -> None:
        if cur is not None and cur.start is not None:
            meta = dict(cur.meta)
            if cur.time is not None:
                meta["time_start"] = cur.time
            units.append(
                Unit(cur.start, cur.end or cur.start, cur.kind, cur.speaker, cur.role, meta=meta)
            )

    for _, pos, line in iter_lines(text):
        if not line.strip():
            continue
        m = _LINE.match(line)
        assert m is not None  # every group is optional
        label = m["label"]
        is_turn = label in labels and (m["sep"] == ":" or label.casefold() in _ONE_LETTER)
        stamps = [g for g in ("ts1", "ts2", "ts3") if m[g] and (is_turn or g == "ts1")]
        if is_turn:
            close()
            role = "interviewer" if label.casefold() in inter else "participant"
            cur = _Open("turn", label, role, time=pending_time)
            pending_time = None
            prefix_start, prefix_end = m.end("indent"), m.end()
        elif m["ts1"]:
            prefix_start = m.start("ts1")
            prefix_end = m.end("ts1")
            while prefix_end < len(line) and line[prefix_end] in " \t":
                prefix_end += 1
        else:
            prefix_start = prefix_end = 0
        # markup of the prefix: timestamps, and the label with its separator
        ts_spans = []
        for g in stamps:
            s, e = m.start(g), m.end(g)
            while e < prefix_end and line[e] in " \t":
                e += 1
            ts_spans.append((s, e))
        cut = prefix_start
        for s, e in ts_spans:
            if s > cut:
                markup.append(Markup(pos + cut, pos + s, "speaker_label"))
            markup.append(Markup(pos + s, pos + e, "timestamp"))
            cut = e
        if prefix_end > cut:
            markup.append(Markup(pos + cut, pos + prefix_end, "speaker_label"))
        if stamps:
            first = timestamp_seconds(m[stamps[0]])
            if cur is not None and is_turn:
                cur.time = first if cur.time is None else cur.time
            elif cur is None or cur.start is None:
                pending_time = first if pending_time is None else pending_time
        # content: the rest of the line, with mid-line bracketed timestamps as markup
        content = line[prefix_end:]
        if not content.strip():
            continue
        if cur is None:
            cur = _Open("preamble")
        base = pos + prefix_end
        last_content_end = None
        first_content = None
        cursor = 0
        for tm in _MID_TS.finditer(content):
            s, e = tm.start(), tm.end()
            if e < len(content) and s > 0:
                # keep one space between the words on either side
                s = tm.start() + len(tm.group()) - len(tm.group().lstrip(" \t"))
            markup.append(Markup(base + s, base + e, "timestamp"))
            piece = content[cursor:s]
            if piece.strip():
                if first_content is None:
                    first_content = cursor + len(piece) - len(piece.lstrip())
                last_content_end = cursor + len(piece.rstrip())
            cursor = e
        piece = content[cursor:]
        if piece.strip():
            if first_content is None:
                first_content = cursor + len(piece) - len(piece.lstrip())
            last_content_end = cursor + len(piece.rstrip())
        if first_content is None:
            continue
        if cur.start is None:
            cur.start = base + first_content
        cur.end = base + (last_content_end or first_content)
    close()
    genre = "interview" if any(u.kind == "turn" for u in units) else "document"
    return ParsedDocument(doc_id, text, genre, format, source, units, markup)


def read_transcript(
    path: Path,
    *,
    speakers: Collection[str] | None = None,
    interviewer_labels: Collection[str] | None = None,
) -> list[ParsedDocument]:
    """Read one plain-text interview transcript."""
    text = read_text(path)
    return [
        parse_transcript(
            text, doc_id=path.stem, source=str(path), speakers=speakers,
            interviewer_labels=interviewer_labels,
        )
    ]


def looks_like_transcript(head: str) -> bool:
    """Whether a text has speaker labels on at least two lines."""
    labels = find_labels(head)
    n = sum(
        1
        for _, _, line in iter_lines(head)
        if (m := _LINE.match(line)) and m["label"] in labels
    )
    return n >= 2
