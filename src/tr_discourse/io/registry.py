"""The format registry: names, extensions, content sniffers and readers.

Formats are chosen by extension and, where several share one (``.txt``,
``.xml``), by content; a name passed as ``format=`` always wins.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._model import ParsedDocument
from .._text import decode_bytes
from ..errors import FormatError, unknown_name

__all__ = ["FORMATS", "FormatSpec", "detect_format", "get_format", "list_formats",
           "read_documents", "register_format"]

Reader = Callable[..., list[ParsedDocument]]


@dataclass(frozen=True)
class FormatSpec:
    """A registered input format."""

    name: str
    extensions: tuple[str, ...]
    description: str
    reader: Reader
    sniff: Callable[[str], bool] | None = None

    @property
    def options(self) -> tuple[str, ...]:
        """Keyword options the reader accepts."""
        params = inspect.signature(self.reader).parameters
        return tuple(p for p in params if params[p].kind is inspect.Parameter.KEYWORD_ONLY
                     and p != "format")


#: Registered formats by name, in registration order (sniffers are tried in this order).
FORMATS: dict[str, FormatSpec] = {}


def register_format(
    name: str,
    *,
    extensions: tuple[str, ...],
    description: str,
    sniff: Callable[[str], bool] | None = None,
) -> Callable[[Reader], Reader]:
    """Register a reader ``reader(path, **options) -> list[ParsedDocument]`` under ``name``.

    Formats sharing an extension are told apart by ``sniff(head_of_file)``; a
    format without a sniffer is the fallback for its extensions.
    """

    def decorator(reader: Reader) -> Reader:
        FORMATS[name] = FormatSpec(name, tuple(e.lower() for e in extensions), description,
                                   reader, sniff)
        return reader

    return decorator


def get_format(name: str) -> FormatSpec:
    """Return the format registered as ``name``.

    Examples
    --------
    >>> get_format("webvtt").extensions
    ('.vtt',)
    >>> get_format("pdf")
    Traceback (most recent call last):
    ...
    tr_discourse.errors.UnknownNameError: Unknown format 'pdf'. Known formats: ...

    """
    try:
        return FORMATS[name]
    except KeyError:
        raise unknown_name("format", name, FORMATS) from None


def list_formats() -> pd.DataFrame:
    """Return a table of the registered formats: name, extensions, options, description."""
    return pd.DataFrame(
        [(f.name, " ".join(f.extensions), " ".join(f.options), f.description)
         for f in FORMATS.values()],
        columns=["name", "extensions", "options", "description"],
    )


def detect_format(path: str | Path) -> str:
    """Choose a format for a file by its extension and, where needed, its content."""
    path = Path(path)
    ext = path.suffix.lower()
    candidates = [f for f in FORMATS.values() if ext in f.extensions]
    if not candidates:
        known = sorted({e for f in FORMATS.values() for e in f.extensions})
        raise FormatError(
            f"no reader for files ending {ext or '(no extension)'!r}; known extensions: "
            f"{', '.join(known)}; or pass format= one of {', '.join(FORMATS)}",
            path=path,
        )
    if len(candidates) == 1:
        return candidates[0].name
    head = decode_bytes(path.read_bytes()[:65536], path)
    for fmt in candidates:
        if fmt.sniff is not None and fmt.sniff(head):
            return fmt.name
    fallback = [f for f in candidates if f.sniff is None]
    if fallback:
        return fallback[0].name
    raise FormatError(
        f"the content matches none of the formats for {ext!r} files "
        f"({', '.join(f.name for f in candidates)}); pass format= to choose one",
        path=path,
    )


def read_documents(
    path: str | Path, format: str | None = None, **options: Any
) -> list[ParsedDocument]:
    """Read one file into parsed documents with the named or detected format."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    spec = get_format(format) if format else get_format(detect_format(path))
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        accepted = ", ".join(spec.options) or "none"
        raise TypeError(
            f"format {spec.name!r} does not take option(s) {', '.join(unknown)}; "
            f"it takes: {accepted}"
        )
    return spec.reader(path, **options)
