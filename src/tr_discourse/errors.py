"""Exceptions and warnings raised by tr_discourse, and helpers that word them.

Every error names what was wrong, where (file, line or row) and what would be
accepted. Errors subclass the built-in exception a user already catches.
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike

__all__ = [
    "DecodingWarning",
    "FormatError",
    "FormatWarning",
    "TrDiscourseError",
    "TrDiscourseWarning",
    "UnknownNameError",
]


class TrDiscourseError(Exception):
    """Base class of the errors raised by tr_discourse."""


class FormatError(TrDiscourseError, ValueError):
    """A file could not be read as the format it was read as.

    Parameters
    ----------
    message : str
        What is wrong and what would be accepted.
    path : str or path-like, optional
        The file.
    line : int, optional
        The 1-based line (or row) where the problem is.

    Examples
    --------
    >>> str(FormatError("expected a timing line", path="talk.vtt", line=4))
    'talk.vtt, line 4: expected a timing line'

    """

    def __init__(
        self, message: str, *, path: str | PathLike[str] | None = None, line: int | None = None
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = message
        where = []
        if self.path is not None:
            where.append(self.path)
        if line is not None:
            where.append(f"line {line}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class UnknownNameError(TrDiscourseError, ValueError):
    """A name (format, unit, ...) is not one of the registered names."""


class TrDiscourseWarning(UserWarning):
    """Base class of the warnings issued by tr_discourse."""


class DecodingWarning(TrDiscourseWarning):
    """A file was not valid UTF-8 and was decoded as cp1252."""


class FormatWarning(TrDiscourseWarning):
    """A file was read, but something in it was not as its format says."""


def unknown_name(what: str, value: object, known: Iterable[str]) -> UnknownNameError:
    """Build the error for a name that is not registered.

    Examples
    --------
    >>> str(unknown_name("format", "pdf", ["csv", "docx"]))
    "Unknown format 'pdf'. Known formats: 'csv', 'docx'."

    """
    names = ", ".join(repr(k) for k in sorted(known))
    return UnknownNameError(f"Unknown {what} {value!r}. Known {what}s: {names}.")
