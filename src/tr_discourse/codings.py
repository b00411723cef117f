"""The codings table: who put which code on which segment, with the evidence.

One long table, one row per (segment, code, coder). A row whose ``code`` is
missing says "this coder examined the segment and gave it no code", which is
kept apart from a segment the coder never examined (no row at all).

Files are read and written as CSV, JSON Lines or Parquet. JSON Lines files may
also hold one row per segment, ``{"id": SEGMENT_ID, "codes": [CODE, ...]}``,
where an empty list means "examined, no code".
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._text import csv_table, decode_bytes, json_lines
from .errors import FormatError, unknown_name
from .io.write import TABLE_EXTENSIONS, atomic_write_bytes, write_table

__all__ = [
    "CODING_COLUMNS",
    "code_matrix",
    "coded_sets",
    "codings_from_sets",
    "read_codings",
    "roll_up",
    "validate_codings",
    "write_codings",
]

#: Columns of the codings table, in order, with what each holds.
CODING_COLUMNS = {
    "segment_id": "the coded segment (a segment_id of the segments table)",
    "code": "the code id; missing when the coder examined the segment and gave no code",
    "coder": "who or what coded: a person's initials, 'rules', 'ml', 'reference'...",
    "score": "the coder's confidence in [0, 1]; 1 for human coding",
    "start": "evidence: offset of the first matched character within the segment text",
    "end": "evidence: offset one past the last matched character within the segment text",
    "evidence": "the matched text, or a short note",
    "rule_id": "the pattern that fired (rule coder) or the model's name",
}
_DTYPES = {"segment_id": "string", "code": "string", "coder": "string", "score": "float64",
           "start": "Int64", "end": "Int64", "evidence": "string", "rule_id": "string"}


def _frame(rows: Any) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    for col, dtype in _DTYPES.items():
        if col not in table:  # a typed missing column: an untyped NA cannot become float64
            table[col] = pd.Series(None, index=table.index, dtype=dtype)
        table[col] = table[col].astype(dtype)
    extra = [c for c in table.columns if c not in _DTYPES]
    return table[list(_DTYPES) + extra]


def codings_from_sets(
    sets: Mapping[str, Iterable[str]], *, coder: str, score: float = 1.0
) -> pd.DataFrame:
    """Build a codings table from ``{segment_id: codes}``; an empty set means "no code".

    Examples
    --------
    >>> table = codings_from_sets({"a:t001": ["marketisation"], "a:t002": []}, coder="AB")
    >>> table[["segment_id", "code", "coder"]].values.tolist()
    [['a:t001', 'marketisation', 'AB'], ['a:t002', <NA>, 'AB']]

    """
    rows: list[dict[str, Any]] = []
    for seg, codes in sets.items():
        codes = sorted(set(codes))
        if not codes:
            rows.append({"segment_id": seg, "code": None, "coder": coder, "score": score})
        rows.extend({"segment_id": seg, "code": c, "coder": coder, "score": score}
                    for c in codes)
    return _frame(rows)


def roll_up(codings: pd.DataFrame, codebook: Any) -> pd.DataFrame:
    """Add each coded segment's ancestor codes (a child code implies its parents).

    A parent row added for a child keeps the child's coder, score and evidence;
    where a segment has the parent twice for one coder (coded directly, or for
    two children), the row with the higher score is kept, at equal scores the
    first in the order below. Codes the codebook does not know are left as
    they are.

    The rows of a segment come out together, segments in the order they first
    appear: first the segment's own rows in their order, then the parent rows
    added for it, in the order of the rows they were added for (each row's
    ancestors nearest first). So a table whose segments' rows are together
    keeps its order, with each segment's new parents right after its rows.

    Examples
    --------
    >>> import tr_discourse as trd
    >>> book = trd.load_codebook("codebooks/tr_core.yaml")
    >>> t = codings_from_sets({"s1": ["payment_by_results"], "s2": ["caseload_pressure"]},
    ...                       coder="X")
    >>> roll_up(t, book)[["segment_id", "code"]].values.tolist()
    [['s1', 'payment_by_results'], ['s1', 'marketisation'],
     ['s2', 'caseload_pressure'], ['s2', 'professionalisation']]

    """
    known = set(codebook)
    table = _frame(codings).reset_index(drop=True)
    lineage = {c: list(codebook.ancestors(c)) for c in table["code"].dropna().unique()
               if c in known and codebook.ancestors(c)}
    if not lineage:  # no code of the table has a parent
        return table
    # One row per (row, ancestor), the row's number as index: rows in order, nearest first.
    parents = table["code"].astype(object).map(lineage).explode().dropna()
    added = table.loc[parents.index].assign(code=parents.to_numpy())
    out = pd.concat([table, added], ignore_index=True)
    segment = pd.factorize(table["segment_id"], use_na_sentinel=False)[0]
    segment = np.concatenate([segment, segment[parents.index]])
    is_added = np.repeat([0, 1], [len(table), len(added)])
    out = out.iloc[np.lexsort((np.arange(len(out)), is_added, segment))]
    best_first = np.argsort(-out["score"].fillna(0).to_numpy(), kind="stable")
    kept = ~out.iloc[best_first].duplicated(["segment_id", "code", "coder"])
    out = out.iloc[np.sort(best_first[kept.to_numpy()])]
    return _frame(out.reset_index(drop=True))


def coded_sets(codings: pd.DataFrame, *, coder: str | None = None) -> pd.Series:
    """Return the set of codes per examined segment, as a Series of frozensets.

    Segments with only a "no code" row map to the empty set; segments the coder
    never examined are absent. Segment ids and codes are taken as text (a
    number used as a code name becomes its text, as it was read).

    Parameters
    ----------
    codings : DataFrame
        A codings table (``segment_id``, ``code`` and, optionally, ``coder``).
    coder : str, optional
        The coder whose rows to take; needed when the table holds several.

    Returns
    -------
    Series
        Frozensets of code ids, indexed by ``segment_id`` in sorted order.

    Examples
    --------
    >>> table = codings_from_sets({"s1": ["a", "b"], "s2": []}, coder="X")
    >>> {seg: sorted(codes) for seg, codes in coded_sets(table).items()}
    {'s1': ['a', 'b'], 's2': []}

    """
    return _code_table(codings, coder=coder, sort=True).sets()


class _CodeTable(NamedTuple):
    """The codes of each examined segment as a boolean matrix: what every count starts from.

    Built once from a codings table by :func:`_code_table` and passed on, so
    that one call parses its codings once (``coded_sets`` is its ``sets()``).
    ``index`` holds the examined segments' ids as text, ``hit[i, j]`` says
    whether segment ``index[i]`` has code ``codes[j]``, and ``codes`` are the
    codes used, as sorted text.
    """

    index: pd.Index
    hit: np.ndarray
    codes: list[str]

    def columns(self, codes: Sequence[str]) -> np.ndarray:
        """Return ``hit`` with one column per code of ``codes`` (all False for a code not used)."""
        where = pd.Index(self.codes, dtype=object).get_indexer(pd.Index(list(codes), dtype=object))
        out = np.zeros((len(self.index), len(where)), dtype=bool)
        found = where >= 0
        out[:, found] = self.hit[:, where[found]]
        return out

    def rolled_up(self, codebook: Any) -> _CodeTable:
        """Return the table with each code's ancestors added, as :func:`roll_up` does to codings."""
        known = set(codebook)
        parents = {c: codebook.ancestors(c) for c in self.codes if c in known}
        codes = sorted(set(self.codes).union(*parents.values()))
        hit = self.columns(codes)
        column = {c: j for j, c in enumerate(codes)}
        for child, ancestors in parents.items():
            for parent in ancestors:
                hit[:, column[parent]] |= hit[:, column[child]]
        return _CodeTable(self.index, hit, codes)

    def sets(self) -> pd.Series:
        """Return the frozenset of codes of each segment (the :func:`coded_sets` Series)."""
        values = np.empty(len(self.index), dtype=object)
        if len(self.codes) and len(self.index):
            # One frozenset per distinct row of the matrix, shared by the rows that repeat it.
            packed = np.ascontiguousarray(np.packbits(self.hit, axis=1))
            rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
            _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
            names = np.array(self.codes, dtype=object)
            distinct = np.empty(len(first), dtype=object)
            distinct[:] = [frozenset(names[self.hit[i]]) for i in first]
            values[:] = distinct[inverse.ravel()]
        else:
            values[:] = [frozenset()] * len(self.index)
        return pd.Series(values, index=pd.Index(self.index, name="segment_id"), dtype=object,
                         name="codes")


def _code_table(codings: pd.DataFrame, *, coder: str | None = None,
                sort: bool = False) -> _CodeTable:
    """Parse a codings table once into a :class:`_CodeTable` (segments in sorted order if ``sort``).

    Array operations only: linear in the number of rows, fast for millions.
    """
    if coder is not None:
        codings = codings[codings["coder"] == coder]
    elif "coder" in codings and codings["coder"].nunique() > 1:
        raise ValueError(f"the codings hold several coders ({', '.join(_coders(codings))}); "
                         "pass coder= to choose one")
    seg_pos, seg_ids = _factorize_text(codings["segment_id"], sort=sort, missing=True)
    code_pos, codes = _factorize_text(codings["code"], sort=True, missing=False)
    hit = np.zeros((len(seg_ids), len(codes)), dtype=bool)
    coded = code_pos >= 0
    hit[seg_pos[coded], code_pos[coded]] = True
    return _CodeTable(pd.Index(seg_ids, name="segment_id"), hit, list(codes))


def _factorize_text(values: pd.Series, *, sort: bool, missing: bool
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Return each value's position in the distinct values, and those values as text.

    Values are compared as their text (``str(value)``: ``3`` and ``"3"`` are
    one value, ``3.0`` another). With ``missing=False`` a missing value is left
    out (position -1); with ``missing=True`` it is the value its text gives.
    """
    if isinstance(values.dtype, pd.StringDtype) and not (missing and values.hasnans):
        pos, uniques = pd.factorize(values, sort=sort)  # text already: no conversion
        return pos, np.asarray(uniques, dtype=object)
    raw = values.to_numpy(dtype=object)
    text = _TEXT(raw)
    if not missing:
        text[pd.isna(raw)] = None
    pos, uniques = pd.factorize(text, sort=sort, use_na_sentinel=not missing)
    return pos, np.asarray(uniques, dtype=object)


_TEXT = np.frompyfunc(str, 1, 1)  # str() of every element of an object array


def _group_counts(group: np.ndarray, hit: np.ndarray, n_groups: int) -> np.ndarray:
    """Return the number of True cells per group and column (``n_groups x hit.shape[1]``).

    ``group[i]`` is the group of row ``i``; one ``np.bincount`` over the True cells.

    Examples
    --------
    >>> hit = np.array([[True, False], [True, True], [False, True]])
    >>> _group_counts(np.array([0, 0, 1]), hit, 2).tolist()
    [[2, 1], [0, 1]]

    """
    n_codes = hit.shape[1]
    rows, cols = np.nonzero(hit)
    flat = np.bincount(group[rows] * n_codes + cols, minlength=n_groups * n_codes)
    return flat.reshape(n_groups, n_codes)


def code_matrix(code_sets: Any, codes: Sequence[str]) -> np.ndarray:
    """Return a boolean matrix whose row i, column j is True when set i holds code j.

    For code sets at hand (the values of :func:`coded_sets`, say): one pass
    over the sets, then array arithmetic. The library's own counts
    (frequencies, co-occurrence, agreement) parse a codings table straight
    into such a matrix instead.

    Examples
    --------
    >>> code_matrix([{"a"}, set(), {"a", "b"}], ["a", "b"]).astype(int).tolist()
    [[1, 0], [0, 0], [1, 1]]

    """
    index = {c: j for j, c in enumerate(codes)}
    hit = np.zeros((len(code_sets), len(index)), dtype=bool)
    for i, found in enumerate(code_sets):
        for c in found:
            j = index.get(c)
            if j is not None:
                hit[i, j] = True
    return hit


def _coders(codings: pd.DataFrame) -> list[str]:
    return sorted(str(c) for c in codings["coder"].dropna().unique())


def read_codings(path: str | Path, *, coder: str | None = None) -> pd.DataFrame:
    """Read a codings file (.csv, .jsonl or .parquet) into the codings table.

    Parameters
    ----------
    path : str or Path
        A long table with at least ``segment_id`` and ``code`` columns, or JSON
        Lines rows ``{"id": ..., "codes": [...]}``.
    coder : str, optional
        The coder's name when the file has no ``coder`` column (default: the
        file's stem).

    Raises
    ------
    FormatError
        Naming the file and the line or row that is wrong.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ab.jsonl"
    >>> _ = p.write_text('{"id": "s1", "codes": ["a"]}\\n{"id": "s2", "codes": []}\\n')
    >>> read_codings(p)[["segment_id", "code", "coder"]].values.tolist()
    [['s1', 'a', 'ab'], ['s2', <NA>, 'ab']]

    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in TABLE_EXTENSIONS:
        raise unknown_name("codings file extension", ext or "(none)", TABLE_EXTENSIONS,
                           where=path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such codings file")
    name = coder or path.stem
    if ext == ".jsonl":
        table = _read_jsonl(path, name)
    elif ext == ".csv":
        table = _read_csv(path)
    else:
        table = pd.read_parquet(path)
    missing = [c for c in ("segment_id", "code") if c not in table]
    if missing:
        raise FormatError(f"no column {', '.join(map(repr, missing))}; a codings table needs "
                          f"'segment_id' and 'code' (columns: {', '.join(CODING_COLUMNS)}), "
                          "or JSON Lines rows {\"id\": ..., \"codes\": [...]}", path=path)
    blank = table["segment_id"].isna()
    if blank.any():
        row = int(blank.to_numpy().nonzero()[0][0]) + 2
        raise FormatError("empty segment_id", path=path, line=row)
    if "coder" not in table or table["coder"].isna().all():
        table["coder"] = name
    return _frame(table)


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV codings file, decoded as the corpus readers decode (BOMs, cp1252)."""
    return csv_table(decode_bytes(path.read_bytes(), path), path,
                     empty="the file is empty; a codings table needs a header row with "
                     "'segment_id' and 'code'",
                     dtype={"segment_id": str, "code": str, "coder": str},
                     keep_default_na=False, na_values=[""])


def _read_jsonl(path: Path, coder: str) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for n, obj, line in json_lines(decode_bytes(path.read_bytes(), path), path):
        if "codes" in obj:
            codes = obj["codes"]
            if "id" not in obj or not isinstance(codes, list) or \
                    not all(isinstance(c, str) for c in codes):
                raise FormatError(f"expected {{\"id\": SEGMENT_ID, \"codes\": [CODE, ...]}}, "
                                  f"got {line.strip()[:80]}", path=path, line=n)
            base = {"segment_id": str(obj["id"]), "coder": obj.get("coder", coder),
                    "score": 1.0}
            if not codes:
                rows.append({**base, "code": None})
            rows.extend({**base, "code": c} for c in dict.fromkeys(codes))
        else:
            rows.append(obj)
    return pd.DataFrame(rows, columns=None if rows else ["segment_id", "code"])


def validate_codings(
    codings: pd.DataFrame,
    *,
    codes: Iterable[str] | None = None,
    segments: pd.DataFrame | Iterable[str] | None = None,
    source: str = "codings",
) -> None:
    """Check that every code is known and every coded segment exists.

    Raises a ``ValueError`` naming the first rows at fault and what is accepted.

    Examples
    --------
    >>> table = codings_from_sets({"s1": ["marketisaton"]}, coder="X")
    >>> validate_codings(table, codes=["marketisation"])
    Traceback (most recent call last):
    ...
    ValueError: codings, row 1: unknown code 'marketisaton' (did you mean 'marketisation'?)...

    """
    problems: list[str] = []
    if codes is not None:
        known = set(codes)
        from difflib import get_close_matches

        bad = codings["code"].notna() & ~codings["code"].isin(known)
        for i in bad.to_numpy().nonzero()[0][:5]:
            value = str(codings["code"].iloc[i])
            near = get_close_matches(value, known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(f"{source}, row {i + 1}: unknown code {value!r}{hint}")
        if bad.any():
            problems.append(f"known codes: {', '.join(sorted(known))}")
    if segments is not None:
        ids = set(segments["segment_id"] if isinstance(segments, pd.DataFrame) else segments)
        bad = ~codings["segment_id"].isin(ids)
        for i in bad.to_numpy().nonzero()[0][:5]:
            problems.append(f"{source}, row {i + 1}: segment {codings['segment_id'].iloc[i]!r} "
                            "is not in the segments table")
        if bad.sum() > 5:
            problems.append(f"... {int(bad.sum())} rows name segments that do not exist")
    if problems:
        raise ValueError("\n".join(problems))


def write_codings(
    codings: pd.DataFrame, path: str | Path, *, provenance: Mapping[str, str] | None = None
) -> Path:
    """Write a codings table (.csv, .jsonl or .parquet) atomically.

    ``provenance`` (for example ``Codebook.provenance()``) is stored in the
    Parquet file's metadata, and as constant columns in CSV and JSON Lines, so
    the codebook's name, version and hash travel with the codings.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "c.parquet"
    >>> t = codings_from_sets({"s1": ["a"]}, coder="X")
    >>> _ = write_codings(t, out, provenance={"codebook_hash": "ab12"})
    >>> import pyarrow.parquet as pq
    >>> pq.read_schema(out).metadata[b"tr_discourse"]
    b'{"codebook_hash": "ab12"}'

    """
    path = Path(path)
    table = _frame(codings)
    if path.suffix.lower() != ".parquet" or not provenance:
        if provenance:
            table = table.assign(**dict(provenance))
        return write_table(table, path)

    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"tr_discourse"] = json.dumps(dict(provenance)).encode()
    buf = io.BytesIO()
    pq.write_table(arrow.replace_schema_metadata(meta), buf)
    return atomic_write_bytes(path, buf.getvalue())
