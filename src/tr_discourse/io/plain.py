"""Plain-text and Markdown documents, and Word (.docx) files."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from .._model import ParsedDocument, Unit
from .._text import read_text
from ..errors import FormatError
from .transcript import find_labels, parse_transcript

__all__ = ["parse_plain"]


def parse_plain(text: str, *, doc_id: str, source: str, format: str = "text") -> ParsedDocument:
    """Make a document with one unit of kind ``text`` (the text without outer blank space).

    Examples
    --------
    >>> doc = parse_plain("\\n  A report.\\n\\n- a bullet\\n", doc_id="r", source="r.md")
    >>> u = doc.units[0]; doc.text[u.start:u.end]
    'A report.\\n\\n- a bullet'

    """
    units = []
    if text.strip():
        start = len(text) - len(text.lstrip())
        units.append(Unit(start, len(text.rstrip()), "text"))
    return ParsedDocument(doc_id, text, "document", format, source, units, [])


def read_plain(path: Path) -> list[ParsedDocument]:
    """Read a plain-text or Markdown document (conference talk, report, editorial)."""
    return [parse_plain(read_text(path), doc_id=path.stem, source=str(path))]


def read_docx(
    path: Path,
    *,
    speakers: Collection[str] | None = None,
    interviewer_labels: Collection[str] | None = None,
) -> list[ParsedDocument]:
    """Read a Word file: its paragraphs, one per line, as a transcript when it has speaker labels.

    Needs the optional extra ``docx`` (``pip install 'tr_discourse[docx]'``).
    """
    try:
        import docx
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            f"{path}: reading .docx files needs python-docx; install it with "
            "`pip install 'tr_discourse[docx]'`"
        ) from None
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise FormatError(f"not a readable Word .docx file ({exc})", path=path) from None
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise FormatError(f"not a readable Word .docx file ({exc})", path=path) from None
    text = "\n".join(p.text for p in document.paragraphs)
    if find_labels(text, speakers=speakers, interviewer_labels=interviewer_labels):
        doc = parse_transcript(text, doc_id=path.stem, source=str(path), format="docx",
                               speakers=speakers, interviewer_labels=interviewer_labels)
    else:
        doc = parse_plain(text, doc_id=path.stem, source=str(path), format="docx")
    return [doc]
