"""WebVTT and SRT files exported by video-call software.

Speakers come from ``<v Name>`` voice tags or from ``Name:`` prefixes (accepted
as in plain transcripts: a known interview label, or a name used on two or more
cues). A cue with neither continues the previous speaker's turn. Consecutive cues
of one speaker are merged into one turn; the turn keeps ``time_start``,
``time_end`` (seconds) and ``n_cues``. Cue numbers, timing lines, tags and the
blank lines between cues are markup, so a merged turn's text is its cue texts
joined by line breaks, and the whole file reads like a plain transcript.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from .._model import Markup, ParsedDocument, Unit
from .._text import iter_lines, read_text
from ..errors import FormatError
from .transcript import _interviewer_set, _is_known

__all__ = ["parse_cues"]

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s+-->\s+{_TIME}(?:[ \t].*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?[ \t]+([^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_PREFIX = re.compile(r"^(?:-[ \t]*)?([A-Z][\w'’\-]*(?: [A-Z0-9][\w'’\-]*){0,3})[ \t]*:[ \t]+")


def _seconds(groups: tuple[str | None, ...]) -> float:
    h, m, s, ms = groups
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000  # type: ignore[union-attr]


@dataclass
class _Cue:
    block_start: int
    start_time: float
    end_time: float
    speaker: str | None
    content_start: int | None = None
    content_end: int | None = None
    markup: list[Markup] = field(default_factory=list)
    prefix_label: str | None = None


def _blocks(text: str) -> list[list[tuple[int, int, str]]]:
    blocks: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    for number, pos, line in iter_lines(text):
        if line.strip():
            current.append((number, pos, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse_cues(
    text: str,
    *,
    doc_id: str,
    source: str,
    format: str,
    interviewer_labels: Collection[str] | None = None,
) -> ParsedDocument:
    """Parse a WebVTT (``format="webvtt"``) or SRT (``format="srt"``) file into turns.

    Examples
    --------
    >>> vtt = "WEBVTT\\n\\n1\\n00:00:01.000 --> 00:00:02.000\\n<v P3>One.</v>\\n\\n"
    >>> vtt += "2\\n00:00:02.500 --> 00:00:04.000\\n<v P3>Two.</v>\\n"
    >>> doc = parse_cues(vtt, doc_id="x", source="x.vtt", format="webvtt")
    >>> from tr_discourse._text import strip_spans
    >>> u = doc.units[0]
    >>> strip_spans(doc.text, u.start, u.end, [(m.start, m.end) for m in doc.markup])
    'One.\\nTwo.'
    >>> u.meta["time_start"], u.meta["time_end"], u.meta["n_cues"]
    (1.0, 4.0, 2)

    """
    inter = _interviewer_set(interviewer_labels)
    markup: list[Markup] = []
    blocks = _blocks(text)
    if format == "webvtt":
        if not blocks or not blocks[0][0][2].lstrip("\ufeff").startswith("WEBVTT"):
            raise FormatError(
                "a WebVTT file must begin with the line 'WEBVTT'; "
                "read SRT files with format='srt'",
                path=source,
                line=1,
            )
        head = blocks.pop(0)
        markup.append(Markup(head[0][1], head[-1][1] + len(head[-1][2]), "header"))
    cues: list[_Cue] = []
    for block in blocks:
        _, pos, first = block[0]
        if format == "webvtt" and first.split(maxsplit=1)[0] in {"NOTE", "STYLE", "REGION"}:
            markup.append(Markup(pos, block[-1][1] + len(block[-1][2]), "header"))
            continue
        i = 0
        if not _TIMING.match(first):
            if len(block) < 2 or not _TIMING.match(block[1][2]):
                bad_number, _, bad = block[1] if len(block) > 1 else block[0]
                raise FormatError(
                    f"expected a cue timing line such as "
                    f"'00:00:05.120 --> 00:00:11.480', found {bad!r}",
                    path=source,
                    line=bad_number,
                )
            markup.append(Markup(pos, pos + len(first) + 1, "cue_id"))
            i = 1
        _, t_pos, t_line = block[i]
        tm = _TIMING.match(t_line)
        assert tm is not None
        g = tm.groups()
        cue = _Cue(pos, _seconds(g[:4]), _seconds(g[4:]), None)
        markup.append(Markup(t_pos, t_pos + len(t_line) + (1 if i + 1 < len(block) else 0),
                             "cue_timing"))
        for _, l_pos, line in block[i + 1 :]:
            spans: list[tuple[int, int, str]] = []
            for vm in _VOICE.finditer(line):
                if cue.speaker is None:
                    cue.speaker = vm.group(1).strip()
                spans.append((vm.start(), vm.end(), "speaker_label"))
            for tg in _TAG.finditer(line):
                if not any(s <= tg.start() < e for s, e, _ in spans):
                    spans.append((tg.start(), tg.end(), "tag"))
            if cue.content_start is None and not spans:
                pm = _PREFIX.match(line)
                if pm:
                    cue.prefix_label = pm.group(1)
                    spans.append((pm.start(), pm.end(), "prefix"))
            spans.sort()
            cursor = 0
            for s, e, cat in spans:
                piece = line[cursor:s]
                _note_content(cue, l_pos + cursor, piece)
                cue.markup.append(Markup(l_pos + s, l_pos + e, cat))
                cursor = e
            _note_content(cue, l_pos + cursor, line[cursor:])
        cues.append(cue)

    # accept Name: prefixes as speakers as plain transcripts do
    prefix_counts: dict[str, int] = {}
    for cue in cues:
        if cue.prefix_label:
            prefix_counts[cue.prefix_label] = prefix_counts.get(cue.prefix_label, 0) + 1
    for cue in cues:
        for k, m in enumerate(cue.markup):
            if m.category != "prefix":
                continue
            label = cue.prefix_label or ""
            if prefix_counts.get(label, 0) >= 2 or _is_known(label, inter):
                cue.speaker = label
                cue.markup[k] = Markup(m.start, m.end, "speaker_label")
            else:  # not a speaker: the prefix is content after all
                cue.markup.pop(k)
                cue.content_start = m.start
                cue.prefix_label = None
            break

    # the blank line(s) between cues separate cues, they are not text
    spoken = [c for c in cues if c.content_start is not None]
    for prev, nxt in pairwise(spoken):
        newline = text.index("\n", prev.content_end)  # type: ignore[arg-type]
        if newline + 1 < nxt.block_start:
            markup.append(Markup(newline + 1, nxt.block_start, "cue_break"))

    units: list[Unit] = []
    turn: list[_Cue] = []
    speaker: str | None = None

    def flush() -> None:
        turn_cues = [c for c in turn if c.content_start is not None]
        for c in turn:
            markup.extend(c.markup)
        if not turn_cues:
            return
        first, last = turn_cues[0], turn_cues[-1]
        role = None
        if speaker is not None:
            role = "interviewer" if speaker.casefold() in inter else "participant"
        meta = {"time_start": first.start_time, "time_end": last.end_time,
                "n_cues": len(turn_cues)}
        units.append(Unit(first.content_start, last.content_end, "turn", speaker, role,  # type: ignore[arg-type]
                          meta=meta))

    for cue in cues:
        cue_speaker = cue.speaker if cue.speaker is not None else speaker
        if turn and cue_speaker != speaker:
            flush()
            turn = []
        speaker = cue_speaker
        turn.append(cue)
    if turn:
        flush()
    return ParsedDocument(doc_id, text, "interview", format, source, units, markup)


def _note_content(cue: _Cue, offset: int, piece: str) -> None:
    stripped = piece.strip()
    if not stripped:
        return
    s = offset + len(piece) - len(piece.lstrip())
    e = offset + len(piece.rstrip())
    if cue.content_start is None:
        cue.content_start = s
    cue.content_end = e


def read_webvtt(
    path: Path, *, interviewer_labels: Collection[str] | None = None
) -> list[ParsedDocument]:
    """Read a WebVTT file."""
    return [parse_cues(read_text(path), doc_id=path.stem, source=str(path), format="webvtt",
                       interviewer_labels=interviewer_labels)]


def read_srt(
    path: Path, *, interviewer_labels: Collection[str] | None = None
) -> list[ParsedDocument]:
    """Read an SRT file."""
    return [parse_cues(read_text(path), doc_id=path.stem, source=str(path), format="srt",
                       interviewer_labels=interviewer_labels)]
