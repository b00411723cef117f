"""Agreement between coders: percent agreement, kappa, pi, S, Fleiss' kappa, alpha.

Implemented from the published formulas (Cohen 1960, Scott 1955, Bennett et
al. 1954, Fleiss 1971, Krippendorff 2011, Passonneau 2006) and tested against
their worked examples. A coefficient that is undefined for the data (for
example kappa when both coders used one category only) is returned as NaN with
a :class:`ReliabilityWarning` that says why, never as a made-up 0 or 1.

Reliability data are given as ``coders x units`` (one row per coder), with
``None`` or NaN where a coder did not code a unit.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .codings import _code_table
from .errors import TrDiscourseWarning, unknown_name

__all__ = [
    "LEVELS",
    "ReliabilityWarning",
    "agreement",
    "bennett_s",
    "binary_scores",
    "cohen_kappa",
    "fleiss_kappa",
    "jaccard_distance",
    "krippendorff_alpha",
    "masi_distance",
    "passonneau_distance",
    "percent_agreement",
    "scott_pi",
]

#: Measurement levels of Krippendorff's alpha.
LEVELS = ("nominal", "ordinal", "interval", "ratio")


class ReliabilityWarning(TrDiscourseWarning):
    """A coefficient is undefined for the data and was returned as NaN."""


def _undefined(name: str, why: str, *, stacklevel: int = 3) -> float:
    """Warn that a coefficient is undefined, and why; return NaN.

    ``stacklevel`` points the warning at the user's call: 3 from a public
    function that calls this directly, one more for each helper in between.
    """
    warnings.warn(f"{name} is undefined: {why}; returning NaN", ReliabilityWarning,
                  stacklevel=stacklevel)
    return math.nan


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    return isinstance(v, float) and math.isnan(v)


# ---------------------------------------------------------------- set distances
def jaccard_distance(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """One minus the Jaccard index; two empty sets are identical (distance 0).

    Examples
    --------
    >>> jaccard_distance({1, 2, 3, 4}, {3, 4, 5})
    0.6

    """
    a, b = set(a), set(b)
    union = a | b
    return 0.0 if not union else 1 - len(a & b) / len(union)


def passonneau_distance(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """Passonneau's set distance: 0 equal, 1/3 subset, 2/3 overlap, 1 disjoint.

    The empty set is a subset of every set (distance 1/3 to a non-empty set),
    which reproduces DKPro Statistics' published set-annotation example.

    Examples
    --------
    >>> passonneau_distance({"A"}, {"A", "C"})
    0.333...

    """
    a, b = set(a), set(b)
    if a == b:
        return 0.0
    if a <= b or b <= a:
        return 1 / 3
    if a & b:
        return 2 / 3
    return 1.0


def masi_distance(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """MASI distance (Passonneau 2006): ``1 - J * M``, with M = 1, 2/3, 1/3 or 0.

    J is the Jaccard index and M is 1 for equal sets, 2/3 when one contains the
    other, 1/3 when they overlap otherwise and 0 when disjoint. Two empty sets
    (two coders agreeing that a segment has no code) have distance 0. NLTK
    rounds the weights to 0.67 and 0.33; the exact fractions are used here.

    Examples
    --------
    >>> round(masi_distance({1, 2}, {1, 2, 3, 4}), 3)
    0.667
    >>> round(masi_distance({1, 2, 3, 4}, {3, 4, 5}), 3)
    0.867
    >>> masi_distance(set(), set())
    0.0

    """
    a, b = set(a), set(b)
    if a == b:
        return 0.0
    if not (a & b):
        return 1.0
    m = 2 / 3 if (a <= b or b <= a) else 1 / 3
    return 1 - len(a & b) / len(a | b) * m


_SET_DISTANCES: dict[str, Callable[[Any, Any], float]] = {
    "masi": masi_distance, "jaccard": jaccard_distance, "passonneau": passonneau_distance}


# ---------------------------------------------------------------- Krippendorff
def krippendorff_alpha(
    data: Any,
    level: str = "nominal",
    *,
    distance: Callable[[Any, Any], float] | str | None = None,
    value_domain: Sequence[Any] | None = None,
) -> float:
    """Krippendorff's alpha for ``coders x units`` reliability data.

    Parameters
    ----------
    data : array-like
        One row per coder, one column per unit; ``None`` or NaN where missing.
        Values may be numbers, strings or (with a set ``distance``) frozensets.
        Units with fewer than two values are not pairable and are left out.
    level : {"nominal", "ordinal", "interval", "ratio"}
        The metric. The ordinal metric uses the coincidence marginals
        (Krippendorff 2011), not plain ranks.
    distance : callable or {"masi", "jaccard", "passonneau"}, optional
        A custom difference function ``delta(c, k)`` (already squared where
        that applies), which overrides ``level``: for example MASI between code
        sets, where two empty sets agree.
    value_domain : sequence, optional
        The ordered values, for ordinal data given as labels.

    Returns
    -------
    float
        ``1 - D_o / D_e``; NaN with a :class:`ReliabilityWarning` when no unit
        is pairable or the expected disagreement is 0 (every value the same).

    Examples
    --------
    Krippendorff (2011), example C, four coders with missing values:

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data, "nominal"), 3), round(krippendorff_alpha(data, "ordinal"), 3)
    (0.743, 0.815)

    """
    if isinstance(distance, str):
        if distance not in _SET_DISTANCES:
            raise unknown_name("set distance", distance, _SET_DISTANCES,
                               where="krippendorff_alpha")
        distance = _SET_DISTANCES[distance]
    if distance is None and level not in LEVELS:
        raise unknown_name("level", level, LEVELS, where="krippendorff_alpha")
    rows = [list(r) for r in (data.to_numpy() if isinstance(data, pd.DataFrame) else data)]
    if not rows or len({len(r) for r in rows}) != 1:
        raise ValueError("reliability data must be a non-empty coders x units table "
                         "with the same number of units in every row")
    values = [v for r in rows for v in r if not _missing(v)]
    if value_domain is not None:
        domain = list(value_domain)
        outside = [v for v in values if v not in domain]
        if outside:
            raise ValueError(f"value {outside[0]!r} is not in value_domain {domain}")
    else:
        domain = list(dict.fromkeys(values))
        if distance is None:
            try:
                domain = sorted(domain)
            except TypeError:
                if level != "nominal":
                    raise ValueError(f"{level} alpha needs ordered values; pass value_domain"
                                     ) from None
    index = {v: i for i, v in enumerate(domain)}
    n_units = len(rows[0])
    counts = np.zeros((n_units, len(domain)))
    for r in rows:
        for u, v in enumerate(r):
            if not _missing(v):
                counts[u, index[v]] += 1
    m = counts.sum(axis=1)
    counts = counts[m >= 2]
    m = m[m >= 2]
    if counts.shape[0] == 0:
        return _undefined("Krippendorff's alpha", "no unit has values from two coders")
    weighted = counts / (m - 1)[:, None]
    coincidence = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    delta = _delta(domain, n_c, level, distance)
    d_o = (coincidence * delta).sum() / n
    d_e = (np.outer(n_c, n_c) * delta).sum() / (n * (n - 1))
    if d_e == 0:
        return _undefined("Krippendorff's alpha",
                          "the expected disagreement is 0 (all values are the same)")
    return float(1 - d_o / d_e)


def _delta(domain: list[Any], n_c: np.ndarray, level: str,
           distance: Callable[[Any, Any], float] | None) -> np.ndarray:
    k = len(domain)
    if distance is not None:
        return np.array([[distance(a, b) for b in domain] for a in domain], dtype=float)
    if level == "nominal":
        return 1 - np.eye(k)
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        return (cum[hi + 1] - cum[lo] - (n_c[i] + n_c[j]) / 2) ** 2
    x = np.asarray(domain, dtype=float)
    diff = x[:, None] - x[None, :]
    if level == "interval":
        return diff ** 2
    total = x[:, None] + x[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, diff / total)
    return ratio ** 2


# ---------------------------------------------------------------- two coders
def _pairs(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two codings have different lengths ({len(a)} and {len(b)})")
    keep = [i for i in range(len(a)) if not (_missing(a[i]) or _missing(b[i]))]
    return [a[i] for i in keep], [b[i] for i in keep]


def _table(a: Sequence[Any], b: Sequence[Any], labels: Sequence[Any] | None
           ) -> tuple[np.ndarray, list[Any]]:
    a, b = _pairs(a, b)
    if labels is None:
        labels = list(dict.fromkeys(a + b))
        try:
            labels = sorted(labels)
        except TypeError:
            pass
    labels = list(labels)
    index = {v: i for i, v in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for x, y in zip(a, b, strict=True):
        if x in index and y in index:
            table[index[x], index[y]] += 1
    return table, labels


def percent_agreement(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Share of units (coded by both) on which two coders agree.

    Examples
    --------
    >>> percent_agreement([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
    0.6

    """
    a, b = _pairs(a, b)
    if not a:
        return _undefined("percent agreement", "no unit was coded by both coders")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def cohen_kappa(
    a: Sequence[Any],
    b: Sequence[Any],
    *,
    labels: Sequence[Any] | None = None,
    weights: str | None = None,
) -> float:
    """Cohen's kappa between two coders, optionally weighted (``"linear"``, ``"quadratic"``).

    Units either coder left missing are not counted; ``labels`` restricts (and,
    for weights, orders) the categories.

    Examples
    --------
    Artstein and Poesio (2008), table 1:

    >>> a = [0] * 40 + [1] * 60
    >>> b = [0] * 20 + [1] * 20 + [0] * 10 + [1] * 50
    >>> round(cohen_kappa(a, b), 4)
    0.3478

    """
    table, labels = _table(a, b, labels)
    n = table.sum()
    if n == 0:
        return _undefined("Cohen's kappa", "no unit was coded by both coders")
    p = table / n
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    k = len(labels)
    if weights is None:
        w = 1 - np.eye(k)
    elif weights in ("linear", "quadratic"):
        i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        w = np.abs(i - j) if weights == "linear" else (i - j) ** 2
    else:
        raise unknown_name("weights", weights, ["linear", "quadratic"], where="cohen_kappa",
                           plural="weights")
    denominator = (w * expected).sum()
    if denominator == 0:
        return _undefined("Cohen's kappa", "chance disagreement is 0 (both coders used "
                          "a single category)")
    return float(1 - (w * p).sum() / denominator)


def _chance_corrected(name: str, a: Sequence[Any], b: Sequence[Any],
                      labels: Sequence[Any] | None,
                      chance: Callable[[np.ndarray, int], float], single: str) -> float:
    """Return ``(p_o - p_e) / (1 - p_e)``, the form Scott's pi and Bennett's S share.

    ``chance(p, q)`` gives the chance agreement p_e from the table of
    proportions ``p`` (coder A's categories as rows) and the number of
    categories ``q``. NaN with a :class:`ReliabilityWarning` when no unit was
    coded by both coders, or when p_e is 1 (``single`` says why).
    """
    table, labels = _table(a, b, labels)
    n = table.sum()
    if n == 0:
        return _undefined(name, "no unit was coded by both coders", stacklevel=4)
    p = table / n
    p_e = chance(p, len(labels))
    if p_e == 1:
        return _undefined(name, single, stacklevel=4)
    return (float(np.trace(p)) - p_e) / (1 - p_e)


def _pooled_chance(p: np.ndarray, q: int) -> float:
    """Scott's chance agreement: the sum of squares of the two coders' mean marginals."""
    pooled = (p.sum(axis=0) + p.sum(axis=1)) / 2
    return float((pooled ** 2).sum())


def _uniform_chance(p: np.ndarray, q: int) -> float:
    """Bennett's chance agreement: 1/q, as if every category were equally likely."""
    return 1 / q


def scott_pi(a: Sequence[Any], b: Sequence[Any], *, labels: Sequence[Any] | None = None
             ) -> float:
    """Scott's pi: like kappa, with chance agreement from the two coders' pooled marginals.

    Parameters
    ----------
    a, b : sequence
        The two coders' categories, one per unit; ``None`` or NaN where a
        coder did not code the unit (such units are left out).
    labels : sequence, optional
        The categories to count (default: every category either coder used).

    Returns
    -------
    float
        NaN with a :class:`ReliabilityWarning` when no unit was coded by both
        coders, or both used a single category.

    Examples
    --------
    Artstein and Poesio (2008), table 4:

    >>> a = ["STAT"] * 46 + ["IReq"] * 44 + ["Chck"] * 10
    >>> b = ["STAT"] * 52 + ["IReq"] * 32 + ["Chck"] * 16
    >>> round(scott_pi(a, b), 4)
    0.7995

    """
    return _chance_corrected("Scott's pi", a, b, labels, _pooled_chance,
                             "both coders used a single category")


def bennett_s(a: Sequence[Any], b: Sequence[Any], *, labels: Sequence[Any] | None = None
              ) -> float:
    """Bennett, Alpert and Goldstein's S: chance agreement 1/q for q categories.

    Takes the arguments of :func:`scott_pi`; ``labels`` fixes the q categories
    (default: every category either coder used). NaN with a
    :class:`ReliabilityWarning` when no unit was coded by both coders, or
    there are fewer than two categories.

    Examples
    --------
    Artstein and Poesio (2008), table 4:

    >>> a = ["STAT"] * 46 + ["IReq"] * 44 + ["Chck"] * 10
    >>> b = ["STAT"] * 52 + ["IReq"] * 32 + ["Chck"] * 16
    >>> round(bennett_s(a, b), 2)
    0.82

    """
    return _chance_corrected("Bennett's S", a, b, labels, _uniform_chance,
                             "fewer than two categories")


def fleiss_kappa(counts: Any) -> float:
    """Fleiss' kappa from a ``subjects x categories`` table of rating counts.

    Every subject must have the same number of ratings.

    Examples
    --------
    Fleiss' kappa on the example of the Wikipedia article (10 subjects, 14 raters):

    >>> table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
    ...          [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
    ...          [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    >>> round(fleiss_kappa(table), 3)
    0.21

    """
    x = np.asarray(counts, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError("fleiss_kappa needs a subjects x categories table of counts")
    raters = x.sum(axis=1)
    if not np.all(raters == raters[0]):
        bad = int(np.nonzero(raters != raters[0])[0][0])
        raise ValueError(f"row {bad + 1} has {raters[bad]:g} ratings but row 1 has "
                         f"{raters[0]:g}; every subject needs the same number of ratings")
    n = raters[0]
    if n < 2:
        return _undefined("Fleiss' kappa", "fewer than two ratings per subject")
    p_i = ((x ** 2).sum(axis=1) - n) / (n * (n - 1))
    p_j = x.sum(axis=0) / x.sum()
    p_e = float((p_j ** 2).sum())
    if p_e == 1:
        return _undefined("Fleiss' kappa", "every rating is in one category")
    return (float(p_i.mean()) - p_e) / (1 - p_e)


def binary_scores(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, tn: np.ndarray
                  ) -> dict[str, np.ndarray]:
    """Return precision, recall, F1, Cohen's kappa and Krippendorff's alpha from 2x2 counts.

    The two-coder, present/absent case of the coefficients above, in closed
    form. Works elementwise on arrays of counts (every code, or many bootstrap
    samples, at once). Undefined values are NaN.

    Examples
    --------
    >>> s = binary_scores(np.array([20]), np.array([10]), np.array([20]), np.array([50]))
    >>> round(float(s["cohen_kappa"][0]), 4), round(float(s["f1"][0]), 4)
    (0.3478, 0.5714)

    """
    tp, fp, fn, tn = (np.asarray(v, dtype=float) for v in (tp, fp, fn, tn))
    n = tp + fp + fn + tn
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        f1 = 2 * tp / (2 * tp + fp + fn)
        p_o = (tp + tn) / n
        p_e = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n ** 2
        kappa = (p_o - p_e) / (1 - p_e)
        n0 = 2 * tn + fp + fn
        n1 = 2 * tp + fp + fn
        d_o = (fp + fn) / n
        d_e = 2 * n0 * n1 / (2 * n * (2 * n - 1))
        alpha = 1 - d_o / d_e
    return {"precision": precision, "recall": recall, "f1": f1, "cohen_kappa": kappa,
            "krippendorff_alpha": alpha}



# ---------------------------------------------------------------- codings
def agreement(
    codings_a: pd.DataFrame,
    codings_b: pd.DataFrame,
    *,
    codes: Iterable[str] | None = None,
    set_distance: str = "masi",
) -> pd.DataFrame:
    """Agreement per code between two codings tables, and over the whole code set.

    Only segments both coders examined are compared; a segment one coder
    examined and left uncoded counts as "no code", a segment a coder never
    examined is left out (and counted in ``only_a`` / ``only_b``).

    Parameters
    ----------
    codings_a, codings_b : DataFrame
        Codings tables (see :mod:`tr_discourse.codings`), one coder each. A is
        the reference for precision and recall.
    codes : iterable of str, optional
        The codes to report, in order (default: every code either coder used).
    set_distance : {"masi", "jaccard", "passonneau"}
        The distance between two segments' code sets for the whole-set alpha.

    Returns
    -------
    DataFrame
        One row per code, then ``(macro)`` (the mean over the codes) and
        ``(code set)`` (exact agreement of the whole set and alpha with
        ``set_distance``), with columns ``units``, ``n_a``, ``n_b``,
        ``percent_agreement``, ``cohen_kappa``, ``krippendorff_alpha``,
        ``precision``, ``recall``, ``f1``. Undefined coefficients are NaN, with
        one :class:`ReliabilityWarning` naming the codes.

    Examples
    --------
    >>> from tr_discourse.codings import codings_from_sets
    >>> a = codings_from_sets({"s1": ["x"], "s2": [], "s3": ["x", "y"], "s4": ["y"]}, coder="A")
    >>> b = codings_from_sets({"s1": ["x"], "s2": ["y"], "s3": ["x"], "s4": ["y"]}, coder="B")
    >>> agreement(a, b).loc["x", ["units", "n_a", "n_b", "percent_agreement", "f1"]].tolist()
    [4.0, 2.0, 2.0, 1.0, 1.0]

    """
    table_a, table_b = _code_table(codings_a, sort=True), _code_table(codings_b, sort=True)
    common = table_a.index.intersection(table_b.index)
    rows_a, rows_b = table_a.index.get_indexer(common), table_b.index.get_indexer(common)
    # The segments both examined, with every code either coder used (for the whole set).
    used = sorted(set(table_a.codes) | set(table_b.codes))
    all_a, all_b = table_a.columns(used)[rows_a], table_b.columns(used)[rows_b]
    if codes is None:
        codes = [c for c, on in zip(used, all_a.any(axis=0) | all_b.any(axis=0), strict=True)
                 if on]
    codes = list(codes)
    x, y = table_a.columns(codes)[rows_a], table_b.columns(codes)[rows_b]
    tp, fp = (x & y).sum(axis=0), (~x & y).sum(axis=0)
    fn, tn = (x & ~y).sum(axis=0), (~x & ~y).sum(axis=0)
    scores = binary_scores(tp, fp, fn, tn)
    n = float(len(common))
    with np.errstate(divide="ignore", invalid="ignore"):
        agree = (tp + tn) / n if n else np.full(len(codes), math.nan)
    table = pd.DataFrame({"units": n, "n_a": x.sum(axis=0).astype(float),
                          "n_b": y.sum(axis=0).astype(float), "percent_agreement": agree,
                          "cohen_kappa": scores["cohen_kappa"],
                          "krippendorff_alpha": scores["krippendorff_alpha"],
                          "precision": scores["precision"], "recall": scores["recall"],
                          "f1": scores["f1"]}, index=pd.Index(codes, dtype=object))
    undefined = [c for c in codes if not n or table.loc[c, ["cohen_kappa",
                                                           "krippendorff_alpha"]].isna().any()]
    if undefined:
        warnings.warn(f"agreement: kappa or alpha is undefined (NaN) for {', '.join(undefined)}: "
                      "no segment in common, or neither coder (or only one category) used "
                      "the code", ReliabilityWarning, stacklevel=2)
    macro = table.mean(numeric_only=True)  # NaN throughout when there is no code
    macro[["units", "n_a", "n_b"]] = [float(len(common)), math.nan, math.nan]
    table.loc["(macro)"] = macro
    sets = [list(t.sets()[common]) for t in (table_a, table_b)]  # each segment's code set
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReliabilityWarning)
        set_alpha = krippendorff_alpha(sets, distance=set_distance) if len(common) else math.nan
    whole = binary_scores((all_a & all_b).sum(), (~all_a & all_b).sum(),
                          (all_a & ~all_b).sum(), 0)
    table.loc["(code set)"] = {
        "units": float(len(common)), "n_a": float(all_a.any(axis=1).sum()),
        "n_b": float(all_b.any(axis=1).sum()),
        "percent_agreement": float((all_a == all_b).all(axis=1).mean()) if len(common)
        else math.nan,
        "cohen_kappa": math.nan, "krippendorff_alpha": set_alpha,
        **{k: float(whole[k]) for k in ("precision", "recall", "f1")}}
    table.index.name = "code"
    table.attrs.update(only_a=len(table_a.index.difference(common)),
                       only_b=len(table_b.index.difference(common)),
                       set_distance=set_distance)
    return table
