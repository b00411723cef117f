"""Writing tables atomically as CSV, JSON Lines or Parquet."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import unknown_name

__all__ = ["TABLE_EXTENSIONS", "atomic_write_bytes", "atomic_write_text", "write_table"]

TABLE_EXTENSIONS = (".csv", ".jsonl", ".parquet")


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a table by the extension of ``path`` (.csv, .jsonl or .parquet), atomically.

    The table is written to a temporary file beside ``path`` and moved into
    place only when complete, so an interrupted run never leaves a partial file
    under the final name. Dates are written as ISO 8601 text in CSV and JSONL.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.jsonl"
    >>> _ = write_table(pd.DataFrame({"a": [1]}), out)
    >>> out.read_text()
    '{"a":1}\\n'

    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in TABLE_EXTENSIONS:
        raise unknown_name("table extension", ext or "(none)", TABLE_EXTENSIONS)

    def write(tmp: str) -> None:
        if ext == ".parquet":
            table.to_parquet(tmp, index=False)
        elif ext == ".csv":
            table.to_csv(tmp, index=False, date_format="%Y-%m-%dT%H:%M:%S")
        else:
            table.to_json(tmp, orient="records", lines=True, date_format="iso",
                          force_ascii=False)

    return _atomically(path, write)


def _atomically(path: Path, write: Callable[[str], None]) -> Path:
    """Call ``write(temporary_path)`` and move the result to ``path`` only if it succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes to ``path`` atomically."""
    return _atomically(Path(path), lambda tmp: Path(tmp).write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text to ``path`` atomically (no byte-order mark)."""
    return atomic_write_bytes(path, text.encode("utf-8"))
