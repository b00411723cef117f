"""Agreement coefficients against published worked examples (reliability_fixtures.md)."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tr_discourse.codings import codings_from_sets
from tr_discourse.reliability import (
    ReliabilityWarning,
    agreement,
    bennett_s,
    cohen_kappa,
    fleiss_kappa,
    jaccard_distance,
    krippendorff_alpha,
    masi_distance,
    passonneau_distance,
    percent_agreement,
    scott_pi,
)

NaN = float("nan")
K2011_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
K2011_B = [list("aabbdcccedda"), list("babbbccceddd")]
K2011_C = [[1, 2, 3, 3, 2, 1, 4, 1, 2, NaN, NaN, NaN], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NaN, 3],
           [NaN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NaN], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NaN]]
K2011_C_EXPECTED = {"nominal": 113 / 152, "ordinal": 108577 / 133160,
                    "interval": 951 / 1120, "ratio": 18222619 / 22852465}
WIKI_3x15 = [[NaN, NaN, NaN, NaN, NaN, 3, 4, 1, 2, 1, 1, 3, 3, NaN, 3],
             [1, NaN, 2, 1, 3, 3, 4, 3, NaN, NaN, NaN, NaN, NaN, NaN, NaN],
             [NaN, NaN, 2, 1, 3, 4, 4, NaN, 2, 1, 1, 3, 3, NaN, 4]]
HAYES_2007 = """(1,1,2,_,2) (1,1,0,1,_) (2,3,3,3,_) (_,0,0,_,0) (0,0,0,_,0) (0,0,0,_,0) (1,0,2,_,1)
(1,_,2,0,_) (2,2,2,_,2) (2,1,1,1,_) (_,1,0,0,_) (0,0,0,0,_) (1,2,2,2,_) (3,3,2,2,3) (1,1,1,_,1)
(1,1,1,_,1) (2,1,2,_,2) (1,2,3,3,_) (1,1,0,1,_) (0,0,0,_,0) (0,0,1,1,_) (0,0,_,0,0) (2,3,3,3,_)
(0,0,0,0,_) (1,2,_,2,2) (0,1,1,1,_) (0,0,0,1,0) (1,2,1,2,_) (1,1,2,2,_) (1,1,2,_,2) (1,1,0,_,0)
(2,1,2,1,_) (2,2,_,2,2) (3,2,2,2,_) (2,2,2,_,2) (2,2,3,_,2) (2,2,2,_,2) (2,2,_,1,2) (2,2,2,2,_)
(1,1,1,_,1)"""


def _crosstab(cells):
    a, b = [], []
    for n, x, y in cells:
        a += [x] * n
        b += [y] * n
    return a, b


AP_TABLE4 = _crosstab([(46, "STAT", "STAT"), (6, "IReq", "STAT"), (32, "IReq", "IReq"),
                       (6, "IReq", "Chck"), (10, "Chck", "Chck")])


def _hayes():
    units = [u.strip("()").split(",") for u in HAYES_2007.split()]
    return [[NaN if u[c] == "_" else int(u[c]) for u in units] for c in range(5)]


def test_alpha_binary_two_coders_krippendorff_2011_a():
    assert krippendorff_alpha(K2011_A) == pytest.approx(2 / 21, abs=1e-12)


def test_alpha_nominal_letters_ben_gerry():
    assert krippendorff_alpha(K2011_B) == pytest.approx(155 / 224, abs=1e-12)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_four_coders_missing_values_all_levels(level):
    assert krippendorff_alpha(K2011_C, level) == pytest.approx(K2011_C_EXPECTED[level], abs=1e-12)


@pytest.mark.parametrize(("level", "expected"), [("nominal", 56 / 81), ("interval", 643 / 793),
                                                 ("ordinal", 112173 / 139048),
                                                 ("ratio", 90503 / 111878)])
def test_alpha_wikipedia_three_coders(level, expected):
    assert krippendorff_alpha(WIKI_3x15, level) == pytest.approx(expected, abs=1e-12)


def test_alpha_hayes_krippendorff_2007_ordinal():
    assert krippendorff_alpha(_hayes(), "ordinal") == pytest.approx(0.7598292, abs=1e-7)
    assert krippendorff_alpha(_hayes(), "nominal") == pytest.approx(0.4765096, abs=1e-7)
    assert krippendorff_alpha(_hayes(), "interval") == pytest.approx(0.7573783, abs=1e-7)


def test_alpha_k1980_three_coders():
    units = [(1, 1, 1), (1, 2, 2), (2, 2, 2), (4, 4, 4), (1, 4, 4), (2, 2, 2), (1, 2, 3),
             (3, 3, 3), (2, 2, 2)]
    data = [list(col) for col in zip(*units, strict=True)]
    assert krippendorff_alpha(data) == pytest.approx(0.6417323, abs=1e-7)
    assert krippendorff_alpha(data, "interval") == pytest.approx(0.5469169, abs=1e-7)
    assert krippendorff_alpha(data, "ratio") == pytest.approx(0.4832543, abs=1e-7)


def test_alpha_strings_with_value_domain_and_nltk_single_rated_units():
    labels = ["very low", "low", "mid", "high", "very high"]
    data = [[None if _missing(v) else labels[int(v) - 1] for v in row] for row in K2011_C]
    assert krippendorff_alpha(data, "ordinal", value_domain=labels) == pytest.approx(
        K2011_C_EXPECTED["ordinal"], abs=1e-12)
    assert krippendorff_alpha(data) == pytest.approx(K2011_C_EXPECTED["nominal"], abs=1e-12)
    # NLTK test_easy / test_easy2: a unit rated once does not count.
    easy = [["YES", "YES", None], ["NO", "NO", None], ["NO", None, "NO"]]
    assert krippendorff_alpha(easy) == pytest.approx(-1 / 3, abs=1e-9)
    assert krippendorff_alpha([r[:2] for r in easy]) == pytest.approx(-1 / 3, abs=1e-9)
    nominal3 = [["pos", "neg", "neu", None], ["pos", "neg", "neu", "pos"],
                ["pos", "neg", "pos", "pos"]]
    assert krippendorff_alpha(nominal3) == pytest.approx(0.722222, abs=1e-6)


def _missing(v):
    return isinstance(v, float) and math.isnan(v)


def test_alpha_custom_distance_and_errors():
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 4]], distance=lambda c, k: abs(c - k)) == \
        pytest.approx(0.761905, abs=1e-6)
    assert krippendorff_alpha([[0, 1, 2], [0, 1, 2]], "ratio") == 1.0
    with pytest.raises(ValueError, match="level 'cardinal'"):
        krippendorff_alpha(K2011_A, "cardinal")
    with pytest.raises(ValueError, match="ordered values; pass value_domain"):
        krippendorff_alpha([["a", 1], ["b", 2]], "ordinal")
    with pytest.raises(ValueError, match="'x' is not in value_domain"):
        krippendorff_alpha([["x"], ["a"]], value_domain=["a", "b"])


def test_undefined_alpha_is_nan_with_a_warning():
    with pytest.warns(ReliabilityWarning, match="expected disagreement is 0"):
        assert math.isnan(krippendorff_alpha([[1, 1], [1, 1]]))
    with pytest.warns(ReliabilityWarning, match="no unit has values from two coders"):
        assert math.isnan(krippendorff_alpha([[1, NaN], [NaN, 2]]))


def test_set_valued_alpha_dkpro_example():
    pairs = [((), ()), (("A",), ()), (("A",), ("A",)), (("A",), ("B",)), (("A", "B"), ("A",)),
             (("A", "B"), ("A", "C")), (("A", "B", "C"), ("A", "B", "C")),
             (("C",), ("A", "C")), (("C",), ("A", "C"))]
    data = [[frozenset(p[i]) for p in pairs] for i in (0, 1)]
    assert krippendorff_alpha(data, distance="passonneau") == pytest.approx(0.1861702, abs=1e-7)
    assert krippendorff_alpha(data, distance="masi") == pytest.approx(0.2730807, abs=1e-7)


def test_set_distances_published_values():
    assert masi_distance({1, 2}, {1, 2, 3, 4}) == pytest.approx(2 / 3)
    assert masi_distance({1, 2, 3, 4}, {3, 4, 5}) == pytest.approx(1 - 0.4 / 3)
    assert jaccard_distance({1, 2, 3, 4}, {3, 4, 5}) == pytest.approx(0.6)
    assert masi_distance(set(), set()) == 0.0 and masi_distance(set(), {"a"}) == 1.0
    assert passonneau_distance({"a"}, {"b"}) == 1.0


def test_cohen_kappa_published_values():
    a = [0] * 40 + [1] * 60
    b = [0] * 20 + [1] * 20 + [0] * 10 + [1] * 50
    assert cohen_kappa(a, b) == pytest.approx(0.3478261, abs=1e-7)
    assert cohen_kappa(b, a) == pytest.approx(0.3478261, abs=1e-7)
    assert cohen_kappa(*AP_TABLE4) == pytest.approx(0.8013245, abs=1e-7)
    y1 = [0] * 46 + [1] * 44 + [2] * 10
    y2 = [0] * 50 + [1] * 40 + [2] * 10
    assert cohen_kappa(y1, y2) == pytest.approx(0.9315068, abs=1e-7)
    assert cohen_kappa(y1, y2, weights="linear") == pytest.approx(0.9411765, abs=1e-7)
    assert cohen_kappa(y1, y2, weights="quadratic") == pytest.approx(0.9541284, abs=1e-7)
    # Cohen (1960), example 2: 29/59.
    c1, c2 = _crosstab([(88, 0, 0), (14, 0, 1), (18, 0, 2), (10, 1, 0), (40, 1, 1), (10, 1, 2),
                        (2, 2, 0), (6, 2, 1), (12, 2, 2)])
    assert cohen_kappa(c1, c2) == pytest.approx(29 / 59, abs=1e-12)
    # irr's anxiety data, raters 2 and 3: -0.006289308.
    r2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
    r3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]
    assert cohen_kappa(r2, r3) == pytest.approx(-0.006289308, abs=1e-9)


def test_pi_s_and_percent_agreement_published_values():
    assert scott_pi(*AP_TABLE4) == pytest.approx(0.7995322, abs=1e-7)
    assert bennett_s(*AP_TABLE4) == pytest.approx(0.82, abs=1e-12)
    assert percent_agreement(*AP_TABLE4) == pytest.approx(0.88)
    k2004 = _crosstab([(1, "a", "a"), (1, "a", "b"), (4, "b", "b"), (1, "b", "c"),
                       (5, "c", "c")])
    assert cohen_kappa(*k2004) == pytest.approx(0.7241379, abs=1e-7)
    assert scott_pi(*k2004) == pytest.approx(0.7225434, abs=1e-7)
    assert krippendorff_alpha(list(k2004)) == pytest.approx(0.7341040, abs=1e-7)
    assert percent_agreement(*k2004) == pytest.approx(10 / 12)


def test_kappa_pi_differ_under_different_marginals_k2004_p246():
    table_4b = _crosstab([(12, "a", "a"), (18, "a", "b"), (18, "a", "c"), (14, "b", "b"),
                          (18, "b", "c"), (20, "c", "c")])
    assert scott_pi(*table_4b) == pytest.approx(0.1857660, abs=1e-7)
    assert cohen_kappa(*table_4b) == pytest.approx(0.2582418, abs=1e-7)


def test_fleiss_kappa_published_values():
    wiki = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert fleiss_kappa(wiki) == pytest.approx(0.2099307, abs=1e-7)
    randolph_2 = [[3, 0], [2, 1], [2, 1], [3, 0]]
    assert fleiss_kappa(randolph_2) == pytest.approx(-0.2, abs=1e-12)
    with pytest.raises(ValueError, match="row 2 has 3 ratings but row 1 has 14"):
        fleiss_kappa([wiki[0], [1, 1, 1, 0, 0]])


def test_undefined_kappa_is_nan_with_a_warning():
    with pytest.warns(ReliabilityWarning, match="single category"):
        assert math.isnan(cohen_kappa([1, 1, 1], [1, 1, 1]))


def test_agreement_per_code_keeps_unexamined_apart_from_uncoded():
    a = codings_from_sets({"s1": ["x"], "s2": [], "s3": ["x", "y"], "s4": ["y"], "s5": ["x"]},
                          coder="A")
    b = codings_from_sets({"s1": ["x"], "s2": ["y"], "s3": ["x"], "s4": ["y"], "s6": []},
                          coder="B")
    table = agreement(a, b)
    assert table.attrs["only_a"] == 1 and table.attrs["only_b"] == 1
    y = table.loc["y"]
    assert (y["units"], y["n_a"], y["n_b"]) == (4, 2, 2)
    assert y["percent_agreement"] == 0.5
    assert y["precision"] == 0.5 and y["recall"] == 0.5
    assert y["cohen_kappa"] == pytest.approx(0.0)
    expected_alpha = krippendorff_alpha([[0, 0, 1, 1], [0, 1, 0, 1]])
    assert y["krippendorff_alpha"] == pytest.approx(expected_alpha)
    whole = table.loc["(code set)"]
    assert whole["percent_agreement"] == 0.5
    assert (whole["precision"], whole["recall"]) == (3 / 4, 3 / 4)
    assert table.loc["(macro)", "f1"] == pytest.approx((1.0 + 0.5) / 2)


def test_agreement_warns_once_for_codes_nobody_used():
    a = codings_from_sets({"s1": ["x"], "s2": []}, coder="A")
    b = codings_from_sets({"s1": ["x"], "s2": []}, coder="B")
    with pytest.warns(ReliabilityWarning, match="undefined .* for z"):
        table = agreement(a, b, codes=["x", "z"])
    assert table.loc["x", "cohen_kappa"] == 1.0
    assert math.isnan(table.loc["z", "cohen_kappa"])


def test_pi_and_s_share_their_form_and_their_undefined_cases():
    # Bennett's S counts the categories it is given: q = 4 here, so (0.88 - 1/4) / (3/4).
    four = ["STAT", "IReq", "Chck", "Other"]
    assert bennett_s(*AP_TABLE4, labels=four) == pytest.approx(0.84, abs=1e-12)
    # Scott's pi with labels restricted to two categories: 78 units, p_o = 78/84.
    two = ["STAT", "IReq"]
    p_stat, p_ireq = (46 + 52) / 2 / 84, (38 + 32) / 2 / 84
    p_e = p_stat ** 2 + p_ireq ** 2
    assert scott_pi(*AP_TABLE4, labels=two) == pytest.approx((78 / 84 - p_e) / (1 - p_e))
    cases = [(scott_pi, "Scott's pi", "both coders used a single category"),
             (bennett_s, "Bennett's S", "fewer than two categories")]
    for coefficient, name, single in cases:
        with pytest.warns(ReliabilityWarning, match=f"{name} is undefined: {single}") as caught:
            assert math.isnan(coefficient(["a", "a"], ["a", "a"]))
        assert caught[0].filename == __file__  # the warning points at the caller
        with pytest.warns(ReliabilityWarning, match=f"{name} is undefined: no unit was coded "
                          "by both coders"):
            assert math.isnan(coefficient(["a", None], [None, "b"]))


def test_unknown_options_name_the_function_and_the_choices():
    with pytest.raises(ValueError, match=r"^cohen_kappa: unknown weights 'cubic'\. Known "
                       r"weights: 'linear', 'quadratic'\.$"):
        cohen_kappa([1, 2], [1, 2], weights="cubic")
    with pytest.raises(ValueError, match=r"^krippendorff_alpha: unknown set distance 'dice'\. "
                       r"Known set distances: 'jaccard', 'masi', 'passonneau'\.$"):
        krippendorff_alpha([[{"a"}], [{"a"}]], distance="dice")


_CODES = ["x", "y", "z"]
_SETS = st.dictionaries(st.sampled_from([f"s{i}" for i in range(8)]),
                        st.sets(st.sampled_from(_CODES)), max_size=8)


@given(_SETS, _SETS)
@settings(max_examples=60, deadline=None)
def test_agreement_equals_a_plain_count_over_the_code_sets(sets_a, sets_b):
    common = sorted(sets_a.keys() & sets_b.keys())
    a, b = [sets_a[s] for s in common], [sets_b[s] for s in common]
    used = sorted(set().union(*a, *b))
    assume(common)  # no segment in common: see the test below
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReliabilityWarning)
        table = agreement(codings_from_sets(sets_a, coder="A"),
                          codings_from_sets(sets_b, coder="B"))
    assert table.index.tolist() == [*used, "(macro)", "(code set)"]
    for code in used:
        tp = sum(code in p and code in q for p, q in zip(a, b, strict=True))
        n_a, n_b = sum(code in p for p in a), sum(code in q for q in b)
        row = table.loc[code]
        assert (row["units"], row["n_a"], row["n_b"]) == (len(common), n_a, n_b)
        assert row["percent_agreement"] == pytest.approx(
            sum((code in p) == (code in q) for p, q in zip(a, b, strict=True)) / len(common))
        assert row["precision"] == pytest.approx(tp / n_b if n_b else NaN, nan_ok=True)
    whole = table.loc["(code set)"]
    both = sum(len(p & q) for p, q in zip(a, b, strict=True))
    n_a, n_b = sum(len(p) for p in a), sum(len(q) for q in b)
    assert (whole["n_a"], whole["n_b"]) == (sum(map(bool, a)), sum(map(bool, b)))
    assert whole["percent_agreement"] == pytest.approx(
        sum(p == q for p, q in zip(a, b, strict=True)) / len(common))
    assert whole["precision"] == pytest.approx(both / n_b if n_b else NaN, nan_ok=True)
    assert whole["recall"] == pytest.approx(both / n_a if n_a else NaN, nan_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReliabilityWarning)
        alpha = krippendorff_alpha([[frozenset(p) for p in a], [frozenset(q) for q in b]],
                                   distance="masi")
    assert whole["krippendorff_alpha"] == pytest.approx(alpha, nan_ok=True)
    assert table.attrs["only_a"] == len(sets_a) - len(common)
    assert table.attrs["only_b"] == len(sets_b) - len(common)


def test_agreement_when_no_code_was_used_has_only_the_summary_rows():
    a = codings_from_sets({"s1": [], "s2": []}, coder="A")
    b = codings_from_sets({"s1": [], "s3": ["x"]}, coder="B")
    for codes in (None, []):
        table = agreement(a, b, codes=codes)  # it raised a KeyError
        assert table.index.tolist() == ["(macro)", "(code set)"]
        assert table.loc["(macro)", "units"] == 1 and table.loc["(macro)", ["f1"]].isna().all()
        assert table.loc["(code set)", "percent_agreement"] == 1.0  # both left s1 uncoded
    with pytest.warns(ReliabilityWarning, match="undefined .* for x"):
        none_common = agreement(a, codings_from_sets({"s3": ["x"]}, coder="B"), codes=["x"])
    assert none_common.loc["(code set)", "units"] == 0
