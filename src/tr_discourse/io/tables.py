"""Tables of documents: CSV, JSON Lines and Parquet, one row per document.

A table needs an ``id`` and a ``text`` column; ``columns_map`` renames the
columns of a table that calls them something else (``{"doc_no": "id",
"body": "text"}``). Every other column is kept as document metadata; a ``date``
column is parsed as a date and a ``title`` column is the title. Each row's text
is one unit of kind ``text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .._model import ParsedDocument
from .._text import csv_table, decode_bytes, json_lines
from ..errors import FormatError
from .plain import parse_plain

__all__ = ["read_table_documents"]


def _load(path: Path, format: str) -> tuple[pd.DataFrame, int]:
    """Return the table and the line number of its first row (for messages)."""
    if format == "parquet":
        try:
            return pd.read_parquet(path), 1
        except Exception as exc:
            raise FormatError(f"not a readable Parquet file ({exc})", path=path) from None
    text = decode_bytes(path.read_bytes(), path)
    if format == "csv":
        return csv_table(text, path, dtype=str, keep_default_na=False), 2
    return pd.DataFrame([row for _, row, _ in json_lines(text, path)]), 1


def read_table_documents(
    path: Path, *, format: str, columns_map: Mapping[str, str] | None = None
) -> list[ParsedDocument]:
    """Read a CSV, JSONL or Parquet table with one document per row."""
    table, first_line = _load(path, format)
    if columns_map:
        missing = [c for c in columns_map if c not in table.columns]
        if missing:
            raise FormatError(
                f"columns_map names column(s) {missing} that the table does not have; "
                f"its columns are {list(table.columns)}",
                path=path,
            )
        table = table.rename(columns=dict(columns_map))
    for required in ("id", "text"):
        if required not in table.columns:
            raise FormatError(
                f"the table has no {required!r} column (columns: {list(table.columns)}); "
                f"name it {required!r} or pass columns_map={{'your_column': {required!r}}}",
                path=path,
            )
    where = "line" if format != "parquet" else "row"
    seen: dict[str, int] = {}
    docs = []
    for k, row in enumerate(table.to_dict("records")):
        line = k + first_line
        doc_id = row["id"]
        if doc_id is None or (isinstance(doc_id, float) and pd.isna(doc_id)) or str(doc_id) == "":
            raise FormatError(f"{where} {line} has an empty 'id'", path=path)
        doc_id = str(doc_id)
        if doc_id in seen:
            raise FormatError(
                f"id {doc_id!r} on {where} {line} was already used on {where} {seen[doc_id]}; "
                "ids must be unique",
                path=path,
            )
        seen[doc_id] = line
        text = row["text"]
        if not isinstance(text, str):
            raise FormatError(
                f"{where} {line} (id {doc_id!r}): 'text' must be a string, found {text!r}",
                path=path,
            )
        doc = parse_plain(text.replace("\r\n", "\n"), doc_id=doc_id, source=str(path),
                          format=format)
        for key in ("title", "date"):
            if key in row and row[key] not in (None, ""):
                doc.meta[key] = row[key]
        doc.attributes.update(
            {k2: v for k2, v in row.items() if k2 not in ("id", "text", "title", "date")}
        )
        docs.append(doc)
    return docs
