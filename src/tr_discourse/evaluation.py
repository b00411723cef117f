"""How well a coder reproduces a reference coding: grouped cross-validation with intervals.

Segments of one document are never split between training and scoring, and
the confidence intervals come from a bootstrap over documents (a cluster
bootstrap), because segments of one interview or thread are not independent.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .codings import _code_table, _CodeTable, _group_counts
from .errors import unknown_name
from .reliability import binary_scores

__all__ = ["METRICS", "compare_coders", "cross_validate", "pattern_precision", "score_coder"]

#: The per-code scores reported, in order.
METRICS = ("precision", "recall", "f1", "cohen_kappa", "krippendorff_alpha")


def score_coder(reference: pd.DataFrame, predicted: pd.DataFrame, segments: pd.DataFrame, *,
                codes: list[str], n_boot: int = 1000, random_state: int = 0,
                level: float = 0.95) -> pd.DataFrame:
    """Per-code scores of ``predicted`` against ``reference`` with document-bootstrap intervals.

    Only segments both codings examined are scored.

    Parameters
    ----------
    reference, predicted : DataFrame
        Long codings tables (``segment_id``, ``code``), one coder each; roll
        child codes up to their parents first if they should count for them.
    segments : DataFrame
        The segments table, for each segment's ``doc_id``.
    codes : list of str
        The codes to score.
    n_boot, random_state, level
        Bootstrap samples over documents, their seed, and the intervals' coverage.

    Returns
    -------
    DataFrame
        One row per code with ``precision``, ``recall``, ``f1``,
        ``cohen_kappa``, ``krippendorff_alpha``, each with ``_low`` and
        ``_high`` bounds, and ``support`` (segments the reference gives the
        code); ``attrs`` holds the numbers of documents and segments scored.

    Examples
    --------
    >>> import pandas as pd
    >>> from tr_discourse.codings import codings_from_sets
    >>> segs = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"], "doc_id": list("aabb")})
    >>> ref = codings_from_sets({"s1": ["x"], "s2": [], "s3": ["x"], "s4": ["x"]}, coder="R")
    >>> pred = codings_from_sets({"s1": ["x"], "s2": ["x"], "s3": [], "s4": ["x"]}, coder="P")
    >>> t = score_coder(ref, pred, segs, codes=["x"], n_boot=200)
    >>> t.loc["x", ["precision", "recall", "f1", "support"]].round(3).tolist()
    [0.667, 0.667, 0.667, 3.0]

    """
    return _score(_code_table(reference), _code_table(predicted), segments, codes=codes,
                  n_boot=n_boot, random_state=random_state, level=level)


def _score(ref: _CodeTable, pred: _CodeTable, segments: pd.DataFrame, *, codes: list[str],
           n_boot: int, random_state: int, level: float) -> pd.DataFrame:
    """Return :func:`score_coder` from codings parsed once into code tables."""
    common = ref.index.intersection(pred.index)
    doc_ids, (counts,) = _document_counts(ref, [pred], common, segments, codes)
    total = counts.sum(axis=0)
    point = binary_scores(*total.T)
    sampled = binary_scores(*_resampled(counts, _draw_weights(len(doc_ids), n_boot,
                                                               random_state)))
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    table = pd.DataFrame(index=pd.Index(codes, name="code"))
    for metric in METRICS:
        table[metric] = point[metric]
        with warnings.catch_warnings():  # a code no bootstrap sample defines stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            table[f"{metric}_low"] = np.nanpercentile(sampled[metric], lo, axis=0)
            table[f"{metric}_high"] = np.nanpercentile(sampled[metric], hi, axis=0)
    table["support"] = total[:, 0] + total[:, 2]
    table.attrs.update(documents=len(doc_ids), segments=len(common), n_boot=n_boot)
    return table


def compare_coders(reference: pd.DataFrame, coding_a: pd.DataFrame, coding_b: pd.DataFrame,
                   segments: pd.DataFrame, *, codes: list[str], metric: str = "f1",
                   n_boot: int = 1000, random_state: int = 0, level: float = 0.95
                   ) -> pd.DataFrame:
    """Whether coder A beats coder B against a reference: the difference with an interval.

    A paired bootstrap over documents: each sample draws documents with
    replacement and scores both coders on the same draw, so the interval is of
    the difference itself, not two overlapping intervals. Only segments that
    the reference and both coders examined are scored.

    Parameters
    ----------
    reference, coding_a, coding_b : DataFrame
        Long codings tables (``segment_id``, ``code``); roll child codes up to
        their parents first if they should count for them.
    segments : DataFrame
        The segments table, for each segment's ``doc_id``.
    codes : list of str
        The codes to compare.
    metric : {"precision", "recall", "f1", "cohen_kappa", "krippendorff_alpha"}
        The score compared.
    n_boot, random_state, level
        Bootstrap samples, their seed, and the interval's coverage.

    Returns
    -------
    DataFrame
        One row per code: ``a`` and ``b`` (the metric for each coder),
        ``difference`` (a - b) with ``difference_low`` and ``difference_high``,
        ``p_a_better`` (the share of bootstrap samples in which A scores
        higher) and ``support`` (segments the reference gives the code).

    Examples
    --------
    >>> import pandas as pd
    >>> segs = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"],
    ...                      "doc_id": ["d1", "d1", "d2", "d2"]})
    >>> ref = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"],
    ...                     "code": ["x", None, "x", "x"]})
    >>> a = ref.copy()
    >>> b = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"],
    ...                   "code": ["x", "x", None, "x"]})
    >>> t = compare_coders(ref, a, b, segs, codes=["x"], n_boot=200)
    >>> t.loc["x", ["a", "b", "difference"]].round(3).tolist()
    [1.0, 0.667, 0.333]

    """
    if metric not in METRICS:
        raise unknown_name("metric", metric, METRICS, where="compare_coders")
    ref, sets_a, sets_b = (_code_table(c) for c in (reference, coding_a, coding_b))
    common = ref.index.intersection(sets_a.index).intersection(sets_b.index)
    if not len(common):
        raise ValueError("the reference and the two codings examined no segment in common")
    doc_ids, (counts_a, counts_b) = _document_counts(ref, [sets_a, sets_b], common, segments,
                                                     codes)
    weights = _draw_weights(len(doc_ids), n_boot, random_state)  # the same draws for both
    total_a = counts_a.sum(axis=0)
    point_a = binary_scores(*total_a.T)[metric]
    point_b = binary_scores(*counts_b.sum(axis=0).T)[metric]
    boot_a = binary_scores(*_resampled(counts_a, weights))[metric]
    boot_b = binary_scores(*_resampled(counts_b, weights))[metric]
    diff = boot_a - boot_b
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    with warnings.catch_warnings():  # a code no bootstrap sample defines stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        table = pd.DataFrame({
            "a": point_a, "b": point_b, "difference": point_a - point_b,
            "difference_low": np.nanpercentile(diff, lo, axis=0),
            "difference_high": np.nanpercentile(diff, hi, axis=0),
            "p_a_better": np.nanmean(np.where(np.isnan(diff), np.nan, diff > 0), axis=0),
            "support": total_a[:, 0] + total_a[:, 2]},
            index=pd.Index(codes, name="code"))
    table.attrs.update(metric=metric, documents=len(doc_ids), segments=len(common),
                       n_boot=n_boot)
    return table


def pattern_precision(evidence: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """How often each pattern is right, and what each code's F1 would be without it.

    For tuning a codebook on coded training documents: a pattern whose hits
    are mostly wrong, and that finds segments no other pattern of its code
    finds, costs precision; one whose segments other patterns also find costs
    nothing. Only segments the reference examined count.

    Parameters
    ----------
    evidence : DataFrame
        The rule coder's evidence table (``segment_id``, ``code``, ``rule_id``),
        from :meth:`RuleCoder.evidence`; with ``roll_up=True`` a child's pattern
        also counts for its parent.
    reference : DataFrame
        The reference codings (roll child codes up to parents to match).

    Returns
    -------
    DataFrame
        One row per code and pattern that fired: ``hits`` (segments),
        ``correct`` (of those, coded so in the reference), ``precision``,
        ``unique`` (segments no other pattern gives this code),
        ``unique_correct``, the code's ``f1`` and ``f1_without`` the pattern.
        Sorted by code, the patterns whose removal would help most first.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s3"], "code": ["x"] * 4,
    ...                    "rule_id": ["good", "weak", "weak", "weak"]})
    >>> ref = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "code": ["x", None, None]})
    >>> t = pattern_precision(ev, ref)
    >>> t[["rule_id", "hits", "correct", "unique", "f1", "f1_without"]].values.tolist()
    [['weak', 3, 1, 2, 0.5, 1.0], ['good', 1, 1, 0, 0.5, 0.5]]

    """
    missing = {"segment_id", "code", "rule_id"} - set(evidence.columns)
    if missing:
        raise ValueError(f"the evidence table needs the columns {', '.join(sorted(missing))} "
                         "(pass RuleCoder.evidence(segments))")
    ref = _code_table(reference)
    ev = evidence[["segment_id", "code", "rule_id"]].astype({"segment_id": str})
    ev = ev[ev["segment_id"].isin(ref.index)].drop_duplicates()
    row = ref.index.get_indexer(ev["segment_id"].to_numpy(dtype=object))
    col = pd.Index(ref.codes, dtype=object).get_indexer(ev["code"].astype(object).to_numpy())
    ev["correct"] = (col >= 0) & ref.hit[row, np.maximum(col, 0)]
    ev["unique"] = ev.groupby(["code", "segment_id"])["rule_id"].transform("size").eq(1)
    ev["unique_correct"] = ev["unique"] & ev["correct"]
    table = ev.groupby(["code", "rule_id"], sort=False).agg(
        hits=("segment_id", "size"), correct=("correct", "sum"), unique=("unique", "sum"),
        unique_correct=("unique_correct", "sum")).reset_index()
    coded = ev.drop_duplicates(["code", "segment_id"])
    tp = coded.groupby("code")["correct"].sum()
    fp = coded.groupby("code").size() - tp
    gold = pd.Series(ref.hit.sum(axis=0), index=pd.Index(ref.codes, dtype=object))
    fn = gold.reindex(tp.index, fill_value=0) - tp
    t, f, n = (v.reindex(table["code"]).to_numpy() for v in (tp, fp, fn))
    ut, uf = table["unique_correct"].to_numpy(), (table["unique"] - table["unique_correct"]
                                                  ).to_numpy()
    zero = np.zeros(len(table))  # true negatives do not enter F1
    table["precision"] = table["correct"] / table["hits"]
    table["f1"] = binary_scores(t, f, n, zero)["f1"]
    table["f1_without"] = binary_scores(t - ut, f - uf, n + ut, zero)["f1"]
    table = table.assign(_gain=table["f1_without"] - table["f1"]).sort_values(
        ["code", "_gain", "rule_id"], ascending=[True, False, True], kind="stable")
    return table.drop(columns="_gain")[
        ["code", "rule_id", "hits", "correct", "precision", "unique", "unique_correct", "f1",
         "f1_without"]].reset_index(drop=True)


def _document_counts(ref: _CodeTable, predictions: list[_CodeTable], common: pd.Index,
                     segments: pd.DataFrame, codes: list[str]
                     ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Document ids, and each prediction's tp/fp/fn/tn per document and code (docs x codes x 4).

    The documents and the reference's counts are worked out once for all the predictions.
    """
    docs = segments.set_index("segment_id").loc[common, "doc_id"].astype(str).to_numpy()
    doc_ids, doc_index = np.unique(docs, return_inverse=True)
    n = len(doc_ids)
    a = ref.columns(codes)[ref.index.get_indexer(common)]
    gold = _group_counts(doc_index, a, n)
    size = np.bincount(doc_index, minlength=n)[:, None]
    counts = []
    for pred in predictions:
        b = pred.columns(codes)[pred.index.get_indexer(common)]
        tp = _group_counts(doc_index, a & b, n)
        fp = _group_counts(doc_index, b, n) - tp
        fn = gold - tp
        counts.append(np.stack([tp, fp, fn, size - tp - fp - fn], axis=-1).astype(float))
    return doc_ids, counts


def _draw_weights(n_docs: int, n_boot: int, random_state: int) -> np.ndarray:
    """How often each document is drawn in each bootstrap sample (n_boot x n_docs)."""
    draws = np.random.default_rng(random_state).integers(0, n_docs, size=(n_boot, n_docs))
    flat = (draws + n_docs * np.arange(n_boot)[:, None]).ravel()
    return np.bincount(flat, minlength=n_boot * n_docs).reshape(n_boot, n_docs).astype(float)


def _resampled(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return the tp/fp/fn/tn totals of each bootstrap sample (4 x n_boot x codes).

    A weighted sum over documents: no n_boot x documents x codes array is made.
    """
    return np.moveaxis(np.tensordot(weights, counts, axes=1), -1, 0)


def cross_validate(coder: Any, segments: pd.DataFrame, codings: pd.DataFrame, *,
                   n_splits: int = 5, n_boot: int = 1000, random_state: int = 0
                   ) -> pd.DataFrame:
    """Cross-validate a coder by document and score it against the codings, with intervals.

    Each fold trains a clone of ``coder`` on the other folds' documents and
    codes its own; the pooled out-of-fold coding is scored per code with
    :func:`score_coder` (children rolled up to parents on both sides).

    Examples
    --------
    >>> import tr_discourse as trd
    >>> from tr_discourse.sample import read_corpus_codings
    >>> segs = trd.read_corpus("corpora/tr_blog").segments
    >>> ref = read_corpus_codings("corpora/tr_blog")
    >>> table = cross_validate(trd.MLCoder(thresholds=0.4, rule_features=False), segs, ref,
    ...                        n_splits=3, n_boot=200)
    >>> list(table.columns[:3]), bool((table["f1_low"] <= table["f1"]).all())
    (['precision', 'precision_low', 'precision_high'], True)

    """
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    parsed = _code_table(codings)  # once: the examined segments, then the reference
    data = segments[segments["segment_id"].isin(parsed.index)].reset_index(drop=True)
    groups = data["doc_id"].astype(str).to_numpy()
    folds = min(n_splits, len(set(groups)))
    if folds < 2:
        raise ValueError("cross-validation needs coded segments from at least 2 documents")
    predictions = []
    for train, test in GroupKFold(n_splits=folds).split(data, groups=groups):
        fitted = clone(coder).fit(data.iloc[train], codings)
        predictions.append(fitted.predict(data.iloc[test]))
    predicted = _code_table(pd.concat(predictions, ignore_index=True))
    book = getattr(fitted, "codebook_", None)
    if book is not None:
        parsed, predicted = parsed.rolled_up(book), predicted.rolled_up(book)
        codes = [c.id for c in book.codes]
    else:
        codes = parsed.codes
    # Only the predicted segments are scored: those of ``data``.
    table = _score(parsed, predicted, data, codes=codes, n_boot=n_boot,
                   random_state=random_state, level=0.95)
    table.attrs["folds"] = folds
    return table
