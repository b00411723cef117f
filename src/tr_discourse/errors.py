"""Exceptions and warnings raised by tr_discourse, and helpers that word them.

Every error names what was wrong, where (file, line or row) and what would be
accepted. Errors subclass the built-in exception a user already catches.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


def unknown_name(
    what: str,
    value: object,
    known: Iterable[str],
    *,
    where: str | PathLike[str] | None = None,
    plural: str | None = None,
) -> UnknownNameError:
    """Build the error for a name that is not one of the accepted names.

    Every such message has one shape: where the value was given (when known),
    the value, and the accepted names, sorted.

    Parameters
    ----------
    what : str
        What the name names: ``"format"``, ``"level"``, ``"correction"``...
    value : object
        The value received.
    known : iterable of str
        The accepted names.
    where : str or path-like, optional
        Where the value was given: a function (``"cooccurrence"``), a
        command-line option (``"--out x.xlsx"``) or a file.
    plural : str, optional
        The plural of ``what`` (default: ``what`` with an "s").

    Returns
    -------
    UnknownNameError
        To raise; a ``ValueError``.

    Examples
    --------
    >>> str(unknown_name("format", "pdf", ["csv", "docx"]))
    "Unknown format 'pdf'. Known formats: 'csv', 'docx'."
    >>> str(unknown_name("correction", "bonferroni", ["holm", "bh", "none"], where="adjust_p"))
    "adjust_p: unknown correction 'bonferroni'. Known corrections: 'bh', 'holm', 'none'."
    >>> str(unknown_name("weights", "cubic", ["linear", "quadratic"], plural="weights"))
    "Unknown weights 'cubic'. Known weights: 'linear', 'quadratic'."

    """
    names = ", ".join(repr(k) for k in sorted(known))
    message = f"unknown {what} {value!r}. Known {plural or what + 's'}: {names}."
    if where is None:
        return UnknownNameError(message[0].upper() + message[1:])
    return UnknownNameError(f"{where}: {message}")


@contextmanager
def warnings_to_stderr(*, quiet: bool = False) -> Iterator[None]:
    """Record the warnings of the block and print each as ``warning: ...`` once it has run.

    How the command line reports warnings. A message given twice (a file
    decoded once to detect its format and again to read it) is printed once.
    Nothing is printed with ``quiet``, nor when the block raises (the error is
    then the one line printed).

    Examples
    --------
    >>> import contextlib, io, warnings
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err), warnings_to_stderr():
    ...     warnings.warn("cp1252, not UTF-8")
    ...     warnings.warn("cp1252, not UTF-8")
    >>> err.getvalue()
    'warning: cp1252, not UTF-8\\n'

    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    if not quiet:
        for message in dict.fromkeys(str(w.message) for w in caught):
            print(f"warning: {message}", file=sys.stderr)
