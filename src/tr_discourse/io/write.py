"""Writing tables atomically as CSV, JSON Lines or Parquet."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import unknown_name

__all__ = ["TABLE_EXTENSIONS", "write_table"]

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        if ext == ".parquet":
            table.to_parquet(tmp, index=False)
        elif ext == ".csv":
            table.to_csv(tmp, index=False, date_format="%Y-%m-%dT%H:%M:%S")
        else:
            table.to_json(tmp, orient="records", lines=True, date_format="iso",
                          force_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
