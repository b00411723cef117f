"""Segmenters: from a document's structural units to coding units with raw offsets.

``document``
    One segment per document, from its first to its last unit.
``paragraph``
    Each unit split at blank lines.
``sentence``
    Each paragraph split by spaCy's rule-based ``sentencizer`` on ``spacy.blank("en")``.
``turn``
    Interview speaker turns (and a ``preamble`` before the first turn).
``comment``
    Blog threads: each paragraph of the post, each comment and each reply.
``auto``
    ``turn`` for interviews, ``comment`` for blog threads, ``paragraph`` otherwise.

A segment's text is the raw text between its offsets with markup deleted, and
trimmed of white space at both ends. With ``interviewer=False`` the
interviewer's turns are left out (and counted as ``excluded``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from ._model import ParsedDocument, Unit
from ._text import count_words
from .errors import unknown_name
from .schema import UNITS

__all__ = ["segment_document_units"]

_PREFIX = {"turn": "t", "comment": "c", "paragraph": "p", "sentence": "s"}
_NATIVE = {"interview": "turn", "blog": "comment"}
_PARA_BREAK = re.compile(r"\n[ \t]*\n\s*")
_NOTE = re.compile(r"\[(?!\d{1,2}:\d{2})[^\[\]\n]{1,80}\]")


@dataclass(frozen=True, slots=True)
class _Content:
    """A unit's text with markup deleted, and the map back to raw offsets."""

    text: str
    starts: list[int]  # start of each piece in the normalised text
    raw: list[int]  # raw offset of each piece

    def raw_offset(self, i: int) -> int:
        k = bisect_right(self.starts, i) - 1
        return self.raw[k] + (i - self.starts[k])

    def raw_span(self, s: int, e: int) -> tuple[int, int]:
        return self.raw_offset(s), self.raw_offset(e - 1) + 1


def _content(doc: ParsedDocument, start: int, end: int, markup_idx: int) -> tuple[_Content, int]:
    """Normalised text of raw ``[start, end)``; ``markup_idx`` walks the sorted markup."""
    text = doc.text
    markup = doc.markup
    while markup_idx < len(markup) and markup[markup_idx].end <= start:
        markup_idx += 1
    pieces: list[str] = []
    starts: list[int] = []
    raws: list[int] = []
    pos, n = start, 0
    k = markup_idx
    while k < len(markup) and markup[k].start < end:
        m = markup[k]
        if m.start > pos:
            pieces.append(text[pos:m.start])
            starts.append(n)
            raws.append(pos)
            n += m.start - pos
        pos = max(pos, m.end)
        k += 1
    if pos < end:
        pieces.append(text[pos:end])
        starts.append(n)
        raws.append(pos)
    return _Content("".join(pieces), starts, raws), markup_idx


def _trimmed(text: str, s: int, e: int) -> tuple[int, int] | None:
    piece = text[s:e]
    stripped = piece.strip()
    if not stripped:
        return None
    s2 = s + len(piece) - len(piece.lstrip())
    return s2, s2 + len(stripped)


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _PARA_BREAK.finditer(text):
        if (t := _trimmed(text, pos, m.start())) is not None:
            spans.append(t)
        pos = m.end()
    if (t := _trimmed(text, pos, len(text))) is not None:
        spans.append(t)
    return spans


@lru_cache(maxsize=1)
def _sentencizer() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


_OPENERS = "([{“‘"
_LIST_ITEM = re.compile(r"[ \t]*(?:\d{1,3}[.)]|[a-z][.)]|[-*•–])[ \t]+\S")
_LINK_LINE = re.compile(r"[ \t]*(?:https?://|www\.)\S+[ \t]*")
_MARKER_ONLY = re.compile(r"(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Cllr|St|No|vs|approx|etc|e\.g|i\.e|cf|Rt|Hon))\.$"
)


def _starts_next(text: str, k: int) -> bool:
    """Whether ``text[k]`` opens what follows (a bracket, or a quote after a space)."""
    ch = text[k]
    return ch in _OPENERS or (ch in "\"'" and (k == 0 or text[k - 1].isspace()))


def _line_blocks(text: str) -> list[tuple[int, int]]:
    """Split at line breaks that always end a sentence: before a list item, around a link line."""
    cuts = [0]
    pos = 0
    lines = text.split("\n")
    for k, line in enumerate(lines[:-1]):
        pos += len(line) + 1
        nxt = lines[k + 1]
        if _LIST_ITEM.match(nxt) or _LINK_LINE.fullmatch(line) or _LINK_LINE.fullmatch(nxt):
            cuts.append(pos)
    cuts.append(len(text))
    return list(pairwise(cuts))


def _sentence_spans(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Sentence spans by spaCy's sentencizer, trimmed, with three repairs.

    Line breaks before a list item or around a line that is only a link always
    end a sentence. The sentencizer keeps any punctuation after a full stop with
    the sentence before it, so an opening bracket or quote (``It was. [laughs]
    We``) is moved to the sentence it opens. A list marker (``1.``) or an
    abbreviation (``Mr.``, ``e.g.``) does not end a sentence.
    """
    nlp = _sentencizer()
    blocks = [_line_blocks(t) for t in texts]
    pieces = [t[s:e] for t, bl in zip(texts, blocks, strict=True) for s, e in bl]
    parsed = iter(nlp.pipe(pieces, batch_size=256))
    out = []
    for bl in blocks:
        spans: list[tuple[int, int]] = []
        for offset, _ in bl:
            doc = next(parsed)
            piece = doc.text
            bounds = [sent.start_char for sent in doc.sents] + [len(piece)]
            for i in range(1, len(bounds) - 1):
                k = len(piece[bounds[i - 1]:bounds[i]].rstrip()) + bounds[i - 1]
                while k - 1 > bounds[i - 1] and _starts_next(piece, k - 1):
                    k -= 1
                bounds[i] = min(bounds[i], k)
            merged: list[tuple[int, int]] = []
            for s, e in pairwise(bounds):
                t = _trimmed(piece, s, e)
                if t is None:
                    continue
                if merged and _joins_next(piece[merged[-1][0]:merged[-1][1]]):
                    merged[-1] = (merged[-1][0], t[1])
                else:
                    merged.append(t)
            spans += [(offset + s, offset + e) for s, e in merged]
        out.append(spans)
    return out


def _joins_next(sentence: str) -> bool:
    last_line = sentence.rsplit("\n", 1)[-1].strip()
    return bool(_MARKER_ONLY.fullmatch(last_line) or _ABBREVIATION.search(sentence))


def resolve_unit(unit: str, doc: ParsedDocument) -> str:
    """Return the segmenter used for ``doc`` under ``unit`` (``auto`` depends on the genre)."""
    if unit not in UNITS:
        raise unknown_name("unit", unit, UNITS)
    if unit == "auto":
        return _NATIVE.get(doc.genre, "paragraph")
    if unit in ("turn", "comment") and _NATIVE.get(doc.genre) != unit:
        wanted = "interview" if unit == "turn" else "blog"
        raise ValueError(
            f"{doc.source}: unit {unit!r} applies to {wanted} documents, but {doc.doc_id!r} is "
            f"a {doc.genre} document (format {doc.format!r}); use unit='auto', "
            "'paragraph', 'sentence' or 'document'"
        )
    return unit


def unit_ids(doc: ParsedDocument) -> list[str]:
    """Ids of a document's units as segments at unit ``turn``/``comment`` (or the doc id)."""
    prefix = {"interview": "t", "blog": "c"}.get(doc.genre)
    if prefix is None:
        return [doc.doc_id] * len(doc.units)
    return [f"{doc.doc_id}:{prefix}{k:03d}" for k in range(1, len(doc.units) + 1)]


def segment_document_units(
    docs: Iterable[ParsedDocument], unit: str = "auto", *, interviewer: bool = True
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Segment parsed documents; return segment rows and excluded characters per document."""
    rows: list[dict[str, Any]] = []
    excluded: dict[str, int] = {}
    pending_sentences: list[tuple[dict[str, Any], _Content, int, int]] = []
    for doc in docs:
        kind_of_unit = resolve_unit(unit, doc)
        if kind_of_unit == "document" and not interviewer:
            raise ValueError("interviewer=False needs unit 'turn', 'paragraph' or 'sentence'")
        excluded[doc.doc_id] = 0
        if not doc.units:
            continue
        ids = unit_ids(doc)
        if kind_of_unit == "document":
            start = min(u.start for u in doc.units)
            end = max(u.end for u in doc.units)
            content, _ = _content(doc, start, end, 0)
            row = _row(doc, None, doc.doc_id, 1, start, end, content.text, doc.doc_id, None)
            row["kind"] = "document"
            rows.append(row)
            continue
        markup_idx = 0
        position = 0
        for k, u in enumerate(doc.units):
            content, markup_idx = _content(doc, u.start, u.end, markup_idx)
            skip = not interviewer and u.role == "interviewer"
            if skip:
                excluded[doc.doc_id] += len(content.text)
            parent_id = ids[u.parent] if u.parent is not None else None
            if kind_of_unit in ("turn", "comment"):
                if not skip:
                    rows.append(_row(doc, u, ids[k], k + 1, u.start, u.end, content.text,
                                     ids[k], parent_id))
                continue
            for ps, pe in _paragraph_spans(content.text):
                if kind_of_unit == "paragraph":
                    position += 1
                    if not skip:
                        rs, re_ = content.raw_span(ps, pe)
                        rows.append(_row(doc, u, f"{doc.doc_id}:p{position:03d}", position, rs,
                                         re_, content.text[ps:pe], ids[k], parent_id))
                else:
                    row = _row(doc, u, "", 0, 0, 0, "", ids[k], parent_id)
                    row["_skip"] = skip
                    pending_sentences.append((row, content, ps, pe))
    if pending_sentences:
        rows.extend(_split_sentences(pending_sentences))
    return rows, excluded


def _split_sentences(
    pending: list[tuple[dict[str, Any], _Content, int, int]],
) -> list[dict[str, Any]]:
    spans = _sentence_spans([content.text[ps:pe] for _, content, ps, pe in pending])
    out = []
    position: dict[str, int] = {}
    for (template, content, ps, _), sents in zip(pending, spans, strict=True):
        doc_id = template["doc_id"]
        for s, e in sents:
            n = position[doc_id] = position.get(doc_id, 0) + 1
            if template["_skip"]:
                continue
            row = {k: v for k, v in template.items() if k != "_skip"}
            rs, re_ = content.raw_span(ps + s, ps + e)
            text = content.text[ps + s : ps + e]
            row.update(segment_id=f"{doc_id}:s{n:03d}", position=n, start=rs, end=re_,
                       text=text, n_words=count_words(text), n_notes=len(_NOTE.findall(text)))
            out.append(row)
    return out


def _row(doc: ParsedDocument, u: Unit | None, segment_id: str, position: int, start: int,
         end: int, text: str, unit_id: str, parent_id: str | None) -> dict[str, Any]:
    meta = u.meta if u is not None else {}
    return {
        "segment_id": segment_id,
        "doc_id": doc.doc_id,
        "position": position,
        "kind": u.kind if u is not None else "document",
        "speaker": u.speaker if u is not None else None,
        "parent_id": parent_id,
        "start": start,
        "end": end,
        "text": text,
        "date": (u.date if u is not None and u.date else None) or doc.meta.get("date"),
        "role": u.role if u is not None else None,
        "unit_id": unit_id,
        "n_words": count_words(text),
        "n_notes": len(_NOTE.findall(text)),
        "bare_link": meta.get("bare_link"),
        "comment_no": meta.get("comment_no"),
        "time_start": meta.get("time_start"),
        "time_end": meta.get("time_end"),
    }
