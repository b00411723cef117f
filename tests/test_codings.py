"""The long codings table: reading, writing, examined-but-uncoded rows, validation."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

import tr_discourse as trd
from tr_discourse.codings import CODING_COLUMNS, validate_codings


def test_jsonl_rows_with_codes_lists_keep_uncoded_apart_from_unexamined(tmp_path):
    path = tmp_path / "coder_a.jsonl"
    path.write_text('{"id": "int01:t002", "codes": ["marketisation", "displacement"]}\n'
                    '\n{"id": "int01:t004", "codes": []}\n')
    table = trd.read_codings(path)
    assert list(table.columns) == list(CODING_COLUMNS)
    assert table["coder"].unique().tolist() == ["coder_a"]
    sets = trd.coded_sets(table)
    assert sets.to_dict() == {"int01:t002": frozenset({"marketisation", "displacement"}),
                              "int01:t004": frozenset()}
    assert "int01:t003" not in sets


@pytest.mark.parametrize("ext", [".csv", ".jsonl", ".parquet"])
def test_write_then_read_round_trips(tmp_path, ext):
    table = trd.codings_from_sets({"a:t001": ["x", "y"], "a:t002": []}, coder="AB")
    out = trd.write_codings(table, tmp_path / f"c{ext}")
    back = trd.read_codings(out)
    assert back[["segment_id", "code", "coder"]].astype(object).where(back.notna(), None) \
        .values.tolist() == [["a:t001", "x", "AB"], ["a:t001", "y", "AB"], ["a:t002", None, "AB"]]


def test_provenance_travels_with_the_codings(tmp_path):
    book = trd.load_codebook("codebooks/tr_core.yaml")
    table = trd.codings_from_sets({"a:t001": ["marketisation"]}, coder="rules")
    out = trd.write_codings(table, tmp_path / "c.parquet", provenance=book.provenance())
    meta = pq.read_schema(out).metadata[b"tr_discourse"].decode()
    assert book.hash in meta and '"codebook_version"' in meta
    csv = trd.write_codings(table, tmp_path / "c.csv", provenance=book.provenance())
    assert book.hash in csv.read_text().splitlines()[1]


def test_bad_codings_files_name_file_and_line(tmp_path):
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"id": "s1", "codes": ["x"]}\n{"id": "s2", "codes": "x"}\n')
    with pytest.raises(trd.FormatError, match=r"b\.jsonl, line 2: expected \{\"id\""):
        trd.read_codings(bad)
    bad.write_text('{"id": "s1", "codes": ["x"]}\nnot json\n')
    with pytest.raises(trd.FormatError, match=r"line 2: not valid JSON"):
        trd.read_codings(bad)
    csv = tmp_path / "c.csv"
    csv.write_text("segment,label\ns1,x\n")
    with pytest.raises(trd.FormatError, match=r"c\.csv: no column 'segment_id', 'code'"):
        trd.read_codings(csv)
    with pytest.raises(trd.UnknownNameError, match=r"c\.xlsx: unknown codings file extension "
                       r"'\.xlsx'\. Known codings file extensions: '\.csv', '\.jsonl'"):
        trd.read_codings(tmp_path / "c.xlsx")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(trd.FormatError, match=r"empty\.csv: the file is empty; a codings table "
                       r"needs a header row"):
        trd.read_codings(empty)


def test_validate_names_unknown_codes_and_segments():
    table = trd.codings_from_sets({"s1": ["penal_drfit"], "s9": ["displacement"]}, coder="X")
    with pytest.raises(ValueError) as err:
        validate_codings(table, codes=["penal_drift", "displacement"], segments=["s1", "s2"])
    message = str(err.value)
    assert "codings, row 1: unknown code 'penal_drfit' (did you mean 'penal_drift'?)" in message
    assert "codings, row 2: segment 's9' is not in the segments table" in message


def test_coded_sets_asks_which_coder_when_several():
    a = trd.codings_from_sets({"s1": ["x"]}, coder="A")
    b = trd.codings_from_sets({"s1": []}, coder="B")
    import pandas as pd

    both = pd.concat([a, b])
    with pytest.raises(ValueError, match=r"several coders \(A, B\); pass coder="):
        trd.coded_sets(both)
    assert trd.coded_sets(both, coder="B").to_dict() == {"s1": frozenset()}


def test_coded_sets_keeps_codes_that_are_not_strings():
    table = pd.DataFrame({"segment_id": ["a", "b", "c"], "code": [3, 7, 3]})
    assert trd.coded_sets(table).to_dict() == {"a": frozenset({"3"}), "b": frozenset({"7"}),
                                               "c": frozenset({"3"})}


# ---------------------------------------------------------------- encodings, as the corpus readers
CODINGS_CSV = "segment_id,code,evidence\ns1,marketisation,caf\u00e9 owner\u2019s \u00a3 cut\ns2,,\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-8"])
def test_codings_csv_with_a_bom_is_read_like_utf8(tmp_path, encoding):
    path = tmp_path / "ab.csv"
    path.write_bytes(CODINGS_CSV.encode(encoding))
    table = trd.read_codings(path)
    assert list(table.columns) == list(CODING_COLUMNS)  # no BOM glued to 'segment_id'
    assert table["segment_id"].tolist() == ["s1", "s2"]
    assert table["evidence"].iloc[0] == "caf\u00e9 owner\u2019s \u00a3 cut"
    assert trd.coded_sets(table).to_dict() == {"s1": frozenset({"marketisation"}),
                                               "s2": frozenset()}
    assert table["coder"].unique().tolist() == ["ab"]


def test_codings_csv_in_cp1252_is_read_with_a_warning_naming_file_and_line(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(CODINGS_CSV.encode("cp1252"))
    with pytest.warns(trd.DecodingWarning, match=r"excel\.csv: not valid UTF-8 \(first bad byte "
                      r"0xe9 on line 2\); decoded as cp1252"):
        table = trd.read_codings(path)
    assert table["evidence"].iloc[0] == "caf\u00e9 owner\u2019s \u00a3 cut"


def test_codings_jsonl_with_a_bom_and_crlf_lines(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "s1", "codes": ["x"]}\r\n{"id": "s2", "codes": []}\r\n')
    assert trd.coded_sets(trd.read_codings(path)).to_dict() == {"s1": frozenset({"x"}),
                                                                "s2": frozenset()}


def test_a_minimal_codings_csv_gets_the_other_columns_empty(tmp_path):
    path = tmp_path / "min.csv"
    path.write_text("segment_id,code\ns1,x\ns2,\n")
    table = trd.read_codings(path)
    assert list(table.columns) == list(CODING_COLUMNS)
    assert table["score"].isna().all() and str(table["score"].dtype) == "float64"
    assert table["start"].isna().all() and str(table["start"].dtype) == "Int64"


def test_coded_sets_compares_codes_as_text():
    table = pd.DataFrame({"segment_id": [1, "1", 2, 10, 10],
                          "code": [3, "3", None, 3.0, float("nan")]}, dtype=object)
    sets = trd.coded_sets(table)
    assert sets.to_dict() == {"1": frozenset({"3"}), "10": frozenset({"3.0"}), "2": frozenset()}
    assert sets.index.tolist() == ["1", "10", "2"]  # sorted as text


def test_code_table_rolled_up_is_the_table_of_the_rolled_up_codings():
    from tr_discourse.codings import _code_table, roll_up
    from tr_discourse.sample import read_corpus_codings

    book = trd.load_codebook("codebooks/tr_core.yaml")
    ref = read_corpus_codings("corpora/tr_interviews")
    rolled = _code_table(ref).rolled_up(book)
    expected = _code_table(roll_up(ref, book))
    assert rolled.codes == expected.codes
    assert rolled.index.equals(expected.index)
    assert (rolled.hit == expected.hit).all()
    column = rolled.codes.index("marketisation")
    children = [rolled.codes.index(c) for c in ("payment_by_results", "supply_chain")]
    assert rolled.hit[:, column].sum() > rolled.hit[:, children].any(axis=1).sum() > 0


def test_roll_up_keeps_each_segments_rows_together_with_its_new_parents_after_them(tmp_path):
    from tr_discourse.codings import _frame, roll_up

    book = tmp_path / "tree.yaml"
    book.write_text("name: Tree\nversion: 1\ncodes:\n  a: {patterns: [alpha]}\n"
                    "  b: {parent: a, patterns: [beta]}\n  c: {parent: b, patterns: [gamma]}\n"
                    "  d: {patterns: [delta]}\n  e: {parent: d, patterns: [epsilon]}\n")
    book = trd.load_codebook(book)
    rows = [("s2", "e", "X", 0.9), ("s1", "c", "X", 0.6), ("s1", "a", "X", 0.5),
            ("s3", None, "X", 0.0), ("s2", "zz", "X", 1.0), ("s4", "d", "X", 0.9),
            ("s4", "e", "X", 0.7), ("s1", "c", "Y", 1.0), ("s5", "c", "X", 0.5),
            ("s5", "b", "X", 0.5)]
    table = _frame([{"segment_id": s, "code": c, "coder": who, "score": p, "evidence": f"r{i}"}
                    for i, (s, c, who, p) in enumerate(rows)])
    rolled = roll_up(table, book)
    got = rolled[["segment_id", "code", "coder", "score", "evidence"]].astype(object)
    assert got.where(got.notna(), None).values.tolist() == [
        ["s2", "e", "X", 0.9, "r0"], ["s2", "zz", "X", 1.0, "r4"],  # s2's rows come together
        ["s2", "d", "X", 0.9, "r0"],                   # then its new parents, with the evidence
        ["s1", "c", "X", 0.6, "r1"], ["s1", "c", "Y", 1.0, "r7"],
        ["s1", "b", "X", 0.6, "r1"], ["s1", "a", "X", 0.6, "r1"],  # nearest ancestor first;
        ["s1", "b", "Y", 1.0, "r7"], ["s1", "a", "Y", 1.0, "r7"],  # r2 (a, 0.5) scored lower
        ["s3", None, "X", 0.0, "r3"],
        ["s4", "d", "X", 0.9, "r5"], ["s4", "e", "X", 0.7, "r6"],  # d from e scored lower
        ["s5", "c", "X", 0.5, "r8"], ["s5", "b", "X", 0.5, "r9"],  # a tie: the row coded
        ["s5", "a", "X", 0.5, "r8"]]                                # first, the first added
    pd.testing.assert_frame_equal(roll_up(rolled, book), rolled)  # nothing more to add
    tops = table[table["code"].isin(["a", "d", "zz"]).fillna(True)]  # no code has a parent
    pd.testing.assert_frame_equal(roll_up(tops, book), tops.reset_index(drop=True))
