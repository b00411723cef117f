"""The corpus: documents whose raw text is never edited, and their coding units."""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ._model import ParsedDocument
from .errors import FormatError, FormatWarning
from .io.registry import FORMATS, read_documents
from .schema import DOCUMENT_COLUMNS, SEGMENT_COLUMNS, SEGMENT_EXTRA_COLUMNS, UNITS
from .segment import segment_document_units

__all__ = ["Corpus", "read_corpus"]

_SKIP_NAMES = {"corpus.yaml", "corpus.yml"}
_DOC_NAMES = ("readme", "licence", "license", "changelog")
_STRING_COLUMNS = ["segment_id", "doc_id", "kind", "speaker", "parent_id", "text", "role",
                   "unit_id", "comment_no", "corpus", "genre", "format", "title"]


@dataclass(frozen=True)
class _Doc:
    parsed: ParsedDocument
    corpus: str
    metadata: dict[str, Any] = field(default_factory=dict)


class Corpus:
    """Documents and the segments (coding units) cut from them.

    A corpus is immutable: :meth:`segment` returns a new corpus and adds a line
    to :attr:`history`. Make one with :func:`read_corpus`.

    Attributes
    ----------
    unit : str
        The segmenter that made :attr:`segments`.
    history : tuple of str
        The operations that made this corpus.

    Examples
    --------
    >>> import tr_discourse as trd
    >>> corpus = trd.read_corpus("tests/data/interview/interview.txt")
    >>> corpus
    <Corpus: 1 document, 6 segments (unit 'auto'; kind: turn 6)>
    >>> corpus.segment("sentence").n_segments
    13

    """

    def __init__(
        self,
        docs: Sequence[_Doc],
        *,
        unit: str = "auto",
        interviewer: bool = True,
        history: tuple[str, ...] = (),
    ) -> None:
        self._docs = tuple(docs)
        self.unit = unit
        self.interviewer = interviewer
        self.history = history
        seen: dict[str, str] = {}
        for d in self._docs:
            if d.parsed.doc_id in seen:
                raise FormatError(
                    f"document id {d.parsed.doc_id!r} is used by both {seen[d.parsed.doc_id]} "
                    f"and {d.parsed.source}; document ids must be unique in a corpus "
                    "(rename one file)"
                )
            seen[d.parsed.doc_id] = d.parsed.source
        rows, self._excluded = segment_document_units(
            (d.parsed for d in self._docs), unit, interviewer=interviewer
        )
        self._rows = rows

    # ----------------------------------------------------------------- tables
    @cached_property
    def documents(self) -> pd.DataFrame:
        """One row per document: id, corpus, genre, format, source, title, date, text, metadata."""
        records = []
        for d in self._docs:
            p = d.parsed
            rec = {
                "doc_id": p.doc_id, "corpus": d.corpus, "genre": p.genre, "format": p.format,
                "source": p.source, "title": p.meta.get("title"), "date": p.meta.get("date"),
                "n_chars": len(p.text), "n_units": len(p.units), "text": p.text,
            }
            rec.update({k: v for k, v in p.meta.items() if k not in rec})
            rec.update({k: v for k, v in d.metadata.items() if k not in rec})
            records.append(rec)
        frame = pd.DataFrame.from_records(records, columns=_columns(DOCUMENT_COLUMNS, records))
        frame["date"] = _to_datetime(frame["date"], "documents")
        return frame

    @cached_property
    def segments(self) -> pd.DataFrame:
        """One row per segment; columns in :data:`tr_discourse.schema.SEGMENT_COLUMNS` order.

        ``text`` equals the document text between ``start`` and ``end`` with the
        document's markup (see :attr:`markup`) deleted.
        """
        base = list(SEGMENT_COLUMNS) + list(SEGMENT_EXTRA_COLUMNS)
        frame = pd.DataFrame.from_records(self._rows, columns=base[:18])
        docs = {d.parsed.doc_id: d for d in self._docs}
        doc_fields = {
            i: (d.corpus, d.parsed.genre, d.parsed.format, d.parsed.meta.get("title"))
            for i, d in docs.items()
        }
        for k, col in enumerate(("corpus", "genre", "format", "title")):
            frame[col] = [doc_fields[i][k] for i in frame["doc_id"]]
        meta_cols: list[str] = []
        for d in self._docs:
            meta_cols += [k for k in d.metadata if k not in meta_cols and k not in base]
        for col in meta_cols:
            frame[col] = [docs[i].metadata.get(col) for i in frame["doc_id"]]
        frame["date"] = _to_datetime(frame["date"], "segments")
        for col in ("position", "start", "end", "n_words", "n_notes"):
            frame[col] = frame[col].astype("int64")
        frame["bare_link"] = frame["bare_link"].astype("boolean")
        for col in _STRING_COLUMNS + meta_cols:
            frame[col] = frame[col].astype("string")
        for col in ("time_start", "time_end"):
            frame[col] = frame[col].astype("float64")
        return frame

    @cached_property
    def markup(self) -> pd.DataFrame:
        """Each stretch of raw text that coders do not see: doc_id, start, end, category, text."""
        records = [
            (d.parsed.doc_id, m.start, m.end, m.category, d.parsed.text[m.start:m.end])
            for d in self._docs for m in d.parsed.markup
        ]
        return pd.DataFrame.from_records(
            records, columns=["doc_id", "start", "end", "category", "text"]
        )

    @cached_property
    def structure(self) -> pd.DataFrame:
        """The readers' structural units (turns, comments, post paragraphs) before segmentation."""
        records = []
        for d in self._docs:
            for k, u in enumerate(d.parsed.units):
                records.append({"doc_id": d.parsed.doc_id, "index": k, "kind": u.kind,
                                "speaker": u.speaker, "role": u.role, "parent": u.parent,
                                "start": u.start, "end": u.end, **u.meta})
        return pd.DataFrame.from_records(records)

    def accounting(self) -> pd.DataFrame:
        """Where every character of every document went.

        Columns: ``n_chars``; ``in_segments`` (characters of segment text);
        ``markup`` and one ``markup_<category>`` column per category (button
        labels, timestamps, speaker labels, ...); ``excluded`` (left-out
        interviewer turns); ``whitespace`` (blank space between segments); and
        ``unaccounted`` (non-blank text in no segment and no markup: always 0
        unless a reader is wrong). The parts add up to ``n_chars``.
        """
        seg = self.segments
        in_segments = seg["text"].str.len().groupby(seg["doc_id"]).sum()
        spans = seg.groupby("doc_id")[["start", "end"]]
        span_groups = {k: v.to_numpy() for k, v in spans}
        markup = self.markup
        categories = sorted(markup["category"].unique()) if len(markup) else []
        records = []
        for d in self._docs:
            p = d.parsed
            n = len(p.text)
            covered = np.zeros(n + 1, dtype=np.int8)
            rec: dict[str, Any] = {"doc_id": p.doc_id, "n_chars": n,
                                   "in_segments": int(in_segments.get(p.doc_id, 0))}
            by_cat = dict.fromkeys(categories, 0)
            for m in p.markup:
                by_cat[m.category] += m.end - m.start
                covered[m.start] += 1
                covered[m.end] -= 1
            for s, e in span_groups.get(p.doc_id, np.empty((0, 2), dtype=int)):
                covered[s] += 1
                covered[e] -= 1
            if self._excluded.get(p.doc_id):
                for u in p.units:
                    if u.role == "interviewer":
                        covered[u.start] += 1
                        covered[u.end] -= 1
            free = np.cumsum(covered[:n]) == 0
            padded = np.concatenate(([False], free, [False])).astype(np.int8)
            edges = np.flatnonzero(np.diff(padded))
            free_text = "".join(p.text[s:e] for s, e in zip(edges[::2], edges[1::2], strict=True))
            white = sum(1 for ch in free_text if ch.isspace())
            rec["markup"] = sum(by_cat.values())
            rec.update({f"markup_{c}": v for c, v in by_cat.items()})
            rec["excluded"] = self._excluded.get(p.doc_id, 0)
            rec["whitespace"] = white
            rec["unaccounted"] = len(free_text) - white
            records.append(rec)
        return pd.DataFrame.from_records(records)

    # -------------------------------------------------------------- summaries
    @property
    def n_documents(self) -> int:
        """Number of documents."""
        return len(self._docs)

    @property
    def n_segments(self) -> int:
        """Number of segments."""
        return len(self._rows)

    def summary(self, by: str | Sequence[str] = ("corpus", "kind")) -> pd.DataFrame:
        """Documents, segments and words per group (default: per corpus and kind).

        Examples
        --------
        >>> import tr_discourse as trd
        >>> trd.read_corpus("tests/data/interview/interview.txt").summary(by="role")
                     documents  segments  words
        role
        interviewer          1         3     17
        participant          1         3     75

        """
        keys = [by] if isinstance(by, str) else list(by)
        seg = self.segments
        grouped = seg.groupby(keys, dropna=False, sort=True)
        return pd.DataFrame({
            "documents": grouped["doc_id"].nunique(),
            "segments": grouped.size(),
            "words": grouped["n_words"].sum(),
        })

    def segment(self, unit: str, *, interviewer: bool = True) -> Corpus:
        """Return a new corpus cut into ``unit`` segments.

        Parameters
        ----------
        unit : {'auto', 'document', 'paragraph', 'sentence', 'turn', 'comment'}
            The segmenter (see :mod:`tr_discourse.segment`).
        interviewer : bool, default=True
            Keep the interviewer's turns; ``False`` leaves them out (counted in
            :meth:`accounting` as ``excluded``).

        """
        step = f"segment({unit!r}" + ("" if interviewer else ", interviewer=False") + ")"
        return Corpus(self._docs, unit=unit, interviewer=interviewer,
                      history=(*self.history, step))

    def __repr__(self) -> str:
        kinds = pd.Series([r["kind"] for r in self._rows]).value_counts()
        kind_text = ", ".join(f"{k} {v}" for k, v in kinds.items())
        return (f"<Corpus: {_plural(self.n_documents, 'document')}, "
                f"{_plural(self.n_segments, 'segment')} (unit {self.unit!r}"
                + (f"; kind: {kind_text}" if kind_text else "") + ")>")

    def _repr_html_(self) -> str:
        table = self.summary().to_html(border=0)
        steps = "".join(f"<li><code>{html.escape(h)}</code></li>" for h in self.history)
        return (f"<div><strong>Corpus</strong>: {_plural(self.n_documents, 'document')}, "
                f"{_plural(self.n_segments, 'segment')}, unit <code>{html.escape(self.unit)}"
                f"</code>{table}<details><summary>history</summary><ol>{steps}</ol>"
                "</details></div>")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _columns(first: Sequence[str], records: list[dict[str, Any]]) -> list[str]:
    cols = list(first)
    for rec in records:
        cols += [k for k in rec if k not in cols]
    return cols


def _to_datetime(values: pd.Series, table: str) -> pd.Series:
    parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    bad = values.notna() & (values.astype(str) != "") & parsed.isna()
    if bad.any():
        warnings.warn(
            f"{int(bad.sum())} date value(s) in the {table} table could not be read as dates "
            f"(first: {values[bad].iloc[0]!r}); they are left empty. Write dates as YYYY-MM-DD.",
            FormatWarning,
            stacklevel=3,
        )
    return parsed


# --------------------------------------------------------------------- reading
def _corpus_config(folder: Path) -> dict[str, Any]:
    path = folder / "corpus.yaml"
    if not path.exists():
        path = folder / "corpus.yml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise FormatError(f"not valid YAML ({exc})", path=path,
                          line=None if line is None else line + 1) from None
    if not isinstance(config, dict):
        raise FormatError("corpus.yaml must be a mapping of keys to values", path=path, line=1)
    reader = config.get("reader", "auto")
    if reader != "auto" and reader not in FORMATS:
        raise FormatError(
            f"reader {reader!r} is not a known format; use 'auto' or one of "
            f"{', '.join(FORMATS)}", path=path,
        )
    unit = config.get("unit", "auto")
    if unit not in UNITS:
        raise FormatError(f"unit {unit!r} is not one of {', '.join(UNITS)}", path=path)
    return config


def _metadata(folder: Path, name: str) -> dict[str, dict[str, Any]]:
    path = folder / name
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "doc_id" not in table.columns:
        raise FormatError(f"the metadata table needs a 'doc_id' column; it has "
                          f"{list(table.columns)}", path=path, line=1)
    return {row["doc_id"]: {k: v for k, v in row.items() if k != "doc_id"}
            for row in table.to_dict("records")}


def _is_readable(path: Path) -> bool:
    ext = path.suffix.lower()
    return any(ext in f.extensions for f in FORMATS.values())


def _folder_files(folder: Path, skip: set[str]) -> list[Path]:
    files, ignored = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir() or path.name in skip:
            continue
        if path.name.lower().startswith(_DOC_NAMES):
            continue  # a folder's own documentation is never a document
        if not _is_readable(path):
            ignored.append(path.name)
            continue
        files.append(path)
    if ignored:
        known = " ".join(sorted({e for f in FORMATS.values() for e in f.extensions}))
        warnings.warn(f"{folder}: not read (no reader for the extension; readable: {known}): "
                      f"{', '.join(ignored)}", FormatWarning, stacklevel=4)
    return files


def read_corpus(
    inputs: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    unit: str | None = None,
    interviewer: bool = True,
    **options: Any,
) -> Corpus:
    """Read files, folders or sample corpus folders into a segmented :class:`Corpus`.

    Parameters
    ----------
    inputs : path or list of paths
        Files, folders of files (not recursive), or corpus folders with a
        ``corpus.yaml`` (which names the reader, the unit and a metadata table).
    format : str, optional
        A registered format name (see :func:`tr_discourse.list_formats`); by
        default chosen per file by extension and content.
    unit : str, optional
        Segmenter: 'auto', 'document', 'paragraph', 'sentence', 'turn' or
        'comment'. Default: the unit the corpus folders declare, else 'auto'.
    interviewer : bool, default=True
        Keep interviewer turns (False leaves them out of turn, paragraph and
        sentence segments).
    **options
        Reader options, e.g. ``speakers=``/``interviewer_labels=`` for
        transcripts or ``columns_map=`` for tables.

    Returns
    -------
    Corpus

    Examples
    --------
    >>> import tr_discourse as trd
    >>> blog = trd.read_corpus("tests/data/thread/thread.txt")
    >>> blog.segments[["segment_id", "kind", "speaker", "parent_id"]].head(4)
        segment_id     kind            speaker    parent_id
    0  thread:c001     post  Probation Watcher         <NA>
    1  thread:c002     post  Probation Watcher         <NA>
    2  thread:c003  comment               <NA>         <NA>
    3  thread:c004    reply            Old Lag  thread:c003

    """
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    docs: list[_Doc] = []
    declared_units = set()
    for item in map(Path, inputs):
        if item.is_dir():
            config_path = next((item / n for n in _SKIP_NAMES if (item / n).exists()), None)
            skip = set(_SKIP_NAMES)
            metadata: dict[str, dict[str, Any]] = {}
            folder_format = format
            if config_path is not None:
                config = _corpus_config(item)
                declared_units.add(config.get("unit", "auto"))
                if format is None and config.get("reader", "auto") != "auto":
                    folder_format = config["reader"]
                if config.get("metadata"):
                    skip.add(config["metadata"])
                    metadata = _metadata(item, config["metadata"])
            else:
                declared_units.add("auto")
            found = set()
            for path in _folder_files(item, skip):
                for parsed in read_documents(path, folder_format, **options):
                    found.add(parsed.doc_id)
                    attrs = {**parsed.attributes, **metadata.get(parsed.doc_id, {})}
                    docs.append(_Doc(parsed, item.name, attrs))
            missing = sorted(set(metadata) - found)
            if missing:
                warnings.warn(f"{item}: metadata rows for documents that were not found: "
                              f"{', '.join(missing)}", FormatWarning, stacklevel=2)
        elif item.is_file():
            declared_units.add("auto")
            for parsed in read_documents(item, format, **options):
                docs.append(_Doc(parsed, item.parent.name or ".", dict(parsed.attributes)))
        else:
            raise FileNotFoundError(f"{item}: no such file or folder")
    if unit is None:
        unit = declared_units.pop() if len(declared_units) == 1 else "auto"
    step = f"read_corpus({[str(i) for i in inputs]!r}" + (
        f", format={format!r}" if format else "") + ")"
    history = (step, f"segment({unit!r}" + ("" if interviewer else ", interviewer=False") + ")")
    return Corpus(docs, unit=unit, interviewer=interviewer, history=history)


