"""Theme frequencies and co-occurrence from a segments table and a codings table.

Only segments the coder examined count: a segment with a "no code" row is in
the denominator, a segment the coder never saw is not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from .codings import coded_sets

__all__ = ["cooccurrence", "frequencies", "wilson_interval"]


def wilson_interval(k: np.ndarray | float, n: np.ndarray | float, z: float = 1.959964
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``k / n`` (95% by default).

    Examples
    --------
    >>> low, high = wilson_interval(8, 20)
    >>> round(float(low), 4), round(float(high), 4)
    (0.2188, 0.6134)

    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z ** 2 / n
        centre = (p + z ** 2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / denom
    return centre - half, centre + half


def frequencies(segments: pd.DataFrame, codings: pd.DataFrame, *,
                by: str | Sequence[str] | None = None,
                codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Per code (and group): coded segments, documents, share with a Wilson interval, rate.

    Parameters
    ----------
    segments : DataFrame
        The segments table (``segment_id``, ``doc_id``, ``n_words`` and any
        metadata column named in ``by``).
    codings : DataFrame
        One coder's codings table.
    by : str or list of str, optional
        Segment columns to group by (``corpus``, ``kind``, ``role``...).
    codes : list of str, optional
        Codes to report, in order (default: those used).

    Returns
    -------
    DataFrame
        Columns ``segments`` (coded), ``documents``, ``examined`` (segments the
        coder examined in the group), ``share``, ``share_low``, ``share_high``
        (95% Wilson interval) and ``per_1000_words`` (coded segments per 1,000
        words of examined text).

    Examples
    --------
    >>> import pandas as pd
    >>> from tr_discourse.codings import codings_from_sets
    >>> segs = pd.DataFrame({"segment_id": ["a", "b", "c"], "doc_id": ["d1", "d1", "d2"],
    ...                      "n_words": [100, 100, 300]})
    >>> cods = codings_from_sets({"a": ["x"], "b": [], "c": ["x"]}, coder="A")
    >>> frequencies(segs, cods).loc["x", ["segments", "documents", "examined", "per_1000_words"]]
    ...
    segments            2.0
    documents           2.0
    examined            3.0
    per_1000_words      4.0
    Name: x, dtype: float64

    """
    groups = [by] if isinstance(by, str) else list(by or [])
    sets = coded_sets(codings)
    seg = segments[segments["segment_id"].isin(sets.index)].copy()
    if codes is None:
        codes = sorted(set().union(*sets)) if len(sets) else []
    code_sets = sets.reindex(seg["segment_id"]).to_numpy()
    rows = []
    keys = seg.groupby(groups, sort=True, dropna=False).groups if groups else {(): seg.index}
    for key, index in keys.items():
        part = seg.loc[index]
        part_sets = code_sets[seg.index.get_indexer(index)]
        words = float(part["n_words"].sum()) if "n_words" in part else np.nan
        for code in codes:
            has = np.fromiter((code in s for s in part_sets), bool, len(part_sets))
            key_t = key if isinstance(key, tuple) else (key,)
            rows.append((*key_t, code, int(has.sum()), part.loc[has, "doc_id"].nunique(),
                         len(part), words))
    table = pd.DataFrame(rows, columns=[*groups, "code", "segments", "documents", "examined",
                                        "words"])
    table["share"] = table["segments"] / table["examined"]
    low, high = wilson_interval(table["segments"].to_numpy(), table["examined"].to_numpy())
    table["share_low"], table["share_high"] = low, high
    with np.errstate(divide="ignore", invalid="ignore"):
        table["per_1000_words"] = table["segments"] / table["words"] * 1000
    table = table.drop(columns="words").set_index([*groups, "code"])
    return table.astype(float)


def cooccurrence(codings: pd.DataFrame, *, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Pairs of codes on the same segment: counts and Jaccard, one row per pair.

    Linear in the number of codings: each segment's code set is visited once.

    Returns
    -------
    DataFrame
        ``code_a``, ``code_b`` (a < b), ``n_a``, ``n_b`` (segments coded each),
        ``n_ab`` (coded both), ``jaccard`` (``n_ab / (n_a + n_b - n_ab)``) and
        ``examined``; pairs that never co-occur are included with ``n_ab`` 0.

    Examples
    --------
    >>> from tr_discourse.codings import codings_from_sets
    >>> cods = codings_from_sets({"a": ["x", "y"], "b": ["x"], "c": []}, coder="A")
    >>> cooccurrence(cods).to_dict("records")[0]
    {'code_a': 'x', 'code_b': 'y', 'n_a': 2, 'n_b': 1, 'n_ab': 1, 'jaccard': 0.5, 'examined': 3}

    """
    sets = coded_sets(codings)
    if codes is None:
        codes = sorted(set().union(*sets)) if len(sets) else []
    wanted = set(codes)
    single: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for s in sets:
        s = sorted(wanted & s)
        single.update(s)
        pairs.update(combinations(s, 2))
    order = {c: i for i, c in enumerate(codes)}
    rows = []
    for a, b in combinations(sorted(codes, key=order.get), 2):
        n_ab = pairs[(a, b)] or pairs[(b, a)]
        union = single[a] + single[b] - n_ab
        rows.append((a, b, single[a], single[b], n_ab, n_ab / union if union else np.nan,
                     len(sets)))
    return pd.DataFrame(rows, columns=["code_a", "code_b", "n_a", "n_b", "n_ab", "jaccard",
                                       "examined"])
