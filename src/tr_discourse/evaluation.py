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

from .codings import code_matrix, coded_sets, roll_up
from .reliability import binary_scores

__all__ = ["METRICS", "cross_validate", "score_coder"]

#: The per-code scores reported, in order.
METRICS = ("precision", "recall", "f1", "cohen_kappa", "krippendorff_alpha")


def score_coder(reference: pd.DataFrame, predicted: pd.DataFrame, segments: pd.DataFrame, *,
                codes: list[str], n_boot: int = 1000, random_state: int = 0,
                level: float = 0.95) -> pd.DataFrame:
    """Per-code scores of ``predicted`` against ``reference`` with document-bootstrap intervals.

    Only segments both codings examined are scored. Returns one row per code
    with ``precision``, ``recall``, ``f1``, ``cohen_kappa``,
    ``krippendorff_alpha``, each with ``_low`` and ``_high`` bounds, and
    ``support`` (segments the reference gives the code).
    """
    ref = coded_sets(reference)
    pred = coded_sets(predicted)
    common = ref.index.intersection(pred.index)
    docs = segments.set_index("segment_id").loc[common, "doc_id"].astype(str).to_numpy()
    doc_ids, doc_index = np.unique(docs, return_inverse=True)
    a = code_matrix(ref[common].to_numpy(), codes)
    b = code_matrix(pred[common].to_numpy(), codes)
    counts = np.zeros((len(doc_ids), len(codes), 4))  # tp, fp, fn, tn per document and code
    for k, cell in enumerate((a & b, ~a & b, a & ~b, ~a & ~b)):
        np.add.at(counts[:, :, k], doc_index, cell)
    total = counts.sum(axis=0)
    point = binary_scores(*total.T)
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, len(doc_ids), size=(n_boot, len(doc_ids)))
    boot = counts[draws].sum(axis=1)  # n_boot x codes x 4
    sampled = binary_scores(*np.moveaxis(boot, -1, 0))
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

    examined = coded_sets(codings).index
    data = segments[segments["segment_id"].isin(examined)].reset_index(drop=True)
    groups = data["doc_id"].astype(str).to_numpy()
    folds = min(n_splits, len(set(groups)))
    if folds < 2:
        raise ValueError("cross-validation needs coded segments from at least 2 documents")
    predictions = []
    for train, test in GroupKFold(n_splits=folds).split(data, groups=groups):
        fitted = clone(coder).fit(data.iloc[train], codings)
        predictions.append(fitted.predict(data.iloc[test]))
    predicted = pd.concat(predictions, ignore_index=True)
    book = getattr(fitted, "codebook_", None)
    reference = codings
    if book is not None:
        reference, predicted = roll_up(codings, book), roll_up(predicted, book)
        codes = [c.id for c in book.codes]
    else:
        codes = sorted(set(reference["code"].dropna()))
    table = score_coder(reference[reference["segment_id"].isin(data["segment_id"])], predicted,
                        data, codes=codes, n_boot=n_boot, random_state=random_state)
    table.attrs["folds"] = folds
    return table
