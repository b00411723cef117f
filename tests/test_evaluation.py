"""compare_coders: the paired document bootstrap of the difference between two coders."""

from __future__ import annotations

import pandas as pd
import pytest

from tr_discourse.evaluation import compare_coders, pattern_precision, score_coder


def _codings(pairs: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["segment_id", "code"])


@pytest.fixture()
def four_docs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Four documents of three segments; A is right everywhere, B misses one x per document."""
    segs, ref, a, b = [], [], [], []
    for d in range(4):
        ids = [f"d{d}s{k}" for k in range(3)]
        segs += [(i, f"d{d}") for i in ids]
        ref += [(ids[0], "x"), (ids[1], "x"), (ids[2], None)]
        a += [(ids[0], "x"), (ids[1], "x"), (ids[2], None)]
        b += [(ids[0], "x"), (ids[1], None), (ids[2], None)]
    return (pd.DataFrame(segs, columns=["segment_id", "doc_id"]), _codings(ref),
            _codings(a), _codings(b))


def test_point_values_are_the_pooled_scores(four_docs):
    segs, ref, a, b = four_docs
    t = compare_coders(ref, a, b, segs, codes=["x"], n_boot=300)
    # B: tp 4, fp 0, fn 4 -> F1 = 8 / 12; recall 0.5.
    assert t.loc["x", "a"] == 1.0
    assert t.loc["x", "b"] == pytest.approx(2 / 3)
    assert t.loc["x", "difference"] == pytest.approx(1 / 3)
    assert t.loc["x", "support"] == 8
    recall = compare_coders(ref, a, b, segs, codes=["x"], metric="recall", n_boot=50)
    assert recall.loc["x", "difference"] == 0.5
    assert t.attrs["documents"] == 4 and t.attrs["segments"] == 12


def test_a_better_in_every_document_is_better_in_every_sample(four_docs):
    segs, ref, a, b = four_docs
    t = compare_coders(ref, a, b, segs, codes=["x"], n_boot=300)
    assert t.loc["x", "p_a_better"] == 1.0
    assert t.loc["x", "difference_low"] == pytest.approx(1 / 3)
    assert t.loc["x", "difference_high"] == pytest.approx(1 / 3)


def test_identical_coders_differ_by_exactly_zero(four_docs):
    segs, ref, a, _ = four_docs
    t = compare_coders(ref, a, a.copy(), segs, codes=["x"], n_boot=100)
    assert t.loc["x", ["difference", "difference_low", "difference_high", "p_a_better"]
                 ].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_the_interval_spans_zero_when_documents_disagree():
    # A is better in document 1, B in document 2: the paired interval crosses zero.
    segs = pd.DataFrame({"segment_id": ["p", "q", "r", "s"], "doc_id": ["1", "1", "2", "2"]})
    ref = _codings([("p", "x"), ("q", "x"), ("r", "x"), ("s", "x")])
    a = _codings([("p", "x"), ("q", "x"), ("r", None), ("s", None)])
    b = _codings([("p", None), ("q", None), ("r", "x"), ("s", "x")])
    t = compare_coders(ref, a, b, segs, codes=["x"], n_boot=400, random_state=3)
    assert t.loc["x", "difference"] == 0.0
    assert t.loc["x", "difference_low"] < 0 < t.loc["x", "difference_high"]
    assert 0 < t.loc["x", "p_a_better"] < 1


def test_only_segments_all_three_examined_are_scored(four_docs):
    segs, ref, a, b = four_docs
    b = b[~b["segment_id"].str.startswith("d3")]  # B never saw document 3
    t = compare_coders(ref, a, b, segs, codes=["x"], n_boot=50)
    assert t.attrs["segments"] == 9 and t.loc["x", "support"] == 6


def test_matches_score_coder_point_values(four_docs):
    segs, ref, a, b = four_docs
    single = score_coder(ref, b, segs, codes=["x"], n_boot=50)
    paired = compare_coders(ref, a, b, segs, codes=["x"], metric="cohen_kappa", n_boot=50)
    assert paired.loc["x", "b"] == pytest.approx(single.loc["x", "cohen_kappa"])


def test_bad_arguments_say_what_is_accepted(four_docs):
    segs, ref, a, b = four_docs
    with pytest.raises(ValueError, match=r"^compare_coders: unknown metric 'accuracy'\. Known "
                       r"metrics: 'cohen_kappa', 'f1', 'krippendorff_alpha', 'precision', "
                       r"'recall'\.$"):
        compare_coders(ref, a, b, segs, codes=["x"], metric="accuracy")
    with pytest.raises(ValueError, match="no segment in common"):
        compare_coders(ref, a, _codings([("zz", "x")]), segs, codes=["x"])


# ---------------------------------------------------------------- pattern_precision
def test_pattern_precision_counts_hits_unique_hits_and_f1_without():
    ev = pd.DataFrame({
        "segment_id": ["s1", "s1", "s2", "s3", "s3", "s4", "s9"],
        "code": ["x", "x", "x", "x", "y", "y", "x"],
        "rule_id": ["good", "weak", "weak", "weak", "why", "why", "weak"]})
    ref = _codings([("s1", "x"), ("s2", None), ("s3", "y"), ("s4", "x"), ("s5", "x")])
    t = pattern_precision(ev, ref).set_index(["code", "rule_id"])
    # s9 was never examined by the reference: not counted.
    assert t.loc[("x", "weak"), ["hits", "correct", "unique", "unique_correct"]].tolist() == \
        [3, 1, 2, 0]
    assert t.loc[("x", "weak"), "precision"] == pytest.approx(1 / 3)
    # x: predicted s1 s2 s3, gold s1 s4 s5 -> tp 1, fp 2, fn 2.
    assert t.loc[("x", "weak"), "f1"] == pytest.approx(1 / 3)  # 2 tp / (2 tp + fp + fn)
    assert t.loc[("x", "weak"), "f1_without"] == 0.5  # s2 and s3 go: fp 0
    assert t.loc[("x", "good"), "f1_without"] == pytest.approx(1 / 3)  # s1 is not unique
    # y: predicted s3 s4, gold s3 -> dropping "why" loses the only true positive.
    assert t.loc[("y", "why"), ["f1", "f1_without"]].tolist() == [pytest.approx(2 / 3), 0.0]
    assert list(t.index[:2]) == [("x", "weak"), ("x", "good")]  # most helpful removal first


def test_pattern_precision_agrees_with_agreement_on_a_corpus():
    import tr_discourse as trd
    from tr_discourse.codings import codings_from_sets, roll_up
    from tr_discourse.sample import read_corpus_codings

    book = trd.load_codebook("codebooks/tr_core.yaml")
    segs = trd.read_corpus("corpora/tr_blog").segments
    segs = segs[segs["kind"] != "preamble"]
    ref = roll_up(read_corpus_codings("corpora/tr_blog"), book)
    coder = trd.RuleCoder(book, roll_up=True)
    ev = coder.evidence(segs)
    table = pattern_precision(ev, ref)
    codes = sorted(table["code"].unique())
    f1 = trd.agreement(ref, coder.predict(segs), codes=codes)["f1"]
    per_code = table.groupby("code")["f1"].first()
    pd.testing.assert_series_equal(per_code, f1.loc[codes].rename_axis("code"),
                                   check_names=False)
    # Dropping the pattern with the largest gain gives the F1 the table promised.
    row = table.loc[(table["f1_without"] - table["f1"]).idxmax()]
    kept = ev[~((ev["code"] == row["code"]) & (ev["rule_id"] == row["rule_id"]))]
    sets = {s: [] for s in segs["segment_id"]}
    for s, c in zip(kept["segment_id"], kept["code"], strict=True):
        sets[s].append(c)
    again = trd.agreement(ref, codings_from_sets(sets, coder="rules"), codes=[row["code"]])
    assert again.loc[row["code"], "f1"] == pytest.approx(row["f1_without"])
    assert row["f1_without"] > row["f1"]


def test_pattern_precision_names_missing_columns():
    with pytest.raises(ValueError, match="needs the columns rule_id"):
        pattern_precision(pd.DataFrame({"segment_id": ["a"], "code": ["x"]}), _codings([]))


# ---------------------------------------------------------------- counting once, by document
def test_document_counts_are_the_confusion_counts_of_each_document():
    from tr_discourse.codings import _code_table
    from tr_discourse.evaluation import _document_counts

    segs = pd.DataFrame({"segment_id": ["p", "q", "r", "s", "t"],
                         "doc_id": ["2", "1", "1", "2", "2"]})
    ref = _codings([("p", "x"), ("q", "x"), ("r", None), ("s", "y"), ("t", "x"), ("t", "y")])
    pred = _codings([("p", "x"), ("q", None), ("r", "x"), ("s", "x"), ("t", "y")])
    ref_t, pred_t = _code_table(ref), _code_table(pred)
    common = ref_t.index.intersection(pred_t.index)
    docs, (counts, perfect) = _document_counts(ref_t, [pred_t, ref_t], common, segs,
                                               ["x", "y", "z"])
    assert docs.tolist() == ["1", "2"]
    # tp, fp, fn, tn per document and code.
    assert counts[0].tolist() == [[0, 1, 1, 0], [0, 0, 0, 2], [0, 0, 0, 2]]
    assert counts[1].tolist() == [[1, 1, 1, 0], [1, 0, 1, 1], [0, 0, 0, 3]]
    # Each prediction is counted against the same reference: the reference itself is perfect.
    assert perfect[0].tolist() == [[1, 0, 0, 1], [0, 0, 0, 2], [0, 0, 0, 2]]
    assert perfect[1].tolist() == [[2, 0, 0, 1], [2, 0, 0, 1], [0, 0, 0, 3]]


def test_cross_validate_parses_the_codings_once(monkeypatch):
    from unittest import mock

    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    import tr_discourse as trd
    import tr_discourse.evaluation as evaluation
    from tr_discourse.codings import roll_up
    from tr_discourse.sample import read_corpus_codings

    spy = mock.Mock(wraps=evaluation._code_table)
    monkeypatch.setattr(evaluation, "_code_table", spy)
    segs = trd.read_corpus("corpora/tr_blog").segments
    ref = read_corpus_codings("corpora/tr_blog")
    coder = trd.MLCoder("codebooks/tr_core.yaml", thresholds=0.4, rule_features=False)
    table = evaluation.cross_validate(coder, segs, ref, n_splits=3, n_boot=50)
    # The reference once, the pooled out-of-fold predictions once.
    assert len(spy.call_args_list) == 2 and spy.call_args_list[0].args[0] is ref
    # The same figures as scoring the rolled-up tables with score_coder.
    book = trd.load_codebook("codebooks/tr_core.yaml")
    folds = []
    data = segs[segs["segment_id"].isin(ref["segment_id"])].reset_index(drop=True)
    groups = data["doc_id"].astype(str).to_numpy()
    for train, test in GroupKFold(n_splits=3).split(data, groups=groups):
        folds.append(clone(coder).fit(data.iloc[train], ref).predict(data.iloc[test]))
    again = evaluation.score_coder(roll_up(ref, book), roll_up(pd.concat(folds), book), data,
                                   codes=[c.id for c in book.codes], n_boot=50)
    pd.testing.assert_frame_equal(table, again, check_exact=True)


def test_compare_coders_looks_up_the_documents_once(four_docs, monkeypatch):
    segs, ref, a, b = four_docs
    calls = []
    real = pd.DataFrame.set_index
    monkeypatch.setattr(pd.DataFrame, "set_index", lambda self, keys, *args, **kwargs:
                        calls.append(keys) or real(self, keys, *args, **kwargs))
    compare_coders(ref, a, b, segs, codes=["x"], n_boot=50)
    assert calls == ["segment_id"]  # for both coders: they are scored on the same segments
