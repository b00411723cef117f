"""Theme frequencies and co-occurrence from a segments table and a codings table.

Only segments the coder examined count: a segment with a "no code" row is in
the denominator, a segment the coder never saw is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .codings import _code_table, _CodeTable, _factorize_text, _group_counts
from .errors import unknown_name

__all__ = ["COOCCURRENCE_LEVELS", "adjust_p", "cooccurrence", "crosstab", "frequencies",
           "keyness", "kwic", "retrieve", "time_series", "wilson_interval"]

#: What counts as together in :func:`cooccurrence` (its ``level``). Not the
#: levels of measurement of Krippendorff's alpha (``reliability.LEVELS``).
COOCCURRENCE_LEVELS = ("segment", "document", "window")
_CORRECTIONS = ("holm", "bh", "none")  # adjust_p's methods
_CROSSTAB_VALUES = ("segments", "share", "documents")


def __getattr__(name: str) -> Any:
    """Keep the old name ``LEVELS`` importable, with a DeprecationWarning."""
    if name == "LEVELS":
        import warnings

        warnings.warn("tr_discourse.analysis.LEVELS is now COOCCURRENCE_LEVELS (the levels of "
                      "Krippendorff's alpha are tr_discourse.reliability.LEVELS)",
                      DeprecationWarning, stacklevel=2)
        return COOCCURRENCE_LEVELS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
                codes: Sequence[str] | None = None, codebook: Any | None = None) -> pd.DataFrame:
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
    codebook : Codebook, optional
        Roll child codes up to their parents first (a segment coded
        ``supply_chain`` counts for ``marketisation`` too).

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
    table = _code_table(codings)
    if codebook is not None:
        table = table.rolled_up(codebook)
    return _frequencies(segments, table, by=by, codes=codes)


def _frequencies(segments: pd.DataFrame, parsed: _CodeTable, *,
                 by: str | Sequence[str] | None = None,
                 codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Return :func:`frequencies` from codings parsed once into a code table."""
    groups = [by] if isinstance(by, str) else list(by or [])
    ids = segments["segment_id"].astype(str).to_numpy(dtype=object)
    where = parsed.index.get_indexer(ids)
    seg = segments[where >= 0].reset_index(drop=True)
    codes = list(parsed.codes if codes is None else codes)
    # An indicator matrix (segments x codes), then sums per group: linear in the codings.
    hit = parsed.columns(codes)[where[where >= 0]]
    grouped = seg.groupby(groups, sort=True, dropna=False) if groups else None
    keys = grouped.ngroup().to_numpy() if grouped is not None else np.zeros(len(seg), dtype=int)
    n_groups = int(keys.max()) + 1 if len(keys) else 0
    coded = _group_counts(keys, hit, n_groups).astype(float)
    examined = np.bincount(keys, minlength=n_groups).astype(float)
    words = np.bincount(keys, weights=seg["n_words"].to_numpy(float), minlength=n_groups) \
        if "n_words" in seg else np.full(n_groups, np.nan)
    # Documents per group and code: the distinct (group, code, document) triples, counted.
    rows_, cols_ = np.nonzero(hit)
    doc = pd.factorize(seg["doc_id"], use_na_sentinel=False)[0]
    n_docs = int(doc.max()) + 1 if len(doc) else 1
    cells = np.unique((keys[rows_] * len(codes) + cols_) * n_docs + doc[rows_]) // n_docs
    docs = np.bincount(cells, minlength=n_groups * len(codes)).reshape(n_groups, len(codes))
    labels = grouped.size().index.tolist() if grouped is not None else [()]
    rows = []
    for g, key in enumerate(labels):
        key_t = key if isinstance(key, tuple) else (key,)
        for j, code in enumerate(codes):
            rows.append((*key_t, code, coded[g, j], docs[g, j], examined[g], words[g]))
    table = pd.DataFrame(rows, columns=[*groups, "code", "segments", "documents", "examined",
                                        "words"])
    table["share"] = table["segments"] / table["examined"]
    low, high = wilson_interval(table["segments"].to_numpy(), table["examined"].to_numpy())
    table["share_low"], table["share_high"] = low, high
    with np.errstate(divide="ignore", invalid="ignore"):
        table["per_1000_words"] = table["segments"] / table["words"] * 1000
    table = table.drop(columns="words").set_index([*groups, "code"])
    return table.astype(float)


def _unit_matrix(table: _CodeTable, codes: list[str], segments: pd.DataFrame | None,
                 level: str, window: int) -> np.ndarray:
    """Return the codes of each unit of co-occurrence at ``level`` (units x codes)."""
    hit = table.columns(codes)
    if level == "segment":
        return hit
    if segments is None:
        raise ValueError(f"level={level!r} needs the segments table (for doc_id and position)")
    twice = segments["segment_id"].astype(str)
    twice = twice[twice.duplicated()].unique()
    if len(twice):
        raise ValueError(f"cooccurrence: the segments table holds segment_id "
                         f"{', '.join(map(repr, twice[:3]))} more than once; at level={level!r} "
                         "each segment must be one row (drop the duplicates)")
    where = table.index.get_indexer(segments["segment_id"].astype(str).to_numpy(dtype=object))
    seg = segments[where >= 0].assign(_row=where[where >= 0])
    if level == "document":
        doc, names = _factorize_text(seg["doc_id"], sort=False, missing=True)
        return _group_counts(doc, hit[seg["_row"].to_numpy()], len(names)) > 0
    # Window: each segment with its neighbours among the examined segments of its document.
    ordered = seg[seg["doc_id"].notna()].sort_values(["doc_id", "position"], kind="stable")
    doc = pd.factorize(ordered["doc_id"])[0]
    rows = hit[ordered["_row"].to_numpy()]
    units = rows.copy()
    longest = int(np.bincount(doc).max()) if len(doc) else 0
    for k in range(1, min(window, longest - 1) + 1):
        same = (doc[k:] == doc[:-k])[:, None]
        units[:-k] |= rows[k:] & same
        units[k:] |= rows[:-k] & same
    return units


def cooccurrence(codings: pd.DataFrame, segments: pd.DataFrame | None = None, *,
                 level: str = "segment", window: int = 1,
                 codes: Sequence[str] | None = None, correction: str = "holm",
                 alpha: float = 0.05, unequal: float = 5.0,
                 codebook: Any | None = None) -> pd.DataFrame:
    """Pairs of codes that occur together, with the measures researchers use.

    Parameters
    ----------
    codings : DataFrame
        One coder's codings table.
    segments : DataFrame, optional
        Needed for ``level="document"`` and ``"window"``.
    level : {"segment", "document", "window"}
        What counts as together: the same segment; the same document; or within
        ``window`` segments of each other in a document (each segment's unit is
        the codes of itself and its neighbours).
    window : int, default 1
        Neighbours on each side, for ``level="window"``.
    codes : list of str, optional
        Codes to pair (default: those used).
    correction : {"holm", "bh", "none"}
        Correction of the p-values for the number of pairs tested.
    alpha : float, default 0.05
        Significance level for ``significant``, after correction.
    unequal : float, default 5
        ``c_warning`` flags pairs where one code is on more than this many
        times as many units as the other (ATLAS.ti's caution for its
        c-coefficient).
    codebook : Codebook, optional
        Roll child codes up to their parents first, pair the codebook's codes
        (in its order) by default, and leave out each code's pairs with its
        own ancestors, which co-occur by construction once rolled up (before
        the p-values are corrected, so the correction counts only real tests).

    Returns
    -------
    DataFrame
        One row per pair ``code_a`` < ``code_b`` (in ``codes`` order) with
        ``units`` (N), ``n_a``, ``n_b``, ``n_ab``, ``jaccard``,
        ``c_coefficient`` (ATLAS.ti: n_ab / (n_a + n_b - n_ab), which for
        segment codings equals the Jaccard index), ``c_warning``, ``lift``
        (N n_ab / (n_a n_b)), ``pmi`` (log2 lift), ``npmi`` (PMI / -log2(n_ab/N),
        from -1 to 1), ``p_value`` (one-sided hypergeometric test that the
        codes occur together more often than by chance; Fisher's exact test),
        ``p_adjusted`` and ``significant``. Counting is a sparse matrix product,
        linear in the number of codings.

    Examples
    --------
    >>> from tr_discourse.codings import codings_from_sets
    >>> cods = codings_from_sets({"a": ["x", "y"], "b": ["x"], "c": []}, coder="A")
    >>> row = cooccurrence(cods).iloc[0]
    >>> [str(v) for v in row[["code_a", "code_b", "units", "n_a", "n_b", "n_ab", "jaccard",
    ...                        "lift"]]]
    ['x', 'y', '3', '2', '1', '1', '0.5', '1.5']

    """
    if level not in COOCCURRENCE_LEVELS:
        raise unknown_name("level", level, COOCCURRENCE_LEVELS, where="cooccurrence")
    if correction not in _CORRECTIONS:
        raise unknown_name("correction", correction, _CORRECTIONS, where="cooccurrence")
    table = _code_table(codings)
    if codebook is not None:
        table = table.rolled_up(codebook)
    return _cooccurrence(table, segments, level=level, window=window, codes=codes,
                         correction=correction, alpha=alpha, unequal=unequal,
                         codebook=codebook)


def _cooccurrence(parsed: _CodeTable, segments: pd.DataFrame | None = None, *,
                  level: str = "segment", window: int = 1,
                  codes: Sequence[str] | None = None, correction: str = "holm",
                  alpha: float = 0.05, unequal: float = 5.0,
                  codebook: Any | None = None) -> pd.DataFrame:
    """Return :func:`cooccurrence` from codings parsed once into a code table.

    ``parsed`` is counted as it is: with ``codebook`` it must be rolled up
    already (the codebook gives the default codes and the pairs left out).
    ``level`` and ``correction`` are taken as checked.
    """
    import scipy.sparse as sp
    from scipy.stats import hypergeom

    if codebook is not None and codes is None:
        codes = [c.id for c in codebook.codes]
    codes = list(parsed.codes if codes is None else codes)
    units = _unit_matrix(parsed, codes, segments, level, window)
    x = sp.csr_matrix(units, dtype=float)
    both = (x.T @ x).toarray()
    n_units = len(units)
    single = np.diag(both)
    a_idx, b_idx = np.triu_indices(len(codes), k=1)
    if codebook is not None:
        lineage = {c: set(codebook.ancestors(c)) if c in codebook else set() for c in codes}
        kept = np.array([codes[i] not in lineage[codes[j]] and codes[j] not in lineage[codes[i]]
                         for i, j in zip(a_idx, b_idx, strict=True)], dtype=bool)
        a_idx, b_idx = a_idx[kept], b_idx[kept]
    n_a, n_b, n_ab = single[a_idx], single[b_idx], both[a_idx, b_idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        union = n_a + n_b - n_ab
        jaccard = np.where(union > 0, n_ab / union, np.nan)
        lift = n_units * n_ab / (n_a * n_b)
        pmi = np.log2(lift)
        p_ab = n_ab / n_units
        npmi = np.where(n_ab == 0, -1.0, pmi / -np.log2(p_ab))
        npmi = np.where(n_ab == n_units, 1.0, npmi)
        ratio = np.maximum(n_a, n_b) / np.minimum(n_a, n_b)
    p_value = hypergeom.sf(n_ab - 1, n_units, n_a, n_b) if len(n_ab) else np.array([])
    table = pd.DataFrame({
        "code_a": [codes[i] for i in a_idx], "code_b": [codes[j] for j in b_idx],
        "units": n_units, "n_a": n_a.astype(int), "n_b": n_b.astype(int),
        "n_ab": n_ab.astype(int), "jaccard": jaccard, "c_coefficient": jaccard,
        "c_warning": ratio > unequal, "lift": lift, "pmi": pmi, "npmi": npmi,
        "p_value": p_value})
    table["p_adjusted"] = adjust_p(table["p_value"].to_numpy(), correction)
    table["significant"] = table["p_adjusted"] < alpha
    table.attrs.update(level=level, window=window if level == "window" else None,
                       correction=correction)
    return table


def adjust_p(p: np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons: ``"holm"``, ``"bh"`` or ``"none"``.

    Examples
    --------
    >>> adjust_p(np.array([0.01, 0.04, 0.03]), "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_p(np.array([0.01, 0.04, 0.03]), "bh").round(3).tolist()
    [0.03, 0.04, 0.04]

    """
    if method not in _CORRECTIONS:
        raise unknown_name("correction", method, _CORRECTIONS, where="adjust_p")
    p = np.asarray(p, dtype=float)
    m = len(p)
    if method == "none" or m == 0:
        return p.copy()
    order = np.argsort(p)
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:  # "bh"
        adjusted = ranked * m / np.arange(1, m + 1)
        adjusted = np.minimum.accumulate(adjusted[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def crosstab(segments: pd.DataFrame, codings: pd.DataFrame, by: str, *,
             codes: Sequence[str] | None = None, value: str = "segments") -> pd.DataFrame:
    """Code by attribute (MAXQDA's code matrix): codes as rows, groups as columns.

    ``value`` is ``"segments"`` (coded segments), ``"share"`` (of the group's
    examined segments) or ``"documents"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from tr_discourse.codings import codings_from_sets
    >>> segs = pd.DataFrame({"segment_id": ["a", "b", "c"], "doc_id": ["d1", "d1", "d2"],
    ...                      "n_words": [5, 5, 5], "role": ["PO", "PO", "manager"]})
    >>> cods = codings_from_sets({"a": ["x"], "b": [], "c": ["x"]}, coder="A")
    >>> crosstab(segs, cods, "role", value="share").loc["x"].to_dict()
    {'PO': 0.5, 'manager': 1.0}

    """
    return _crosstab(segments, _code_table(codings), by, codes=codes, value=value)


def _crosstab(segments: pd.DataFrame, parsed: _CodeTable, by: str, *,
              codes: Sequence[str] | None = None, value: str = "segments") -> pd.DataFrame:
    """Return :func:`crosstab` from codings parsed once into a code table."""
    if value not in _CROSSTAB_VALUES:
        raise unknown_name("value", value, _CROSSTAB_VALUES, where="crosstab")
    table = _frequencies(segments, parsed, by=by, codes=codes)[value]
    return table.unstack(level=0).reindex(codes or table.index.get_level_values(-1).unique())


def time_series(segments: pd.DataFrame, codings: pd.DataFrame, *, freq: str = "YS",
                codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Frequencies per period of the segments' ``date`` (``freq``: "YS" years, "MS" months).

    Returns the :func:`frequencies` columns indexed by (period start, code).
    """
    return _time_series(segments, _code_table(codings), freq=freq, codes=codes)


def _time_series(segments: pd.DataFrame, parsed: _CodeTable, *, freq: str = "YS",
                 codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Return :func:`time_series` from codings parsed once into a code table."""
    if "date" not in segments:
        raise ValueError("the segments table has no 'date' column")
    dated = segments.dropna(subset=["date"]).copy()
    dated["period"] = pd.to_datetime(dated["date"]).dt.to_period(
        {"YS": "Y", "MS": "M", "QS": "Q"}.get(freq, freq)).dt.start_time
    return _frequencies(dated, parsed, by="period", codes=codes)


def retrieve(segments: pd.DataFrame, codings: pd.DataFrame, *,
             all_of: Sequence[str] = (), any_of: Sequence[str] = (),
             none_of: Sequence[str] = (), evidence: pd.DataFrame | None = None
             ) -> pd.DataFrame:
    """Return the segments coded with all of ``all_of``, one of ``any_of``, none of ``none_of``.

    A AND B is ``all_of=[A, B]``, A NOT B is ``all_of=[A], none_of=[B]``.
    With ``evidence`` (a rule coder's evidence table) each row lists its
    matches as ``code: text`` strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from tr_discourse.codings import codings_from_sets
    >>> segs = pd.DataFrame({"segment_id": ["a", "b"], "text": ["one", "two"]})
    >>> cods = codings_from_sets({"a": ["x", "y"], "b": ["x"]}, coder="A")
    >>> retrieve(segs, cods, all_of=["x"], none_of=["y"])["segment_id"].tolist()
    ['b']

    """
    table = _code_table(codings)
    chosen = table.columns(all_of).all(axis=1) & ~table.columns(none_of).any(axis=1)
    if any_of:
        chosen &= table.columns(any_of).any(axis=1)
    keep = table.index[chosen]
    names = np.array(table.codes, dtype=object)
    codes_of = {sid: names[row].tolist() for sid, row in zip(keep, table.hit[chosen], strict=True)}
    out = segments[segments["segment_id"].isin(keep)].copy()
    out["codes"] = out["segment_id"].map(codes_of)
    if evidence is not None:
        wanted = set(all_of) | set(any_of)
        ev = evidence[evidence["segment_id"].isin(keep)]
        if wanted:
            ev = ev[ev["code"].isin(wanted)]
        listed = ev.groupby("segment_id")[["code", "text"]].apply(
            lambda g: [f"{c}: {t}" for c, t in zip(g["code"], g["text"], strict=True)])
        out["evidence"] = out["segment_id"].map(listed).map(
            lambda v: v if isinstance(v, list) else [])
    return out.reset_index(drop=True)


def kwic(segments: pd.DataFrame, pattern: str, *, width: int = 40,
         regex: bool = False) -> pd.DataFrame:
    """Keyword in context: every match of ``pattern`` with ``width`` characters either side.

    ``pattern`` is a word or phrase matched whole and case-insensitively, or,
    with ``regex=True``, a regular expression.

    Examples
    --------
    >>> import pandas as pd
    >>> segs = pd.DataFrame({"segment_id": ["a"], "text": ["They moved us to a hub. The hub!"]})
    >>> kwic(segs, "hub", width=6)[["left", "match", "right"]].values.tolist()
    [[' to a ', 'hub', '. The '], ['. The ', 'hub', '!']]

    """
    import re

    rx = re.compile(pattern if regex else rf"(?<!\w){re.escape(pattern)}(?!\w)", re.IGNORECASE)
    rows = []
    for sid, text in zip(segments["segment_id"], segments["text"].fillna(""), strict=True):
        for m in rx.finditer(text):
            rows.append((sid, m.start(), m.end(), text[max(0, m.start() - width):m.start()],
                         m.group(0), text[m.end():m.end() + width]))
    return pd.DataFrame(rows, columns=["segment_id", "start", "end", "left", "match", "right"])


def keyness(segments: pd.DataFrame, codings: pd.DataFrame, code: str, *, n: int = 30,
            min_count: int = 3) -> pd.DataFrame:
    """Words over-represented in the segments coded ``code`` (Dunning's log-likelihood).

    Compares word counts in the coded segments (target) with the other
    examined segments (reference). ``g2`` is the log-likelihood statistic,
    ``log_ratio`` the binary log of the ratio of relative frequencies (an
    effect size), ``p_value`` from the chi-squared distribution with one
    degree of freedom. Useful for finding words to add to a code's patterns.
    """
    from scipy.stats import chi2
    from sklearn.feature_extraction.text import CountVectorizer

    table = _code_table(codings)
    where = table.index.get_indexer(segments["segment_id"].astype(str).to_numpy(dtype=object))
    seg = segments[where >= 0]
    target = table.columns([code])[where[where >= 0], 0]
    if not target.any():
        raise ValueError(f"no examined segment is coded {code!r}")
    vec = CountVectorizer(token_pattern=r"(?u)\b[a-zA-Z][\w'’-]+\b", lowercase=True)
    counts = vec.fit_transform(seg["text"].fillna(""))
    a = np.asarray(counts[target].sum(axis=0)).ravel().astype(float)
    b = np.asarray(counts[~target].sum(axis=0)).ravel().astype(float)
    c, d = a.sum(), b.sum()
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * (np.where(a > 0, a * np.log(a / e1), 0) + np.where(b > 0, b * np.log(b / e2), 0))
        log_ratio = np.log2(((a + 0.5) / c) / ((b + 0.5) / d))
    over = (a / c > b / d) & (a >= min_count)
    table = pd.DataFrame({"term": vec.get_feature_names_out(), "target": a.astype(int),
                          "reference": b.astype(int), "g2": g2, "log_ratio": log_ratio,
                          "p_value": chi2.sf(g2, 1)})[over]
    return table.sort_values("g2", ascending=False).head(n).reset_index(drop=True)
