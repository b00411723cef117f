"""Decoding files and small helpers on raw text and character offsets."""

from __future__ import annotations

import codecs
import json
import re
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import DecodingWarning, FormatError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes, path: str | Path) -> str:
    """Decode a file's bytes: BOM-aware UTF-8/16/32, else UTF-8, else cp1252 with a warning.

    Line endings are normalised to ``\\n`` (as Python's text mode does); nothing
    else is changed.

    Examples
    --------
    >>> decode_bytes("caf\\u00e9\\r\\n".encode("utf-8"), "a.txt")
    'café\\n'

    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding)
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc2:
                bad_line = data.count(b"\n", 0, exc2.start) + 1
                raise FormatError(
                    f"byte 0x{data[exc2.start]:02x} is neither UTF-8 nor cp1252; "
                    "save the file as UTF-8 and read it again",
                    path=path,
                    line=bad_line,
                ) from None
            warnings.warn(
                f"{path}: not valid UTF-8 (first bad byte 0x{data[exc.start]:02x} on line "
                f"{line}); decoded as cp1252 (Windows Western European)",
                DecodingWarning,
                stacklevel=3,
            )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: str | Path) -> str:
    """Read a text file with :func:`decode_bytes`."""
    return decode_bytes(Path(path).read_bytes(), path)


def iter_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(line_number, start_offset, line)`` for each line, without the newline.

    Examples
    --------
    >>> list(iter_lines("ab\\ncd"))
    [(1, 0, 'ab'), (2, 3, 'cd')]

    """
    pos = 0
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, pos, line
        pos += len(line) + 1


def json_lines(text: str, path: Any) -> Iterator[tuple[int, dict[str, Any], str]]:
    """Yield ``(line_number, object, line)`` for each non-blank line of JSON Lines ``text``.

    Raises FormatError naming ``path`` and the line when a line is not JSON or
    not a JSON object.

    Examples
    --------
    >>> [(n, obj) for n, obj, _ in json_lines('{"id": 1}\\n\\n{"id": 2}', "x.jsonl")]
    [(1, {'id': 1}), (3, {'id': 2})]
    >>> list(json_lines("[1, 2]", "x.jsonl"))
    Traceback (most recent call last):
    ...
    tr_discourse.errors.FormatError: x.jsonl, line 1: each line must be a JSON object, found list

    """
    for number, _, line in iter_lines(text):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FormatError(f"not valid JSON ({exc.msg})", path=path, line=number) from None
        if not isinstance(obj, dict):
            raise FormatError(f"each line must be a JSON object, found {type(obj).__name__}",
                              path=path, line=number)
        yield number, obj, line


def csv_table(text: str, path: Any, *, empty: str = "the file is empty",
              **read_csv: Any) -> Any:
    """Read decoded CSV ``text`` with pandas; a malformed or empty file is a FormatError.

    ``empty`` is the message for a file with no header row; ``read_csv`` goes
    to :func:`pandas.read_csv`.

    Examples
    --------
    >>> csv_table("id,text\\na,Hello\\n", "x.csv", dtype=str)["text"].tolist()
    ['Hello']
    >>> csv_table("", "x.csv")
    Traceback (most recent call last):
    ...
    tr_discourse.errors.FormatError: x.csv: the file is empty

    """
    import io

    import pandas as pd

    try:
        return pd.read_csv(io.StringIO(text), **read_csv)
    except pd.errors.EmptyDataError:
        raise FormatError(empty, path=path) from None
    except pd.errors.ParserError as exc:
        raise FormatError(f"not a well-formed CSV file ({exc})", path=path) from None


def line_of(text: str, offset: int) -> int:
    """Return the 1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


def strip_spans(text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> str:
    """Return ``text[start:end]`` with the given sorted, non-overlapping spans deleted.

    This is the documented normalisation from raw offsets to a segment's text.

    Examples
    --------
    >>> strip_spans("P1: [00:01] yes", 0, 15, [(0, 4), (4, 12)])
    'yes'

    """
    pieces = []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        if s > pos:
            pieces.append(text[pos:s])
        pos = max(pos, e)
    if pos < end:
        pieces.append(text[pos:end])
    return "".join(pieces)


_WORD = re.compile(r"\w+(?:['’]\w+)*")


def count_words(text: str) -> int:
    """Count words as runs of letters and digits (apostrophes join).

    Examples
    --------
    >>> count_words("Payment by results isn't working.")
    5

    """
    return sum(1 for _ in _WORD.finditer(text))
