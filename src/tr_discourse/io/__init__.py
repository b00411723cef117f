"""Readers for the files researchers bring, in a registry of named formats.

Importing this package registers the built-in formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .._model import ParsedDocument
from .blogger import looks_like_blogger_text, read_blogger_text
from .feeds import looks_like_blogger_atom, looks_like_wxr, read_blogger_atom, read_wxr
from .plain import read_docx, read_plain
from .registry import (
    FORMATS,
    FormatSpec,
    detect_format,
    get_format,
    list_formats,
    read_documents,
    register_format,
)
from .subtitles import read_srt, read_webvtt
from .tables import read_table_documents
from .transcript import looks_like_transcript, read_transcript
from .write import write_table

__all__ = ["FORMATS", "FormatSpec", "detect_format", "get_format", "list_formats",
           "read_documents", "register_format", "write_table"]

register_format(
    "blogger-text", extensions=(".txt",), sniff=looks_like_blogger_text,
    description="Plain-text copy of a Blogger page: post, 'N comments:', numbered comments",
)(read_blogger_text)
register_format(
    "transcript", extensions=(".txt",), sniff=looks_like_transcript,
    description="Interview transcript with speaker labels (Interviewer:, I:/R:, Q./A., P3:)",
)(read_transcript)
register_format(
    "text", extensions=(".txt", ".md", ".markdown"),
    description="Plain text or Markdown document (talk, report, editorial)",
)(read_plain)
register_format(
    "webvtt", extensions=(".vtt",),
    description="WebVTT captions; speakers from <v Name> tags or Name: prefixes",
)(read_webvtt)
register_format(
    "srt", extensions=(".srt",), description="SRT subtitles; speakers from Name: prefixes",
)(read_srt)
register_format(
    "docx", extensions=(".docx",),
    description="Word document, read as a transcript when it has speaker labels (extra 'docx')",
)(read_docx)
register_format(
    "blogger-atom", extensions=(".xml", ".atom"), sniff=looks_like_blogger_atom,
    description="Blogger export (Atom XML): posts with their comments and replies",
)(read_blogger_atom)
register_format(
    "wxr", extensions=(".xml",), sniff=looks_like_wxr,
    description="WordPress export (WXR): posts with comments, parents from wp:comment_parent",
)(read_wxr)


def _table_reader(fmt: str):
    def reader(path: Path, *, columns_map: Mapping[str, str] | None = None
               ) -> list[ParsedDocument]:
        return read_table_documents(path, format=fmt, columns_map=columns_map)

    reader.__doc__ = f"Read a {fmt} table with one document per row (columns id, text)."
    return reader


register_format("csv", extensions=(".csv",),
                description="CSV table, one document per row (id, text, metadata)",
                )(_table_reader("csv"))
register_format("jsonl", extensions=(".jsonl", ".ndjson"),
                description="JSON Lines table, one document per line (id, text, metadata)",
                )(_table_reader("jsonl"))
register_format("parquet", extensions=(".parquet",),
                description="Parquet table, one document per row (id, text, metadata)",
                )(_table_reader("parquet"))

