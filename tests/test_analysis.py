"""Frequencies, co-occurrence (against a hand-computed example), crosstabs, retrieval, keyness."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tr_discourse.analysis import (
    adjust_p,
    cooccurrence,
    crosstab,
    frequencies,
    keyness,
    kwic,
    retrieve,
    time_series,
    wilson_interval,
)
from tr_discourse.codings import codings_from_sets

SETS = {"s01": ["A", "B"], "s02": ["A"], "s03": ["A", "B"], "s04": ["B"], "s05": [],
        "s06": ["A", "C"], "s07": ["C"], "s08": [], "s09": ["A", "B", "C"], "s10": []}


@pytest.fixture
def example():
    segs = pd.DataFrame({
        "segment_id": list(SETS), "doc_id": ["d1"] * 5 + ["d2"] * 5,
        "position": list(range(1, 6)) * 2, "n_words": [100] * 10,
        "role": ["PO"] * 5 + ["manager"] * 5,
        "date": pd.to_datetime(["2015-03-01"] * 5 + ["2019-07-01"] * 5),
        "text": ["the contract and the hub"] * 3 + ["tea"] * 7})
    return segs, codings_from_sets(SETS, coder="X")


def test_segment_cooccurrence_matches_the_hand_computation(example):
    _, cods = example
    table = cooccurrence(cods).set_index(["code_a", "code_b"])
    ab = table.loc[("A", "B")]
    assert (ab["units"], ab["n_a"], ab["n_b"], ab["n_ab"]) == (10, 5, 4, 3)
    assert ab["jaccard"] == pytest.approx(3 / 6)
    assert ab["c_coefficient"] == pytest.approx(0.5)
    assert ab["lift"] == pytest.approx(1.5)
    assert ab["pmi"] == pytest.approx(math.log2(1.5))
    assert ab["npmi"] == pytest.approx(math.log2(1.5) / -math.log2(0.3))
    assert ab["p_value"] == pytest.approx(55 / 210)  # P(X >= 3), X ~ Hypergeom(10, 5, 4)
    ac, bc = table.loc[("A", "C")], table.loc[("B", "C")]
    assert ac["n_ab"] == 2 and ac["jaccard"] == pytest.approx(1 / 3)
    assert ac["lift"] == pytest.approx(4 / 3)
    assert bc["n_ab"] == 1 and bc["jaccard"] == pytest.approx(1 / 6)
    assert bc["lift"] == pytest.approx(10 / 12)
    holm = adjust_p(table["p_value"].to_numpy(), "holm")
    assert table["p_adjusted"].tolist() == pytest.approx(holm.tolist())
    assert not table["significant"].any()


def test_document_and_window_cooccurrence(example):
    segs, cods = example
    doc = cooccurrence(cods, segs, level="document").set_index(["code_a", "code_b"])
    assert doc.loc[("A", "B"), ["units", "n_a", "n_b", "n_ab"]].tolist() == [2, 2, 2, 2]
    assert doc.loc[("A", "C"), "n_ab"] == 1
    win = cooccurrence(cods, segs, level="window", window=1).set_index(["code_a", "code_b"])
    assert win.loc[("A", "B"), ["units", "n_a", "n_b", "n_ab"]].tolist() == [10, 9, 8, 7]
    with pytest.raises(ValueError, match="needs the segments table"):
        cooccurrence(cods, level="document")


def test_c_coefficient_warning_for_unequal_code_sizes(example):
    _, cods = example
    table = cooccurrence(cods, unequal=1.5).set_index(["code_a", "code_b"])
    assert bool(table.loc[("A", "C"), "c_warning"]) is True    # 5 against 3
    assert bool(table.loc[("A", "B"), "c_warning"]) is False   # 5 against 4


def test_p_value_corrections_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.20])
    assert adjust_p(p, "holm").tolist() == pytest.approx([0.04, 0.09, 0.09, 0.20])
    assert adjust_p(p, "bh").tolist() == pytest.approx([0.04, 0.0533333, 0.0533333, 0.20])
    with pytest.raises(ValueError, match=r"^adjust_p: unknown correction 'bonferroni'\. "
                       r"Known corrections: 'bh', 'holm', 'none'\.$"):
        adjust_p(p, "bonferroni")


def test_cooccurrence_is_sparse_and_fast_on_many_segments():
    rng = np.random.default_rng(0)
    codes = [f"c{i}" for i in range(12)]
    sets = {f"s{i}": list(rng.choice(codes, size=rng.integers(0, 4), replace=False))
            for i in range(50_000)}
    table = cooccurrence(codings_from_sets(sets, coder="X"), codes=codes)
    assert len(table) == 66 and table["units"].iloc[0] == 50_000
    first = table.iloc[0]
    expected = sum(1 for s in sets.values() if "c0" in s and "c1" in s)
    assert first["n_ab"] == expected


def test_frequencies_with_wilson_intervals_and_groups(example):
    segs, cods = example
    freq = frequencies(segs, cods)
    a = freq.loc["A"]
    assert (a["segments"], a["documents"], a["examined"]) == (5, 2, 10)
    assert a["per_1000_words"] == pytest.approx(5.0)
    low, high = wilson_interval(5, 10)
    assert (a["share_low"], a["share_high"]) == (pytest.approx(low), pytest.approx(high))
    assert (round(float(low), 4), round(float(high), 4)) == (0.2366, 0.7634)
    grouped = frequencies(segs, cods, by="role")
    assert grouped.loc[("manager", "C"), "segments"] == 3
    assert grouped.loc[("PO", "C"), "segments"] == 0


def test_crosstab_and_time_series(example):
    segs, cods = example
    table = crosstab(segs, cods, "role")
    assert table.loc["B"].to_dict() == {"PO": 3.0, "manager": 1.0}
    series = time_series(segs, cods, freq="YS")
    assert series.loc[(pd.Timestamp("2015-01-01"), "A"), "segments"] == 3
    assert series.loc[(pd.Timestamp("2019-01-01"), "C"), "share"] == pytest.approx(0.6)


def test_retrieval_and_kwic(example):
    segs, cods = example
    assert retrieve(segs, cods, all_of=["A", "B"])["segment_id"].tolist() == \
        ["s01", "s03", "s09"]
    assert retrieve(segs, cods, all_of=["A"], none_of=["B"])["segment_id"].tolist() == \
        ["s02", "s06"]
    assert retrieve(segs, cods, any_of=["C"], none_of=["A"])["segment_id"].tolist() == ["s07"]
    evidence = pd.DataFrame({"segment_id": ["s01"], "code": ["A"], "rule_id": ["r"],
                             "start": [4], "end": [12], "text": ["contract"]})
    found = retrieve(segs, cods, all_of=["A", "B"], evidence=evidence)
    assert found["evidence"].tolist() == [["A: contract"], [], []]
    hits = kwic(segs, "the hub", width=8)
    assert len(hits) == 3 and hits.loc[0, ["left", "match", "right"]].tolist() == \
        ["act and ", "the hub", ""]


def test_keyness_log_likelihood_by_hand(example):
    segs, cods = example
    table = keyness(segs, cods, "B", min_count=1)
    row = table.set_index("term").loc["contract"]
    a, b = 2, 1                     # "contract" in B-coded segments (s01, s03) and the rest
    c, d = 5 + 5 + 1 + 1, 5 + 5 * 1  # words in B-coded (s01 s03 s04 s09) and other segments
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    g2 = 2 * (a * math.log(a / e1) + b * math.log(b / e2))
    assert (row["target"], row["reference"]) == (a, b)
    assert row["g2"] == pytest.approx(g2)
    with pytest.raises(ValueError, match="no examined segment is coded 'Z'"):
        keyness(segs, cods, "Z")


def test_cooccurrence_with_a_codebook_rolls_up_and_leaves_out_nested_pairs():
    from tr_discourse import load_codebook
    from tr_discourse.analysis import adjust_p

    book = load_codebook("codebooks/tr_core.yaml")
    cods = codings_from_sets({"s1": ["payment_by_results", "penal_drift"],
                              "s2": ["supply_chain"], "s3": ["displacement"], "s4": []},
                             coder="A")
    table = cooccurrence(cods, codebook=book)
    codes = [c.id for c in book.codes]
    pairs = set(zip(table["code_a"], table["code_b"], strict=True))
    assert ("marketisation", "payment_by_results") not in pairs  # nested: left out
    assert ("payment_by_results", "supply_chain") in pairs       # siblings stay
    n = len(codes)
    nested = sum(len(book.ancestors(c)) for c in codes)
    assert len(table) == n * (n - 1) // 2 - nested
    row = table.set_index(["code_a", "code_b"]).loc[("marketisation", "penal_drift")]
    assert (row["n_a"], row["n_b"], row["n_ab"]) == (2, 1, 1)  # rolled up from both children
    # The correction counts only the pairs tested.
    assert table["p_adjusted"].tolist() == pytest.approx(
        adjust_p(table["p_value"].to_numpy(), "holm").tolist())


# ---------------------------------------------------------------- the same counts, by hand
def _random_coding(seed: int, n_docs: int = 6, per_doc: int = 15):
    """Segments of several documents and one coder's codings, some segments unexamined."""
    rng = np.random.default_rng(seed)
    codes = ["a", "b", "c", "d"]
    rows, sets = [], {}
    for d in range(n_docs):
        for k in range(per_doc):
            sid = f"doc{d}:s{k:02d}"
            rows.append((sid, f"doc{d}", k + 1, int(rng.integers(5, 60)),
                         "PO" if rng.random() < 0.5 else "manager"))
            if rng.random() < 0.85:  # the rest the coder never examined
                sets[sid] = list(rng.choice(codes, size=rng.integers(0, 3), replace=False))
    segs = pd.DataFrame(rows, columns=["segment_id", "doc_id", "position", "n_words", "role"])
    return segs.sample(frac=1, random_state=seed), sets  # the table's order must not matter


def _units_by_hand(segs, sets, level, window):
    """The co-occurrence units as plain Python sets, written the obvious way."""
    seen = segs[segs["segment_id"].isin(list(sets))]
    if level == "segment":
        return [set(s) for s in sets.values()]
    if level == "document":
        by_doc: dict[str, set[str]] = {}
        for sid, doc in zip(seen["segment_id"], seen["doc_id"], strict=True):
            by_doc.setdefault(doc, set()).update(sets[sid])
        return list(by_doc.values())
    units = []
    for _, part in seen.sort_values(["doc_id", "position"]).groupby("doc_id"):
        ids = part["segment_id"].tolist()
        for i in range(len(ids)):
            units.append(set().union(*(sets[n] for n in ids[max(0, i - window):i + window + 1])))
    return units


@pytest.mark.parametrize(("level", "window"), [("segment", 1), ("document", 1), ("window", 1),
                                               ("window", 2), ("window", 50)])
def test_cooccurrence_counts_equal_plain_python_counts(level, window):
    segs, sets = _random_coding(seed=7)
    table = cooccurrence(codings_from_sets(sets, coder="X"), segs, level=level, window=window,
                         codes=["a", "b", "c", "d"]).set_index(["code_a", "code_b"])
    units = _units_by_hand(segs, sets, level, window)
    for (x, y), row in table.iterrows():
        assert row["units"] == len(units)
        assert row["n_a"] == sum(x in u for u in units)
        assert row["n_b"] == sum(y in u for u in units)
        assert row["n_ab"] == sum(x in u and y in u for u in units)


def test_frequencies_per_group_equal_plain_python_counts():
    segs, sets = _random_coding(seed=3)
    freq = frequencies(segs, codings_from_sets(sets, coder="X"), by="role")
    seen = segs[segs["segment_id"].isin(list(sets))]
    for (role, code), row in freq.iterrows():
        group = seen[seen["role"] == role]
        coded = group[[code in sets[s] for s in group["segment_id"]]]
        assert row["examined"] == len(group)
        assert row["segments"] == len(coded)
        assert row["documents"] == coded["doc_id"].nunique()
        assert row["per_1000_words"] == pytest.approx(len(coded) / group["n_words"].sum() * 1000)


def test_codebook_roll_up_is_the_same_as_rolling_up_the_codings_first():
    from tr_discourse import load_codebook
    from tr_discourse.codings import roll_up

    book = load_codebook("codebooks/tr_core.yaml")
    segs = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"], "doc_id": ["d1", "d1", "d2", "d2"],
                         "position": [1, 2, 1, 2], "n_words": [10, 20, 30, 40]})
    cods = codings_from_sets({"s1": ["payment_by_results", "marketisation"],
                              "s2": ["supply_chain"], "s3": ["penal_drift"], "s4": []}, coder="A")
    freq = frequencies(segs, cods, codebook=book)
    pd.testing.assert_frame_equal(freq, frequencies(segs, roll_up(cods, book)))
    assert freq.loc["marketisation", ["segments", "documents"]].tolist() == [2.0, 1.0]
    pairs = cooccurrence(cods, segs, level="document", codebook=book)
    row = pairs.set_index(["code_a", "code_b"]).loc[("marketisation", "penal_drift")]
    assert (row["units"], row["n_a"], row["n_b"], row["n_ab"]) == (2, 1, 1, 0)


def test_each_call_parses_its_codings_once(example, monkeypatch):
    from unittest import mock

    import tr_discourse.analysis as analysis
    from tr_discourse import load_codebook

    spy = mock.Mock(wraps=analysis._code_table)
    monkeypatch.setattr(analysis, "_code_table", spy)
    segs, cods = example
    book = load_codebook("codebooks/tr_core.yaml")
    frequencies(segs, cods, by="role", codebook=book)
    cooccurrence(cods, segs, level="window", codebook=book)
    crosstab(segs, cods, "role")
    assert [call.args[0] is cods for call in spy.call_args_list] == [True] * 3


def test_unknown_options_name_the_function_and_the_choices(example):
    segs, cods = example
    with pytest.raises(ValueError, match=r"^cooccurrence: unknown level 'sentence'\. "
                       r"Known levels: 'document', 'segment', 'window'\.$"):
        cooccurrence(cods, segs, level="sentence")
    with pytest.raises(ValueError, match=r"^cooccurrence: unknown correction 'bonferroni'\. "
                       r"Known corrections: 'bh', 'holm', 'none'\.$"):
        cooccurrence(cods, correction="bonferroni")
    with pytest.raises(ValueError, match=r"^crosstab: unknown value 'rate'\. "
                       r"Known values: 'documents', 'segments', 'share'\.$"):
        crosstab(segs, cods, "role", value="rate")
    with pytest.raises(ValueError, match="unknown correction 'x'"):
        adjust_p(np.array([]), "x")  # checked even when there is nothing to adjust


def test_cooccurrence_levels_has_its_own_name():
    import tr_discourse.analysis as analysis
    from tr_discourse import reliability

    assert analysis.COOCCURRENCE_LEVELS == ("segment", "document", "window")
    assert "LEVELS" not in analysis.__all__ and "COOCCURRENCE_LEVELS" in analysis.__all__
    assert reliability.LEVELS == ("nominal", "ordinal", "interval", "ratio")
    with pytest.warns(DeprecationWarning, match="now COOCCURRENCE_LEVELS"):
        from tr_discourse.analysis import LEVELS
    assert LEVELS == ("segment", "document", "window")


@pytest.mark.parametrize("level", ["window", "document"])
def test_cooccurrence_refuses_a_segments_table_with_a_segment_twice(level):
    segs = pd.DataFrame({"segment_id": ["s1", "s2", "s2", "s3"], "doc_id": "d",
                         "position": [1, 2, 2, 3]})
    codings = codings_from_sets({"s1": ["a"], "s2": ["b"], "s3": ["a"]}, coder="X")
    with pytest.raises(ValueError, match=r"holds segment_id 's2' more than once; at "
                       rf"level='{level}' each segment must be one row"):
        cooccurrence(codings, segs, level=level)
